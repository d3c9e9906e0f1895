"""Errors raised by the offline machine-translation engine."""

from __future__ import annotations


class MTError(Exception):
    """Base class of every machine-translation error."""


class ModelError(MTError):
    """A model package cannot be installed, found, downloaded or loaded."""


class NoRouteError(MTError):
    """No installed package (direct or through English) translates this pair."""
