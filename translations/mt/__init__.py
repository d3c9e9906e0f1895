"""Offline machine translation with Argos Translate packages (CTranslate2 + SentencePiece)."""

from translations.mt.engine import ArgosEngine, Confidence, EngineSettings, MTResult
from translations.mt.errors import ModelError, MTError, NoRouteError
from translations.mt.packages import (
    DEFAULT_INDEX_URL,
    InstalledPackage,
    download,
    install,
    list_installed,
    remove,
)
from translations.mt.sentences import Segmented, join_sentences, split_sentences

__all__ = [
    "DEFAULT_INDEX_URL",
    "ArgosEngine",
    "Confidence",
    "EngineSettings",
    "InstalledPackage",
    "MTError",
    "MTResult",
    "ModelError",
    "NoRouteError",
    "Segmented",
    "download",
    "install",
    "join_sentences",
    "list_installed",
    "remove",
    "split_sentences",
]
