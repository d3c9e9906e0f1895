"""Install, list and remove Argos ``.argosmodel`` packages in a folder the caller owns.

Argos's own package module keeps one global folder chosen from environment variables at
import time; Tagengo keeps its packages wherever its config says, so this module reads and
writes package folders directly and never touches ``argostranslate.settings``.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import stat
import threading
import urllib.error
import urllib.request
import uuid
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from translations.mt.errors import ModelError

# One install or removal at a time per process: two would race on the same folder names.
_lock = threading.Lock()
_CODE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
_VERSION = re.compile(r"^\d+(?:\.\d+)*$")
# A real package is about 100 MB installed; anything this big is not one.
_MAX_UNPACKED_BYTES = 4 * 1024**3
DEFAULT_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
_OFFLINE_HINT = "offline? install .argosmodel files with `tagengo models install`"


@dataclass(frozen=True)
class InstalledPackage:
    """One installed translation package."""

    from_code: str
    to_code: str
    package_version: str
    argos_version: str
    path: Path
    size_bytes: int
    # "argos" (.argosmodel), "ct2" (a pair's model folder) or a many-to-many model folder,
    # "nllb" or "m2m100", whose one model serves several pairs (translations.mt.folders).
    kind: str = "argos"
    # A many-to-many model's language tokens for this pair (source, target); None otherwise.
    tokens: tuple[str, str] | None = None

    @property
    def label(self) -> str:
        """Return the short name used in results and logs, e.g. ``zh→en 1.9``."""
        suffix = "" if self.kind == "argos" else f" ({self.kind})"
        return f"{self.from_code}→{self.to_code} {self.package_version}{suffix}"

    @property
    def model_key(self) -> tuple[Path, str, int]:
        """Return what identifies the loaded model: the pairs of one folder share it."""
        return (self.path, self.package_version, self.size_bytes)

    @property
    def model_label(self) -> str:
        """Return the model's name in logs: the pair's label, or ``nllb 1.0`` for all pairs."""
        return f"{self.kind} {self.package_version}" if self.tokens else self.label

    def metadata(self) -> dict[str, Any]:
        """Return the package's metadata.json."""
        return _read_metadata(self.path)


def version_key(version: str) -> tuple[int, ...]:
    """Return a sortable key for a package version such as ``1.9`` or ``1.0.2``."""
    if not _VERSION.match(version):
        raise ModelError(f"package_version {version!r} is not a dotted number such as 1.9")
    return tuple(int(part) for part in version.split("."))


def list_installed(packages_dir: Path) -> list[InstalledPackage]:
    """Return the packages installed in ``packages_dir``, skipping unreadable folders."""
    if not packages_dir.is_dir():
        return []
    found = []
    for folder in sorted(packages_dir.iterdir()):
        if folder.name.startswith(".") or not folder.is_dir():
            continue  # staging folders and stray files
        try:
            found.extend(_describe_all(folder))
        except ModelError:
            continue  # a half-copied or foreign folder must not hide the good ones
    return sorted(found, key=lambda p: (p.from_code, p.to_code, version_key(p.package_version)))


def find(
    packages_dir: Path, from_code: str, to_code: str, kind: str = "argos"
) -> InstalledPackage | None:
    """Return the newest installed package of a kind for a pair, or None."""
    matches = [
        p
        for p in list_installed(packages_dir)
        if (p.from_code, p.to_code, p.kind) == (from_code, to_code, kind)
    ]
    return matches[-1] if matches else None


def install(archive: Path, packages_dir: Path) -> InstalledPackage:
    """Install an ``.argosmodel`` file, replacing an older version of the same pair."""
    archive = Path(archive)
    if not archive.is_file():
        raise ModelError(f"{archive}: no such file")
    if not zipfile.is_zipfile(archive):
        raise ModelError(f"{archive}: not an .argosmodel file (it is not a zip archive)")
    packages_dir.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(archive) as zf:
            root, meta = _inspect(zf, archive)
            with _lock:
                return _install_locked(zf, root, meta, archive, packages_dir)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError) as exc:
        raise ModelError(f"{archive}: damaged archive ({exc})") from exc


