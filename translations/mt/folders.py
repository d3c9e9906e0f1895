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
- ``single``: one ``sentencepiece.model`` (or ``spm.model``) for both sides;
- ``nllb`` / ``m2m100``: one ``sentencepiece.bpe.model`` and a vocabulary with language tokens
  (``eng_Latn`` or ``__en__``): a many-to-many model, installed once for the pairs a center
  names (``install_multilingual``) and loaded once for all of them (translations.mt.multilingual).
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import ctranslate2
import sentencepiece as spm

from translations.mt import multilingual, packages
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
    # A many-to-many model's vocabulary, read once to tell its flavour (else empty).
    vocabulary: frozenset[str] = frozenset()


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
    for name in _MULTILINGUAL:
        if (folder / name).is_file():
            vocabulary = frozenset(multilingual.vocabulary(folder))
            kind = multilingual.flavour(vocabulary)
            if kind is None:
                raise ModelError(
                    f"{folder}: has {name} but its vocabulary holds no language tokens "
                    "of NLLB (such as eng_Latn) or M2M-100 (such as __en__)"
                )
            return Layout(kind, folder / name, folder / name, vocabulary)
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
    if layout.name in multilingual.FLAVOURS:
        installed = install_multilingual(
            folder, packages_dir, [(from_code, to_code)], version=version
        )
        return installed[0]
    meta = packages.check_metadata(
        {"from_code": from_code, "to_code": to_code, "package_version": version}, str(folder)
    )
    _check_sentencepiece(layout)
    packages_dir.mkdir(parents=True, exist_ok=True)
    staging = packages_dir / f".staging-{uuid.uuid4().hex}"
    try:
        _copy_model(folder, layout, staging)
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
        packages.write_metadata(staging, metadata)
        return packages.swap_in(staging, metadata, f"{KIND}-{from_code}_{to_code}-", packages_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def install_multilingual(
    folder: Path,
    packages_dir: Path,
    pairs: Sequence[tuple[str, str]],
    *,
    version: str = "1.0",
) -> list[InstalledPackage]:
    """Install an NLLB / M2M-100 folder once, for the given (from, to) pairs.

    The same model of the same version installed again only adds pairs (nothing is
    copied); a newer version replaces the older and keeps its pairs; an older one is
    refused. Every pair's language tokens must be in the model's vocabulary.
    """
    layout = detect(folder)
    if layout.name not in multilingual.FLAVOURS:
        raise ModelError(f"{folder}: a {layout.name} folder translates one pair; give one --to")
    _check_pairs(pairs, version, folder)
    _check_sentencepiece(layout)
    kind = layout.name
    packages_dir.mkdir(parents=True, exist_ok=True)
    with packages.lock():
        current = [p for p in packages.list_installed(packages_dir) if p.kind == kind]
        old = current[0].path if current else None
        old_meta = packages.read_metadata(old) if old else {}
        old_version = packages.version_key(old_meta.get("package_version", "0"))
        if old is not None and old_version > packages.version_key(version):
            raise ModelError(
                f"{kind} {old_meta['package_version']} is already installed, a newer version"
            )
        wanted = list(dict.fromkeys([*map(tuple, old_meta.get("pairs", [])), *pairs]))
        metadata = {
            "type": "translate",
            "package_version": version,
            "argos_version": "",
            "tagengo_kind": kind,
            "tagengo_layout": kind,
            "pairs": [list(pair) for pair in wanted],
            "language_tokens": _tokens(kind, wanted, layout.vocabulary, folder),
        }
        if old is not None and old_version == packages.version_key(version):
            if _model_size(old / "model") != _model_size(Path(folder)):
                raise ModelError(
                    f"another {kind} model of version {version} is installed; "
                    "give this one a higher --version"
                )
            packages.write_metadata(old, metadata)  # the same model: more pairs
            return [p for p in packages.list_installed(packages_dir) if p.path == old]
        staging = packages_dir / f".staging-{uuid.uuid4().hex}"
        try:
            _copy_model(folder, layout, staging)
            packages.write_metadata(staging, metadata)
            target = packages_dir / f"{kind}-{version.replace('.', '_')}"
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return [p for p in packages.list_installed(packages_dir) if p.path == target]


def _check_pairs(pairs: Sequence[tuple[str, str]], version: str, folder: Path) -> None:
    """Refuse no pairs, a bad code or version, and a language paired with itself."""
    if not pairs:
        raise ModelError("name at least one pair, e.g. --from ja --to tl,ne")
    for from_code, to_code in pairs:
        packages.check_metadata(
            {"from_code": from_code, "to_code": to_code, "package_version": version}, str(folder)
        )
        if from_code == to_code:
            raise ModelError(f"{from_code}→{to_code}: the same language on both sides")


def _check_sentencepiece(layout: Layout) -> None:
    """Refuse a folder whose SentencePiece model(s) do not load."""
    for piece_model in dict.fromkeys((layout.source_spm, layout.target_spm)):
        try:
            spm.SentencePieceProcessor(model_file=str(piece_model))
        except (OSError, RuntimeError) as exc:
            raise ModelError(f"{piece_model}: not a SentencePiece model ({exc})") from exc


def _tokens(
    kind: str, pairs: Sequence[tuple[str, ...]], vocabulary: frozenset[str], folder: Path
) -> dict[str, str]:
    """Return the language token of every code in the pairs, checked against the vocabulary."""
    tokens = {}
    for code in dict.fromkeys(code for pair in pairs for code in pair):
        tokens[code] = multilingual.token(kind, code)
        if tokens[code] not in vocabulary:
            raise ModelError(f"{folder}: the model has no {tokens[code]} token for {code!r}")
    return tokens


def _model_size(folder: Path) -> int:
    """Return the size of a folder's model.bin (how a reinstall tells the same model)."""
    try:
        return (folder / "model.bin").stat().st_size
    except OSError:
        return -1


def _copy_model(folder: Path, layout: Layout, staging: Path) -> None:
    """Copy the model files and the (source) SentencePiece model into a staging folder."""
    (staging / "model").mkdir(parents=True)
    for file in sorted(Path(folder).iterdir()):
        if file.is_file() and _MODEL_FILE.match(file.name):
            shutil.copy2(file, staging / "model" / file.name)
    shutil.copy2(layout.source_spm, staging / SOURCE_SPM)
