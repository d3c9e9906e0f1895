"""Machine translation seen from the pipeline: the Argos engine behind a small adapter."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from translations import glossary, languages, protect, quality
from translations.mt import ArgosEngine, EngineSettings, MTResult
from translations.pipeline import Result


class ArgosTranslator:
    """Adapt ArgosEngine to the pipeline: glossary protection in, pipeline Results out."""

    def __init__(self, engine: ArgosEngine) -> None:
        self.engine = engine

    def can_translate(self, source: str, target: str) -> bool:
        """Tell whether installed models reach target from source, directly or via English."""
        return self.engine.can_translate(source, target)

    def translate(
        self, texts: Sequence[str], source: str, target: str, places: Sequence[tuple[str, str]] = ()
    ) -> list[Result]:
        """Translate all texts in one batch per model hop, keeping protected terms intact.

        A text whose placeholders the model drops is translated again with those spans left
        to the model (the other terms still protected), and only if that fails too, plainly.
        Every result carries the quality gate's verdict (``check_first``, ``check_reasons``).
        """
        src = languages.from_argos(source)
        tgt = languages.from_argos(target)
        src_code = src.code if src else source
        tgt_code = tgt.code if tgt else target
        terms = _terms(src_code, tgt_code)
        always = _always(src_code)

        def shield(text: str, skip: Sequence[str] = ()) -> protect.Protected:
            return protect.protect(
                text, src_code, terms, places, target=tgt_code, always=always, skip=skip
            )

        shielded = [shield(t) for t in texts]
        outputs = self.engine.translate([p.text for p in shielded], source, target)
        final: list[tuple[MTResult, str, list[str]]] = []
        retry: list[int] = []
        for i, (out, shield_i) in enumerate(zip(outputs, shielded, strict=True)):
            restored = protect.restore(out.text, shield_i)
            final.append((out, restored or "", protect.lost(out.text, shield_i)))
            if restored is None:
                retry.append(i)
        if retry:
            again = [shield(texts[i], final[i][2]) for i in retry]
            second = self.engine.translate([p.text for p in again], source, target)
            plain = self.engine.translate([texts[i] for i in retry], source, target)
            for i, shield_i, out, bare in zip(retry, again, second, plain, strict=True):
                restored = protect.restore(out.text, shield_i)
                dropped = final[i][2] if restored is not None else list(shielded[i].terms.values())
                final[i] = (out, restored, dropped) if restored else (bare, bare.text, dropped)
        results = []
        for text, (out, restored, dropped) in zip(texts, final, strict=True):
            note = None
            if dropped:
                note = f"glossary terms not enforced (the model dropped them): {', '.join(dropped)}"
            confidence = out.confidence
            gate = quality.assess(
                text,
                restored,
                log_prob=confidence.log_prob if confidence else None,
                source_tokens=confidence.source_tokens if confidence else 0,
                output_tokens=confidence.output_tokens if confidence else 0,
                dropped=dropped,
            )
            results.append(
                Result(
                    lang=tgt_code,
                    status="done",
                    text=restored,
                    method="machine",
                    reviewed=False,
                    reason=note,
                    engine=out.engine,
                    model=out.model,
                    elapsed_ms=int(outputs[0].elapsed_ms) if outputs else 0,
                    check_first=gate.check_first,
                    check_reasons=gate.reasons,
                )
            )
        return results


def _always(source: str) -> frozenset[str]:
    try:
        return glossary.always_protected(source)
    except ValueError:  # a language the glossary does not cover
        return frozenset()


def _terms(source: str, target: str) -> list[tuple[str, str]]:
    try:
        return glossary.terms_for_pair(source, target)
    except ValueError:  # a language the glossary does not cover
        return []


def settings(config: Any) -> EngineSettings:
    """Build engine settings from the app's configuration."""
    return EngineSettings(
        packages_dir=Path(config["ARGOS_PACKAGES_DIR"]),
        device=config["MT_DEVICE"],
        inter_threads=config["MT_INTER_THREADS"],
        intra_threads=config["MT_INTRA_THREADS"],
        beam_size=config["MT_BEAM_SIZE"],
        max_batch_size=config["MT_BATCH_SIZE"],
        max_loaded_models=config["MT_MAX_LOADED_MODELS"],
        memory_budget_bytes=config["MT_MEMORY_BUDGET_MB"] * 1024 * 1024,
        # Optional until the server's settings declare it (a comma list such as "argos,ct2").
        prefer=_kinds(config.get("MT_PREFER")) or EngineSettings.prefer,
        stable_batches=bool(config.get("MT_STABLE_BATCHES", True)),
    )


def _kinds(value: Any) -> tuple[str, ...]:
    """Read a package-kind preference given as "ct2,argos" or a sequence."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    return tuple(str(item).strip() for item in items if str(item).strip())
