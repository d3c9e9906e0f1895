"""Machine translation seen from the pipeline: the Argos engine behind a small adapter."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from translations import glossary, languages, protect
from translations.mt import ArgosEngine, EngineSettings
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
        """Translate all texts in one batch per model hop, keeping protected terms intact."""
        src = languages.from_argos(source)
        tgt = languages.from_argos(target)
        src_code = src.code if src else source
        tgt_code = tgt.code if tgt else target
        terms = _terms(src_code, tgt_code)
        shielded = [protect.protect(t, src_code, terms, places) for t in texts]
        outputs = self.engine.translate([p.text for p in shielded], source, target)
        restored = [protect.restore(o.text, p) for o, p in zip(outputs, shielded, strict=True)]
        lost = [i for i, r in enumerate(restored) if r is None]
        plain = (
            dict(
                zip(
                    lost,
                    self.engine.translate([texts[i] for i in lost], source, target),
                    strict=True,
                )
            )
            if lost
            else {}
        )
        results = []
        for i, (out, text) in enumerate(zip(outputs, restored, strict=True)):
            fallback = plain.get(i)
            note = None
            if fallback is not None:
                spans = ", ".join(shielded[i].terms.values())
                note = f"glossary terms not enforced (the model dropped them): {spans}"
            final = fallback or out
            results.append(
                Result(
                    lang=tgt_code,
                    status="done",
                    text=text if text is not None else final.text,
                    method="machine",
                    reviewed=False,
                    reason=note,
                    engine=final.engine,
                    model=final.model,
                    elapsed_ms=int(out.elapsed_ms),
                )
            )
        return results


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
    )
