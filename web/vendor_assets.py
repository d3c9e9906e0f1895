"""Vendor the board's browser assets (Socket.IO client, Noto fonts) from npm.

A maintainer tool, never imported or run by the app: shelters have no internet,
so every script and font a page needs is committed under ``web/static/vendor/``.
This script rebuilds those files from the npm registry at the versions pinned
below, so an update is: bump ``PINS``, run it, review the diff, update README.md.

    python web/vendor_assets.py            # fetch with `npm pack`, rewrite files
    python web/vendor_assets.py --verify   # offline: check files against SHA256SUMS

Only the stdlib and the ``npm`` command are needed.  Hand-written files in the
vendor folder (README.md, font-stack.txt) are left alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Bump a version here, run the script, then update the table in vendor/README.md.
PINS: dict[str, str] = {
    "socket.io-client": "4.8.4",
    "@fontsource/noto-sans": "5.3.0",
    "@fontsource/noto-sans-jp": "5.3.0",
    "@fontsource/noto-sans-sc": "5.3.0",
    "@fontsource/noto-sans-tc": "5.3.0",
    "@fontsource/noto-sans-kr": "5.3.0",
    "@fontsource/noto-sans-thai": "5.3.0",
    "@fontsource/noto-sans-devanagari": "5.3.0",
    "@fontsource/noto-sans-myanmar": "5.3.0",
}

# Bold is kept even for CJK: all eight families at two weights stay near 20 MB.
WEIGHTS: tuple[int, ...] = (400, 700)

# Subsets per font package; None keeps every subset the package declares.
# Noto Sans is the Latin face; Devanagari etc. come from their own family.  The
# Thai/Devanagari/Myanmar "latin" subsets are sparse stubs whose wide ranges would
# only cost wasted downloads ahead of the CJK fonts, so only their script is kept.
# CJK families keep their Latin subsets so a `:lang(ja)` rule can put JP first.
FONT_SUBSETS: dict[str, tuple[str, ...] | None] = {
    "@fontsource/noto-sans": ("latin", "latin-ext", "vietnamese"),
    "@fontsource/noto-sans-jp": None,
    "@fontsource/noto-sans-sc": None,
    "@fontsource/noto-sans-tc": None,
    "@fontsource/noto-sans-kr": None,
    "@fontsource/noto-sans-thai": ("thai",),
    "@fontsource/noto-sans-devanagari": ("devanagari",),
    "@fontsource/noto-sans-myanmar": ("myanmar",),
}

SOCKETIO_FILES: dict[str, str] = {
    "package/dist/socket.io.min.js": "socket.io.min.js",
    "package/LICENSE": "LICENSE",
}

# Paths in the vendor folder this script owns; the rest there is hand-written.
ASSETS: tuple[str, ...] = ("socket.io", "fonts", "fonts.css")
GENERATED: tuple[str, ...] = (*ASSETS, "SHA256SUMS")
DEFAULT_DEST = Path(__file__).resolve().parent / "static" / "vendor"
FACE_RE = re.compile(r"@font-face\s*\{(?P<body>[^}]*)\}")
WOFF2_RE = re.compile(r"url\(\./files/(?P<name>[^)]+\.woff2)\)")


@dataclass(frozen=True)
class Face:
    """One @font-face rule: a woff2 file covering one unicode-range subset."""

    family: str
    style: str
    weight: int
    folder: str
    filename: str
    unicode_range: str | None


def npm_pack(spec: str, workdir: Path) -> Path:
    """Download one package tarball from the registry with `npm pack`."""
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is not on PATH; install Node.js to refresh vendored assets")
    # --ignore-scripts: we only want the published files, never to run their code.
    cmd = [npm, "pack", spec, "--json", "--ignore-scripts", "--pack-destination", str(workdir)]
    result = subprocess.run(cmd, check=True, capture_output=True, text=True)
    info = json.loads(result.stdout)[0]
    print(f"  {info['id']}  {info['integrity']}")
    return workdir / str(info["filename"])


def read_members(tarball: Path, wanted: re.Pattern[str]) -> dict[str, bytes]:
    """Read the tar members whose names match, in one streaming pass."""
    # Streaming mode: random access into an 80 MB .tgz would re-inflate it per file.
    found: dict[str, bytes] = {}
    with tarfile.open(tarball, "r|gz") as tar:
        for member in tar:
            if member.isfile() and wanted.fullmatch(member.name):
                handle = tar.extractfile(member)
                assert handle is not None
                found[member.name] = handle.read()
    return found


def parse_faces(css: str, font_id: str, weight: int) -> list[tuple[str, Face]]:
    """Return (subset, face) for every woff2 @font-face in a fontsource CSS file."""
    faces: list[tuple[str, Face]] = []
    for match in FACE_RE.finditer(css):
        props = dict(
            (key.strip(), value.strip())
            for key, _, value in (d.partition(":") for d in match["body"].split(";"))
            if key.strip()
        )
        woff2 = WOFF2_RE.search(props["src"])
        if woff2 is None:
            continue
        name = woff2["name"]
        subset = name.removeprefix(f"{font_id}-").removesuffix(f"-{weight}-normal.woff2")
        face = Face(
            family=props["font-family"].strip("'\""),
            style=props.get("font-style", "normal"),
            weight=int(props.get("font-weight", weight)),
            folder=font_id,
            filename=name,
            unicode_range=props.get("unicode-range"),
        )
        faces.append((subset, face))
    return faces


def render_face(face: Face) -> str:
    """Render one @font-face rule with a url relative to vendor/fonts.css."""
    lines = [
        "@font-face {",
        f"  font-family: '{face.family}';",
        f"  font-style: {face.style};",
        "  font-display: swap;",
        f"  font-weight: {face.weight};",
        f"  src: url('fonts/{face.folder}/{face.filename}') format('woff2');",
    ]
    if face.unicode_range:
        lines.append(f"  unicode-range: {face.unicode_range};")
    lines.append("}")
    return "\n".join(lines)


def vendor_font(package: str, tarball: Path, stage: Path) -> list[Face]:
    """Copy one font package's woff2 files and licence; return its faces in CSS order."""
    font_id = package.removeprefix("@fontsource/")
    weights = "|".join(str(w) for w in WEIGHTS)
    members = read_members(
        tarball,
        re.compile(rf"package/(LICENSE|({weights})\.css|files/[^/]+-({weights})-normal\.woff2)"),
    )
    folder = stage / "fonts" / font_id
    folder.mkdir(parents=True)
    (folder / "LICENSE").write_bytes(members["package/LICENSE"])
    allowed = FONT_SUBSETS[package]
    kept: list[Face] = []
    for weight in WEIGHTS:
        faces = parse_faces(members[f"package/{weight}.css"].decode(), font_id, weight)
        subsets = {subset for subset, _ in faces}
        missing = set(allowed or ()) - subsets
        if missing:
            sys.exit(f"{package}@{PINS[package]} has no subset(s) {sorted(missing)}")
        # Keep the package's declaration order: later faces win where ranges overlap.
        for subset, face in faces:
            if allowed is None or subset in allowed:
                (folder / face.filename).write_bytes(members[f"package/files/{face.filename}"])
                kept.append(face)
    return kept