def remove(packages_dir: Path, from_code: str, to_code: str) -> InstalledPackage:
    """Remove every installed version of a pair and return the newest one removed.

    A many-to-many model folder only stops serving the pair; it goes with its last pair.
    """
    with _lock:
        matches = [
            p
            for p in list_installed(packages_dir)
            if (p.from_code, p.to_code) == (from_code, to_code)
        ]
        if not matches:
            raise ModelError(f"no package for {from_code}→{to_code} is installed")
        for package in matches:
            meta = _read_metadata(package.path)
            pairs = [p for p in meta.get("pairs") or () if tuple(p) != (from_code, to_code)]
            if package.tokens is not None and pairs:
                write_metadata(package.path, {**meta, "pairs": pairs})
            else:
                shutil.rmtree(package.path)
        return matches[-1]


def lock() -> threading.Lock:
    """Return the lock every install and removal in this process holds."""
    return _lock


def read_metadata(folder: Path) -> dict[str, Any]:
    """Return an installed folder's metadata.json."""
    return _read_metadata(folder)


def write_metadata(folder: Path, meta: dict[str, Any]) -> None:
    """Replace a package's metadata.json at once (readers see the old file or the new)."""
    part = folder / f".metadata-{uuid.uuid4().hex}.json"
    part.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    part.replace(folder / "metadata.json")


def download(
    pairs: Iterable[tuple[str, str]],
    packages_dir: Path,
    index_url: str = DEFAULT_INDEX_URL,
    *,
    timeout: float = 30.0,
) -> list[InstalledPackage]:
    """Fetch the Argos index, then download and install each pair not already up to date."""
    wanted = list(pairs)
    raw = io.BytesIO()
    _fetch(index_url, timeout, f"cannot reach the Argos package index at {index_url}", raw)
    try:
        index = json.loads(raw.getvalue().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"the Argos package index at {index_url} is not valid JSON") from exc
    if not isinstance(index, list):
        raise ModelError(f"the Argos package index at {index_url} is not a list of packages")
    installed = []
    for from_code, to_code in wanted:
        entry = _newest_entry(index, from_code, to_code)
        if entry is None:
            raise ModelError(f"the Argos package index has no {from_code}→{to_code} package")
        current = find(packages_dir, from_code, to_code)
        newest = version_key(str(entry["package_version"]))
        if current and version_key(current.package_version) >= newest:
            installed.append(current)
            continue
        installed.append(_download_one(entry, packages_dir, timeout))
    return installed


def _newest_entry(index: list[Any], from_code: str, to_code: str) -> dict[str, Any] | None:
    """Return the index entry with the highest version for a pair."""
    entries = []
    for entry in index:
        try:
            _check_metadata(entry, "index")
        except ModelError:
            continue  # the index also lists sentence-splitter packages and odd entries
        links = entry.get("links")
        if (entry["from_code"], entry["to_code"]) == (from_code, to_code) and (
            isinstance(links, list) and links
        ):
            entries.append(entry)
    return max(entries, key=lambda e: version_key(e["package_version"]), default=None)


def _download_one(entry: dict[str, Any], packages_dir: Path, timeout: float) -> InstalledPackage:
    """Download one index entry to a temporary file and install it."""
    packages_dir.mkdir(parents=True, exist_ok=True)
    pair = f"{entry['from_code']}→{entry['to_code']}"
    part = packages_dir / f".download-{uuid.uuid4().hex}.argosmodel"
    errors = []
    try:
        for link in entry["links"]:
            try:
                with open(part, "wb") as sink:
                    _fetch(str(link), timeout, f"cannot download {pair}", sink)
                return install(part, packages_dir)
            except ModelError as exc:
                errors.append(str(exc))
        raise ModelError("; ".join(errors) or f"cannot download {pair}: no links")
    finally:
        part.unlink(missing_ok=True)


