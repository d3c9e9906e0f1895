"""Machine translation seen from the pipeline: the Argos engine behind a small adapter."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from translations import languages
from translations.mt import ArgosEngine, EngineSettings
from translations.pipeline import Result

_lock = threading.Lock()


class ArgosTranslator:
    """Adapt ArgosEngine (Argos codes, MTResult) to the pipeline's Result."""

    def __init__(self, engine: ArgosEngine) -> None:
        self.engine = engine

    def can_translate(self, source: str, target: str) -> bool:
        """Tell whether installed models reach target from source, directly or via English."""
        return self.engine.can_translate(source, target)

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[Result]:
        """Translate all texts in one batch per model hop."""
        lang = languages.from_argos(target)
        code = lang.code if lang else target
        return [
            Result(
                lang=code,
                status="done",
                text=r.text,
                method="machine",
                reviewed=False,
                engine=r.engine,
                model=r.model,
                elapsed_ms=int(r.elapsed_ms),
            )
            for r in self.engine.translate(list(texts), source, target)
        ]


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


def backend(app: Any) -> ArgosTranslator | None:
    """Return the process-wide translator, or None while no model is installed."""
    with _lock:
        translator = app.extensions.get("tagengo.mt")
        if translator is None:
            translator = ArgosTranslator(ArgosEngine(settings(app.config)))
            app.extensions["tagengo.mt"] = translator
    return translator if translator.engine.installed() else None