def vendor_socketio(tarball: Path, stage: Path) -> None:
    """Copy the minified Socket.IO browser client and its licence."""
    members = read_members(tarball, re.compile("|".join(map(re.escape, SOCKETIO_FILES))))
    banner = f"Socket.IO v{PINS['socket.io-client']}"
    if banner.encode() not in members["package/dist/socket.io.min.js"][:200]:
        sys.exit(f"socket.io.min.js does not announce itself as {banner}")
    folder = stage / "socket.io"
    folder.mkdir()
    for member, target in SOCKETIO_FILES.items():
        (folder / target).write_bytes(members[member])


def write_stylesheet(faces: list[Face], stage: Path) -> None:
    """Write the single fonts.css that declares every vendored face."""
    fonts = ", ".join(f"{p}@{v}" for p, v in PINS.items() if p.startswith("@fontsource/"))
    header = (
        "/* Generated by web/vendor_assets.py from npm packages; do not edit by hand.\n"
        f" * {fonts}\n"
        " * Fonts: SIL Open Font License 1.1, see fonts/<family>/LICENSE. */\n"
    )
    rules = "\n\n".join(render_face(face) for face in faces)
    (stage / "fonts.css").write_text(header + "\n" + rules + "\n", encoding="utf-8")


def generated_files(root: Path) -> list[Path]:
    """List the generated files under root (SHA256SUMS itself excluded), sorted."""
    paths: list[Path] = []
    for name in ASSETS:
        target = root / name
        if target.is_dir():
            paths.extend(p for p in target.rglob("*") if p.is_file())
        elif target.is_file():
            paths.append(target)
    return sorted(paths, key=lambda p: p.relative_to(root).as_posix())


def write_sums(stage: Path) -> int:
    """Write SHA256SUMS (sha256sum -c format) and return the total size in bytes."""
    lines, total = [], 0
    for path in generated_files(stage):
        data = path.read_bytes()
        total += len(data)
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {path.relative_to(stage).as_posix()}")
    (stage / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return total


def verify(dest: Path) -> int:
    """Check vendored files against SHA256SUMS; return a process exit code."""
    expected: dict[str, str] = {}
    for line in (dest / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, _, rel = line.partition("  ")
        expected[rel] = digest
    actual = {p.relative_to(dest).as_posix(): p for p in generated_files(dest)}
    problems = [f"missing: {rel}" for rel in expected if rel not in actual]
    problems += [f"unlisted: {rel}" for rel in actual if rel not in expected]
    problems += [
        f"changed: {rel}"
        for rel, path in actual.items()
        if rel in expected and hashlib.sha256(path.read_bytes()).hexdigest() != expected[rel]
    ]
    for problem in problems:
        print(problem)
    print(f"{len(expected)} files listed, {len(problems)} problem(s)")
    return 1 if problems else 0


def refresh(dest: Path) -> None:
    """Fetch every pinned package and replace the generated files under dest."""
    with tempfile.TemporaryDirectory(prefix="tagengo-vendor-") as tmp:
        work, stage = Path(tmp) / "npm", Path(tmp) / "stage"
        work.mkdir()
        stage.mkdir()
        faces: list[Face] = []
        for package, version in PINS.items():
            tarball = npm_pack(f"{package}@{version}", work)
            if package == "socket.io-client":
                vendor_socketio(tarball, stage)
            else:
                faces.extend(vendor_font(package, tarball, stage))
            tarball.unlink()  # CJK tarballs are ~80 MB each; do not hoard them.
        write_stylesheet(faces, stage)
        total = write_sums(stage)
        # Swap in only after every download succeeded, so a failure leaves the old set.
        dest.mkdir(parents=True, exist_ok=True)
        for name in GENERATED:
            old = dest / name
            if old.is_dir():
                shutil.rmtree(old)
            else:
                old.unlink(missing_ok=True)
            shutil.move(stage / name, old)
    print(f"{len(faces)} @font-face rules, {total / 1e6:.1f} MB written to {dest}")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and refresh or verify the vendored assets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="vendor folder")
    parser.add_argument("--verify", action="store_true", help="check files offline")
    args = parser.parse_args(argv)
    if args.verify:
        return verify(args.dest)
    refresh(args.dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
