"""Render an HTML report as PDF with WeasyPrint, shaping every script with the vendored fonts.

WeasyPrint (Pango and HarfBuzz underneath) shapes Thai, Burmese, Devanagari and CJK. The
vendored fonts.css declares hundreds of unicode-range slices; loading them all takes minutes,
so only the slices that hold a character of the document are given to the engine, as a
browser would fetch them. Each slice gets a family name of its own: WeasyPrint embeds one
font per family and weight, so slices sharing a name would mix up their glyphs. Nothing is
fetched from the network: only file: URLs are allowed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

_FACE = re.compile(r"@font-face\s*\{(.*?)\}", re.S)
_RANGE = re.compile(r"unicode-range:\s*([^;]+);")
_WEIGHT = re.compile(r"font-weight:\s*(\d+)")
_FAMILY = re.compile(r"font-family:\s*'([^']+)'")


@dataclass(frozen=True)
class FontFace:
    """One @font-face block of fonts.css and the code points its file holds."""

    css: str
    family: str
    weight: int
    ranges: tuple[tuple[int, int], ...]

    def covers(self, codepoints: frozenset[int]) -> bool:
        return any(lo <= cp <= hi for cp in codepoints for lo, hi in self.ranges)


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


def faces_for(text: str, fonts_css: Path) -> tuple[str, dict[str, list[str]]]:
    """The @font-face rules whose slices hold a character of ``text``, each under its own
    family name, and the slice names that stand for each family of fonts.css."""
    codepoints = frozenset(ord(c) for c in text if ord(c) > 0x20)
    rules = []
    slices: dict[str, list[str]] = {}
    for index, face in enumerate(font_faces(fonts_css)):
        if not face.covers(codepoints):
            continue
        name = f"{face.family} {index}"
        rules.append(face.css.replace(f"'{face.family}'", f"'{name}'", 1))
        slices.setdefault(face.family, []).append(name)
    return "\n".join(rules), slices


def expand_families(stylesheet: str, slices: dict[str, list[str]]) -> str:
    """Replace each quoted family of fonts.css in a stylesheet by its slices' names."""
    for family, names in sorted(slices.items(), key=lambda kv: -len(kv[0])):
        stylesheet = stylesheet.replace(f'"{family}"', ", ".join(f'"{n}"' for n in names))
    return stylesheet


def render(html: str, vendor_dir: Path, stylesheet: str = "") -> bytes:
    """Return the PDF of an HTML document; fonts come from ``vendor_dir``/fonts.css."""
    fonts_css = vendor_dir / "fonts.css"
    config = FontConfiguration()
    fetcher = URLFetcher(allowed_protocols={"file"})
    base = vendor_dir.resolve().as_uri() + "/"
    faces, slices = faces_for(html + stylesheet, fonts_css)
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
    return bytes(document.write_pdf(stylesheets=css, font_config=config))
