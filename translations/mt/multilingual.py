"""Language tokens of many-to-many models (NLLB-200, M2M-100) converted for CTranslate2.

One such model translates between any two of its languages: the source sentence starts with
the source language's token and ends with ``</s>``, and decoding is forced to start with the
target language's token, which the output then drops. NLLB names languages with FLORES-200
codes (``jpn_Jpan``, ``tgl_Latn``); M2M-100 with ``__ja__``-style tokens. A center installs
such a folder for the pairs it wants (``tagengo models install FOLDER --from ja --to
tl,ne,my``), and the model is loaded once for all of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Set
from pathlib import Path

from translations.mt.errors import ModelError

NLLB = "nllb"
M2M100 = "m2m100"
FLAVOURS = (NLLB, M2M100)
# The shape of a language token in each flavour's vocabulary: FLORES-200 codes, __ja__.
_TOKEN_SHAPES = {
    NLLB: re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$"),
    M2M100: re.compile(r"^__[a-z]{2,3}__$"),
}

# FLORES-200 codes of the languages a center may use (Argos codes on the left; translations.
# languages lists them). Chinese is written two ways, and NLLB tells them apart.
_NLLB: dict[str, str] = {
    "ja": "jpn_Jpan",
    "en": "eng_Latn",
    "zh": "zho_Hans",
    "zt": "zho_Hant",
    "ko": "kor_Hang",
    "pb": "por_Latn",
    "pt": "por_Latn",
    "es": "spa_Latn",
    "vi": "vie_Latn",
    "tl": "tgl_Latn",
    "ne": "npi_Deva",
    "id": "ind_Latn",
    "th": "tha_Thai",
    "my": "mya_Mymr",
    "fr": "fra_Latn",
    "de": "deu_Latn",
    "ru": "rus_Cyrl",
    "uk": "ukr_Cyrl",
    "hi": "hin_Deva",
    "bn": "ben_Beng",
    "ur": "urd_Arab",
    "ar": "arb_Arab",
    "fa": "pes_Arab",
    "tr": "tur_Latn",
    "ms": "zsm_Latn",
}
# M2M-100 has one Chinese (Simplified) and one Portuguese.
_M2M_CODES = {"pb": "pt"}
_M2M_MISSING = {"zt": "M2M-100 has no Traditional Chinese token (its __zh__ writes Simplified)"}


def flavour(vocabulary: Set[str]) -> str | None:
    """Return which many-to-many model a vocabulary belongs to (its language tokens), or None."""
    for name in FLAVOURS:
        if any(_TOKEN_SHAPES[name].match(item) for item in vocabulary):
            return name
    return None


def token(kind: str, code: str) -> str:
    """Return the language token of an Argos code for a flavour, or raise ModelError why not."""
    if kind == NLLB:
        found = _NLLB.get(code)
        if found is None:
            raise ModelError(f"no NLLB language code is known for {code!r}")
        return found
    if kind == M2M100:
        if code in _M2M_MISSING:
            raise ModelError(f"{code}: {_M2M_MISSING[code]}")
        return f"__{_M2M_CODES.get(code, code)}__"
    raise ModelError(f"{kind!r} is not a many-to-many model kind")


def vocabulary(model_dir: Path) -> set[str]:
    """Return every token of a CTranslate2 model folder's vocabularies (JSON or text files)."""
    tokens: set[str] = set()
    files = sorted(Path(model_dir).glob("*vocabulary*"))
    for file in files:
        try:
            if file.suffix == ".json":
                items = json.loads(file.read_text(encoding="utf-8"))
                if not isinstance(items, list):
                    raise ValueError("not a list of tokens")
                tokens.update(str(item) for item in items)
            elif file.suffix == ".txt":
                tokens.update(line.rstrip("\r\n") for line in file.open(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ModelError(f"{file}: unreadable vocabulary ({exc})") from exc
    return tokens


def adds_source_eos(model_dir: Path) -> bool:
    """Tell whether CTranslate2 itself appends ``</s>`` to the source (its config.json says)."""
    try:
        config = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{model_dir}: unreadable config.json ({exc})") from exc
    return isinstance(config, dict) and bool(config.get("add_source_eos"))
