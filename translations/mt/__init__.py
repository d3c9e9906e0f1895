"""Offline machine translation with Argos Translate packages (CTranslate2 + SentencePiece)."""

import os

# Before CTranslate2 (and the Intel MKL inside it) is loaded: MKL's own memory manager keeps
# freed buffers per thread, and every model replica is a thread. In the 13-language surge a
# worker peaked at about 2.0 GiB with it and 1.7-1.8 GiB without, no slower (Intel Xeon;
# docs/benchmarks.md, *Surge*). MKL takes any value as "disable", so keeping it is a
# setting of ours, read here from the environment (server.core.config documents it); it
# wins over a value inherited from a parent process that imported this package.
if os.environ.get("TAGENGO_MT_MKL_FAST_MM", "").strip().lower() in {"1", "true", "yes", "on"}:
    os.environ.pop("MKL_DISABLE_FAST_MM", None)
else:
    os.environ.setdefault("MKL_DISABLE_FAST_MM", "1")

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
