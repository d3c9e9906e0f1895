"""Errors raised when a manual document is missing, malformed or inconsistent."""

from __future__ import annotations


class ManualError(Exception):
    """A manual document failed to load; says which file and where in it."""

    def __init__(self, file: str, path: str, message: str) -> None:
        super().__init__(f"{file}: {path}: {message}")
        self.file = file
        self.path = path
        self.message = message


class UnknownEntryError(ManualError, LookupError):
    """A phase, form or drill was asked for by an id the manuals do not have."""