def _fetch(url: str, timeout: float, failure: str, sink: BinaryIO) -> None:
    """Copy the body at an http(s) or file URL into ``sink``; fail with the offline hint."""
    if url.split(":", 1)[0].lower() not in {"http", "https", "file"}:
        raise ModelError(f"{failure}: unsupported URL {url!r}")
    request = urllib.request.Request(url, headers={"User-Agent": "Tagengo"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            shutil.copyfileobj(response, sink, 1024 * 1024)
    except (urllib.error.URLError, HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelError(f"{failure} ({reason}); {_OFFLINE_HINT}") from exc


def _install_locked(
    zf: zipfile.ZipFile, root: str, meta: dict[str, str], archive: Path, packages_dir: Path
) -> InstalledPackage:
    """Unpack into a staging folder, then swap it in so readers never see half a package."""
    current = find(packages_dir, meta["from_code"], meta["to_code"])
    if current and version_key(current.package_version) >= version_key(meta["package_version"]):
        raise ModelError(
            f"{archive.name}: {current.label} is already installed; "
            f"remove it first or install a newer version"
        )
    staging = packages_dir / f".staging-{uuid.uuid4().hex}"
    try:
        _extract(zf, root, staging)
        name = f"translate-{meta['from_code']}_{meta['to_code']}-"
        target = packages_dir / (name + meta["package_version"].replace(".", "_"))
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if current:
        shutil.rmtree(current.path, ignore_errors=True)
    return _describe(target)


def swap_in(
    staging: Path, meta: dict[str, str], prefix: str, packages_dir: Path
) -> InstalledPackage:
    """Move a complete staging folder into place, replacing an older package of its kind."""
    with _lock:
        kind = meta.get("tagengo_kind", "argos")
        current = find(packages_dir, meta["from_code"], meta["to_code"], kind)
        if current and version_key(current.package_version) >= version_key(meta["package_version"]):
            raise ModelError(
                f"{current.label} is already installed; remove it first or install a newer version"
            )
        target = packages_dir / (prefix + meta["package_version"].replace(".", "_"))
        staging.rename(target)
        if current:
            shutil.rmtree(current.path, ignore_errors=True)
        return _describe(target)


def check_metadata(meta: object, where: str) -> dict[str, str]:
    """Validate package metadata (codes, version) and return its fields as strings."""
    return _check_metadata(meta, where)


def _inspect(zf: zipfile.ZipFile, archive: Path) -> tuple[str, dict[str, str]]:
    """Check every member is safe and return the package root and its metadata."""
    total = 0
    for info in zf.infolist():
        parts = PurePosixPath(info.filename).parts
        if (
            info.filename.startswith("/")
            or "\\" in info.filename
            or ".." in parts
            or (parts and ":" in parts[0])
        ):
            raise ModelError(f"{archive.name}: refusing unsafe path {info.filename!r}")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ModelError(f"{archive.name}: refusing symbolic link {info.filename!r}")
        total += info.file_size
    if total > _MAX_UNPACKED_BYTES:
        raise ModelError(f"{archive.name}: unpacks to {total} bytes, too big for a package")
    names = set(zf.namelist())
    roots = sorted(n[: -len("metadata.json")] for n in names if _is_root_metadata(n))
    if not roots:
        raise ModelError(f"{archive.name}: no metadata.json, so not an Argos package")
    if len(roots) > 1:
        raise ModelError(f"{archive.name}: holds several packages ({', '.join(roots)})")
    root = roots[0]
    try:
        meta = json.loads(zf.read(root + "metadata.json").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{archive.name}: metadata.json is not valid JSON ({exc})") from exc
    checked = _check_metadata(meta, archive.name)
    if root + "model/model.bin" not in names:
        raise ModelError(f"{archive.name}: no CTranslate2 model (model/model.bin)")
    if root + "sentencepiece.model" not in names:
        raise ModelError(
            f"{archive.name}: no sentencepiece.model; only SentencePiece packages are supported"
        )
    return root, checked


def _is_root_metadata(name: str) -> bool:
    """Tell whether a member is metadata.json at the top or one folder down."""
    parts = PurePosixPath(name).parts
    return parts[-1:] == ("metadata.json",) and len(parts) <= 2


def _check_metadata(meta: object, where: str) -> dict[str, str]:
    """Validate the fields Tagengo relies on and return them as strings."""
    if not isinstance(meta, dict):
        raise ModelError(f"{where}: metadata.json must hold a JSON object")
    if meta.get("type", "translate") != "translate":
        raise ModelError(f"{where}: a {meta.get('type')!r} package, not a translation package")
    out: dict[str, str] = {}
    for key in ("from_code", "to_code", "package_version"):
        value = meta.get(key)
        if not isinstance(value, str) or not value:
            raise ModelError(f"{where}: metadata.json lacks {key}")
        out[key] = value
    for key in ("from_code", "to_code"):
        if not _CODE.match(out[key]):
            raise ModelError(f"{where}: {key} {out[key]!r} is not a language code")
    version_key(out["package_version"])
    out["argos_version"] = str(meta.get("argos_version", ""))
    return out


def _extract(zf: zipfile.ZipFile, root: str, dest: Path) -> None:
    """Copy the members under ``root`` into ``dest``."""
    dest.mkdir()
    base = dest.resolve()
    for info in zf.infolist():
        if not info.filename.startswith(root) or info.filename == root:
            continue  # e.g. __MACOSX/ entries beside the package folder
        target = (dest / info.filename[len(root) :]).resolve()
        if not target.is_relative_to(base):
            raise ModelError(f"refusing unsafe path {info.filename!r}")
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, 1024 * 1024)


def _read_metadata(folder: Path) -> dict[str, Any]:
    """Return a folder's metadata.json as a dict."""
    try:
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{folder}: unreadable metadata.json ({exc})") from exc
    if not isinstance(meta, dict):
        raise ModelError(f"{folder}: metadata.json must hold a JSON object")
    return meta


def _describe(folder: Path) -> InstalledPackage:
    """Return the InstalledPackage for an installed folder of one pair."""
    found = _describe_all(folder)
    if len(found) != 1:
        raise ModelError(f"{folder}: serves {len(found)} pairs, not one")
    return found[0]


def _describe_all(folder: Path) -> list[InstalledPackage]:
    """Return an installed folder's packages: one, or one per pair of a many-to-many model."""
    raw = _read_metadata(folder)
    # The model's files only: adding or removing a pair of a many-to-many model rewrites its
    # metadata.json, and must not look like another model (model_key) to a running engine.
    size = sum(
        f.stat().st_size
        for f in folder.rglob("*")
        if f.is_file() and f.name != "metadata.json" and not f.name.startswith(".metadata-")
    )
    served: list[tuple[dict[str, str], tuple[str, str] | None]] = []
    if "pairs" not in raw:
        served.append((_check_metadata(raw, str(folder)), None))
    else:
        pairs, tokens = raw.get("pairs"), raw.get("language_tokens")
        if not isinstance(pairs, list) or not pairs or not isinstance(tokens, dict):
            raise ModelError(f"{folder}: metadata.json needs a list of pairs and language_tokens")
        for pair in pairs:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise ModelError(f"{folder}: a pair must be [from, to], got {pair!r}")
            where = f"{folder} ({pair[0]}→{pair[1]})"
            meta = _check_metadata({**raw, "from_code": pair[0], "to_code": pair[1]}, where)
            source, target = tokens.get(pair[0]), tokens.get(pair[1])
            if not isinstance(source, str) or not isinstance(target, str):
                raise ModelError(f"{where}: no language token for {pair[0]} or {pair[1]}")
            served.append((meta, (source, target)))
    return [
        InstalledPackage(
            from_code=meta["from_code"],
            to_code=meta["to_code"],
            package_version=meta["package_version"],
            argos_version=meta["argos_version"],
            path=folder,
            size_bytes=size,
            kind=str(raw.get("tagengo_kind") or "argos"),
            tokens=tokens,
        )
        for meta, tokens in served
    ]
