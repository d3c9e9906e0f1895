"""Install a CTranslate2 model folder with its SentencePiece model(s), beside Argos packages.

Centers that prepare better models than the Argos index offers (OPUS-MT/Marian conversions,
quickmt folders) bring a folder made by a CTranslate2 converter: ``model.bin``, its config and
vocabularies, and one SentencePiece model or a source/target pair. This module recognises the
layout, checks it, and copies it into the packages folder as an installed package of kind
``ct2`` that the engine loads like an Argos one (with a separate target SentencePiece model
when there is one).

Layouts recognised (first match wins):

- ``marian``: ``source.spm`` and ``target.spm`` (``ct2-transformers-converter`` on an OPUS-MT
  ``Helsinki-NLP/opus-mt-*`` model, after copying its two .spm files next to ``model.bin``);
- ``quickmt``: ``src.spm.model`` and ``tgt.spm.model``;
- ``single``: one ``sentencepiece.model`` (or ``spm.model``) for both sides.

NLLB and M2M-100 folders, which need language tokens around every sentence, are not
recognised yet: installing one fails with a message saying so.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import ctranslate2
import sentencepiece as spm

from translations.mt import packages
from translations.mt.errors import ModelError
from translations.mt.packages import InstalledPackage

KIND = "ct2"
_LAYOUTS: tuple[tuple[str, str, str], ...] = (
    ("marian", "source.spm", "target.spm"),
    ("quickmt", "src.spm.model", "tgt.spm.model"),
    ("single", "sentencepiece.model", "sentencepiece.model"),
    ("single", "spm.model", "spm.model"),
)
_MULTILINGUAL = ("sentencepiece.bpe.model",)  # NLLB, M2M-100
_MODEL_FILE = re.compile(r"^(model\.bin|config\.json|[\w.-]*vocabulary[\w.-]*\.(?:json|txt))$")
SOURCE_SPM = "sentencepiece.model"
TARGET_SPM = "target.sentencepiece.model"


@dataclass(frozen=True)
class Layout:
    """What a model folder holds."""

    name: str
    source_spm: Path
    target_spm: Path


def detect(folder: Path) -> Layout:
    """Return the layout of a CTranslate2 model folder, or raise ModelError saying why not."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelError(f"{folder}: not a folder")
    if not ctranslate2.contains_model(str(folder)):
        raise ModelError(f"{folder}: no CTranslate2 model (model.bin) in it")
    for name, source, target in _LAYOUTS:
        if (folder / source).is_file() and (folder / target).is_file():
            return Layout(name, folder / source, folder / target)
    if any((folder / f).is_file() for f in _MULTILINGUAL):
        raise ModelError(
            f"{folder}: an NLLB/M2M-100 folder (language tokens per sentence); "
            "not supported yet — use a pair-specific model"
        )
    wanted = ", ".join(" + ".join(dict.fromkeys((s, t))) for _, s, t in _LAYOUTS)
    raise ModelError(f"{folder}: no SentencePiece model found (looked for {wanted})")


def install_folder(
    folder: Path,
    packages_dir: Path,
    from_code: str,
    to_code: str,
    *,
    version: str = "1.0",
) -> InstalledPackage:
    """Copy a model folder into ``packages_dir`` as a ``ct2`` package for from→to.

    Replaces an older ``ct2`` package of the same pair; Argos packages of the pair stay, and
    the engine's preference decides which one translates.
    """
    layout = detect(folder)
    meta = packages.check_metadata(
        {"from_code": from_code, "to_code": to_code, "package_version": version}, str(folder)
    )
    for piece_model in {layout.source_spm, layout.target_spm}:
        try:
            spm.SentencePieceProcessor(model_file=str(piece_model))
        except (OSError, RuntimeError) as exc:
            raise ModelError(f"{piece_model}: not a SentencePiece model ({exc})") from exc
    packages_dir.mkdir(parents=True, exist_ok=True)
    staging = packages_dir / f".staging-{uuid.uuid4().hex}"
    try:
        (staging / "model").mkdir(parents=True)
        for file in sorted(Path(folder).iterdir()):
            if file.is_file() and _MODEL_FILE.match(file.name):
                shutil.copy2(file, staging / "model" / file.name)
        shutil.copy2(layout.source_spm, staging / SOURCE_SPM)
        metadata = {
            "type": "translate",
            "package_version": meta["package_version"],
            "argos_version": "",
            "from_code": from_code,
            "to_code": to_code,
            "tagengo_kind": KIND,
            "tagengo_layout": layout.name,
        }
        if layout.target_spm != layout.source_spm:
            shutil.copy2(layout.target_spm, staging / TARGET_SPM)
            metadata["target_spm"] = TARGET_SPM
        (staging / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
        return packages.swap_in(staging, metadata, f"{KIND}-{from_code}_{to_code}-", packages_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
