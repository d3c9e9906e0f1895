"""Render an HTML report as PDF with WeasyPrint, shaping every script with the vendored fonts.

WeasyPrint (Pango and HarfBuzz underneath) shapes Thai, Burmese, Devanagari and CJK. The
vendored fonts.css declares hundreds of unicode-range slices; loading them all takes minutes,
so only the slices that hold a character of the document are given to the engine, as a
browser would fetch them, and each WOFF2 slice is decompressed once into a TrueType file
cache. Each slice gets a family name of its own (its weights share it): WeasyPrint embeds
one font per family and weight, so slices sharing a name would mix up their glyphs. Nothing
is fetched from the network: only file: URLs are allowed.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

_FACE = re.compile(r"@font-face\s*\{(.*?)\}", re.S)
_RANGE = re.compile(r"unicode-range:\s*([^;]+);")
_WEIGHT = re.compile(r"font-weight:\s*(\d+)")
_FAMILY = re.compile(r"font-family:\s*'([^']+)'")
_LANG_ATTR = re.compile(r'\blang="([A-Za-z-]{2,20})"')
# web/static/vendor/font-stack.txt: the order a character's font is looked for, and the CJK
# family a language's text puts first (a kanji is drawn the Japanese, Chinese or Korean way).
FONT_STACK = (
    "Noto Sans",
    "Noto Sans Thai",
    "Noto Sans Devanagari",
    "Noto Sans Myanmar",
    "Noto Sans JP",
    "Noto Sans KR",
    "Noto Sans SC",
    "Noto Sans TC",
)
LANG_FONT = {
    "ja": "Noto Sans JP",
    "ko": "Noto Sans KR",
    "zh-Hans": "Noto Sans SC",
    "zh-Hant": "Noto Sans TC",
}


@dataclass(frozen=True)
class FontFace:
    """One @font-face block of fonts.css and the code points its file holds."""

    css: str
    family: str
    weight: int
    ranges: tuple[tuple[int, int], ...]

    def held(self, codepoints: list[int]) -> set[int]:
        """Return which of ``codepoints`` (sorted) the file holds."""
        out: set[int] = set()
        for lo, hi in self.ranges:
            out.update(
                codepoints[bisect.bisect_left(codepoints, lo) : bisect.bisect_right(codepoints, hi)]
            )
        return out


def _parse_range(text: str) -> tuple[tuple[int, int], ...]:
    out = []
    for part in text.split(","):
        part = part.strip().removeprefix("U+").removeprefix("u+")
        lo, _, hi = part.partition("-")
        if "?" in lo:  # U+4?? is the range 400-4FF
            out.append((int(lo.replace("?", "0"), 16), int(lo.replace("?", "F"), 16)))
        else:
            out.append((int(lo, 16), int(hi or lo, 16)))
    return tuple(out)


@functools.cache
def font_faces(fonts_css: Path) -> tuple[FontFace, ...]:
    """Parse the vendored fonts.css once."""
    faces = []
    for body in _FACE.findall(fonts_css.read_text(encoding="utf-8")):
        weight = _WEIGHT.search(body)
        ranges = _RANGE.search(body)
        family = _FAMILY.search(body)
        faces.append(
            FontFace(
                css="@font-face {" + body + "}",
                family=family.group(1) if family else "",
                weight=int(weight.group(1)) if weight else 400,
                ranges=_parse_range(ranges.group(1)) if ranges else ((0, 0x10FFFF),),
            )
        )
    return tuple(faces)


_WOFF2 = re.compile(r"url\('([^')]+\.woff2)'\)\s*format\('woff2'\)")


def _decompressed(css: str, base: Path, cache: Path) -> str:
    """Point a face at a TrueType copy of its WOFF2 file, made once into ``cache``.

    WeasyPrint decompresses WOFF2 in Python on every use (about half a second a slice, and a
    poster of five scripts needs a couple of hundred slices); a TrueType file loads at once.
    """
    match = _WOFF2.search(css)
    if match is None:
        return css
    source = base / match[1]
    target = cache / (match[1].removesuffix(".woff2").replace("/", "_") + ".ttf")
    if not target.exists():
        from fontTools.ttLib import woff2

        cache.mkdir(parents=True, exist_ok=True)
        out = io.BytesIO()
        with source.open("rb") as compressed:
            woff2.decompress(compressed, out)
        partial = target.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(out.getvalue())
        os.replace(partial, target)  # another process may write the same file: either wins
    return css.replace(match[0], f"url('{target.resolve().as_uri()}') format('truetype')")


def default_font_cache(vendor_dir: Path) -> Path:
    """A folder of decompressed fonts shared by every process of this machine."""
    key = hashlib.sha256(str(vendor_dir.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"tagengo-fonts-{key}"


def _wanted(faces: tuple[FontFace, ...], codepoints: list[int], langs: set[str]) -> set[int]:
    """Pick the faces a character is drawn with: the first family of the font stack holding
    it, and the CJK family a ``lang`` of the document puts first. Loading every slice whose
    range holds a kanji (JP, KR, SC and TC alike) would quadruple the fonts to load."""
    held = [face.held(codepoints) for face in faces]
    families = list(dict.fromkeys([*FONT_STACK, *(f.family for f in faces)]))
    wanted: set[int] = set()
    claimed: set[int] = set()
    for family in families:
        mine = [i for i, face in enumerate(faces) if face.family == family]
        wanted.update(i for i in mine if held[i] - claimed)
        claimed.update(*(held[i] for i in mine))
    for lang, family in LANG_FONT.items():
        if lang in langs:
            wanted.update(i for i, f in enumerate(faces) if f.family == family and held[i])
    return wanted


def faces_for(
    text: str, fonts_css: Path, font_cache: Path | None = None, langs: Iterable[str] = ()
) -> tuple[str, dict[str, list[str]]]:
    """The @font-face rules of the slices that draw ``text``, each under its own family
    name, and the slice names that stand for each family of fonts.css."""
    codepoints = sorted({ord(c) for c in text if ord(c) > 0x20})
    faces = font_faces(fonts_css)
    rules = []
    slices: dict[str, list[str]] = {}
    names: dict[tuple[str, tuple[tuple[int, int], ...]], str] = {}
    for index in sorted(_wanted(faces, codepoints, set(langs))):
        face = faces[index]
        # One name per slice, shared by its weights: a bold slice under a name of its own
        # would come after the regular one in the stack and bold text would print regular.
        name = names.setdefault((face.family, face.ranges), f"{face.family} {index}")
        css = face.css.replace(f"'{face.family}'", f"'{name}'", 1)
        if font_cache is not None:
            css = _decompressed(css, fonts_css.parent, font_cache)
        rules.append(css)
        if name not in slices.setdefault(face.family, []):
            slices[face.family].append(name)
    return "\n".join(rules), slices


def expand_families(stylesheet: str, slices: dict[str, list[str]]) -> str:
    """Replace each quoted family of fonts.css in a stylesheet by its slices' names."""
    for family, names in sorted(slices.items(), key=lambda kv: -len(kv[0])):
        stylesheet = stylesheet.replace(f'"{family}"', ", ".join(f'"{n}"' for n in names))
    return stylesheet


