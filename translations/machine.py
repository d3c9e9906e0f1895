"""Machine translation seen from the pipeline (filled by the Argos engine)."""

from __future__ import annotations

from typing import Any

from translations.pipeline import MachineTranslator


def backend(app: Any) -> MachineTranslator | None:
    """Return the process-wide machine translator, or None when no model is installed."""
    return None
