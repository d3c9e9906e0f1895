"""Print posters, the pointing board (指さしボード) and the blank registration card as PDF.

Pages are laid out by WeasyPrint with the vendored fonts (``server.operations.pdf``). A poster
must stay one sheet: its type starts as large as its text allows and shrinks only when the laid
out page runs over, so an A4 poster of five long languages is smaller but never cut. An A3
poster is the same page at √2 scale.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from flask import render_template

from server.channels import posters
from server.channels.posters import Poster
from server.core.errors import ApiError
from server.operations import pdf
from server.shelters import cards
from translations import form_labels, languages

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates" / "print"
POINTING_BOARD = Path(languages.__file__).with_name("pointing_board.yaml")
A3_ZOOM = math.sqrt(2)
# The poster's text area (mm) between the header and the running footer, and its type limits.
TEXT_AREA_MM = (194.0, 175.0)
LARGEST_PT, SMALLEST_PT = 34.0, 8.0
_PT_MM = 0.3528


@functools.cache
def stylesheet() -> str:
    """Return the stylesheet of every printed sheet."""
    return (TEMPLATES / "print.css").read_text("utf-8")


def _vendor() -> Path:
    return posters.static_dir() / "vendor"


def _em_width(ch: str) -> float:
    """Roughly how wide a character is, in em: full width for CJK, half for most letters."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if unicodedata.combining(ch) or unicodedata.category(ch) == "Mn":
        return 0.0
    return 0.62 if "\u1000" <= ch <= "\u109f" else 0.55


def _height_mm(texts: Iterable[tuple[str, float]], size_pt: float) -> float:
    """Estimate the height of poster blocks: (text, scale) pairs at a base size."""
    width_mm = TEXT_AREA_MM[0]
    total = 0.0
    for text, scale in texts:
        em = size_pt * scale * _PT_MM
        lines = max(1, math.ceil(sum(_em_width(c) for c in text) * em / width_mm * 1.05))
        total += lines * em * 1.45 + size_pt * 0.55 * _PT_MM * 1.4 + 4.0
    return total


def first_size(poster: Poster) -> float:
    """The largest base type size (pt) at which the poster's texts should fit the page."""
    texts = [(b.text, 1.0) for b in poster.blocks]
    if poster.main:
        texts.append((poster.main.text, 1.25))
    room = TEXT_AREA_MM[1] - (22.0 if poster.drill else 0.0) - (8.0 if poster.missing else 0.0)
    size = LARGEST_PT
    while size > SMALLEST_PT and _height_mm(texts, size) > room:
        size -= 0.5
    return size


_LENGTH = re.compile(r"(\d+(?:\.\d+)?)(mm|pt)\b")


@functools.cache
def scaled_stylesheet(zoom: float) -> str:
    """The stylesheet with every length times ``zoom`` and A3 paper when zoom is √2."""
    if zoom == 1.0:
        return stylesheet()
    css = _LENGTH.sub(lambda m: f"{float(m[1]) * zoom:.2f}{m[2]}", stylesheet())
    return css.replace("size: A4", "size: A3")


def _layout(items: list[tuple[Poster, float]], zoom: float) -> Any:
    scaled = [(poster, size * zoom) for poster, size in items]
    html = render_template("print/poster.html", posters=scaled)
    return pdf.layout(html, _vendor(), scaled_stylesheet(zoom))


def fitted(poster: Poster, zoom: float) -> Any:
    """Lay out one poster on one page, shrinking its type until it fits."""
    size = first_size(poster)
    while True:
        document = _layout([(poster, size)], zoom)
        if len(document.pages) == 1 or size <= SMALLEST_PT:
            return document
        size = max(SMALLEST_PT, size * 0.88)


def posters_pdf(items: list[Poster], size: str) -> bytes:
    """Return one PDF with a page per poster."""
    if not items:
        raise ApiError(404, "nothing_to_print", "no poster to print")
    zoom = A3_ZOOM if size == "A3" else 1.0
    return pdf.join([fitted(p, zoom) for p in items])


@functools.cache
def pointing_phrases() -> dict[str, Any]:
    """Load the pointing board's groups and phrases."""
    data: dict[str, Any] = yaml.safe_load(POINTING_BOARD.read_text("utf-8"))
    return data


def sheet_language(raw: str | None) -> str:
    """Read ``?lang=`` of a printed sheet: one center language other than Japanese."""
    code = languages.normalize((raw or "").strip()[:20])
    if code is None or code == "ja" or code not in posters.center_languages():
        raise ApiError(
            400,
            "unknown_language",
            "lang must be one of the center's languages other than Japanese, e.g. lang=ne",
            "lang",
        )
    return code


def _context(lang: str) -> dict[str, Any]:
    known = languages.BY_CODE[lang]
    return {
        "lang": lang,
        "lang_name": known.native,
        "lang_dir": known.direction,
        "lang_codes": set(languages.BY_CODE),
        "answers": pointing_phrases()["answers"],
        "instruction": pointing_phrases()["instruction"],
    }


def pointing_board_pdf(lang: str) -> bytes:
    """Return the pointing board in Japanese and ``lang``."""
    data = pointing_phrases()
    groups = [
        {
            "title_ja": g["title"]["ja"],
            "title": g["title"].get(lang) or g["title"]["en"],
            "pictogram": posters.pictogram(g["pictogram"]),
            "phrases": [
                {
                    "ja": p["text"]["ja"],
                    "text": p["text"].get(lang) or p["text"]["en"],
                    "pictogram": posters.pictogram(p.get("pictogram") or g["pictogram"]),
                }
                for p in g["phrases"]
            ],
        }
        for g in data["groups"]
    ]
    html = render_template(
        "print/pointing_board.html",
        groups=groups,
        draft=data.get("status") == "draft",
        **_context(lang),
    )
    return pdf.join([pdf.layout(html, _vendor(), stylesheet())])


def registration_card_pdf(lang: str) -> bytes:
    """Return a blank registration card to fill by hand, labels in Japanese and ``lang``."""
    form = cards.form()
    html = render_template(
        "print/registration_card.html",
        ja=form_labels.localize(form, "ja"),
        other=form_labels.localize(form, lang),
        **_context(lang),
    )
    return pdf.join([pdf.layout(html, _vendor(), stylesheet())])


def sheet_languages() -> list[languages.Language]:
    """The languages a pointing board or card can pair with Japanese."""
    return [languages.BY_CODE[c] for c in posters.center_languages() if c != "ja"]