def layout(html: str, vendor_dir: Path, stylesheet: str = "") -> Document:
    """Lay out an HTML document in pages (fonts from ``vendor_dir``/fonts.css), not yet PDF."""
    fonts_css = vendor_dir / "fonts.css"
    config = FontConfiguration()
    fetcher = URLFetcher(allowed_protocols={"file"})
    base = vendor_dir.resolve().as_uri() + "/"
    langs = {m.split("-")[0] if m.startswith("ja") else m for m in _LANG_ATTR.findall(html)}
    faces, slices = faces_for(
        html + stylesheet, fonts_css, default_font_cache(vendor_dir), langs | {"ja"}
    )
    css = [CSS(string=faces, base_url=base, font_config=config, url_fetcher=fetcher)]
    if stylesheet:
        css.append(
            CSS(
                string=expand_families(stylesheet, slices),
                font_config=config,
                url_fetcher=fetcher,
            )
        )
    document = HTML(string=html, base_url=base, url_fetcher=fetcher)
    return document.render(stylesheets=css, font_config=config)


def render(html: str, vendor_dir: Path, stylesheet: str = "") -> bytes:
    """Return the PDF of an HTML document; fonts come from ``vendor_dir``/fonts.css."""
    return bytes(layout(html, vendor_dir, stylesheet).write_pdf())


def join(documents: list[Document]) -> bytes:
    """Return one PDF holding the pages of several laid-out documents, in order."""
    pages = [page for document in documents for page in document.pages]
    return bytes(documents[0].copy(pages).write_pdf())
