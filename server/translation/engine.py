"""The process's machine-translation engine, a Flask extension bound in the app factory.

Models are loaded once per process and kept (CTranslate2 models are large); web processes
never translate, but they ask whether a pair has a route.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, current_app

from translations import machine
from translations.mt import ArgosEngine
from translations.mt.engine import limit_malloc_arenas

EXTENSION = "tagengo.mt"


class MachineTranslation:
    """Hold one translator per app, made on first use from the app's settings."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def init_app(self, app: Flask) -> None:
        state: dict[str, Any] = {"translator": None}
        app.extensions[EXTENSION] = state

    def translator(self) -> machine.ArgosTranslator | None:
        """Return the current app's translator, or None while no model is installed."""
        state = current_app.extensions[EXTENSION]
        with self._lock:
            if state["translator"] is None:
                limit_malloc_arenas(current_app.config["MT_MALLOC_ARENAS"])
                engine = ArgosEngine(machine.settings(current_app.config))
                state["translator"] = machine.ArgosTranslator(engine)
        found: machine.ArgosTranslator = state["translator"]
        return found if found.engine.installed() else None


mt = MachineTranslation()


def translator() -> machine.ArgosTranslator | None:
    """The current app's translator (see ``MachineTranslation.translator``)."""
    return mt.translator()
