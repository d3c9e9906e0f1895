"""Posters of an announcement for shelter walls: Japanese plus up to five languages, on paper.

A poster prints only what exists: a language whose translation of the current revision is not
done is named in a "not yet translated" line, never filled with a placeholder. The 警戒レベル
band takes its level from ``board_labels.level`` and its colours from the board's stylesheet,
so a wall poster and a TV board never disagree.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from server.channels import alerts
from server.core import clock, validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import Announcement, Shelter
from server.shelters import census, places
from server.words import Method
from translations import board_labels, languages, phrasebook
from translations import slots as slot_types

MAX_LANGUAGES = 5
SIZES = ("A4", "A3")
MAX_BATCH = 200  # one page per open shelter; a city with more prints by area
# A shelter whose census counts nobody yet gets the two most read of the center's languages.
FALLBACK = ["ja-x-easy", "en"]
# Pictograms a category's poster carries (files in web/static/pictograms/).
CATEGORY_PICTOGRAMS: dict[str, tuple[str, ...]] = {
    "evacuation": ("danger", "shelter"),
    "tsunami": ("danger", "shelter"),
    "weather": ("danger",),
    "safety": ("danger",),
    "shelter": ("shelter",),
    "food_water": ("water", "food"),
    "supplies": ("food", "water"),
    "hygiene": ("toilet",),
    "medical": ("medical",),
    "lifelines": ("water", "phone"),
    "safety_confirmation": ("phone",),
    "consultation": ("phone",),
}
_LEVEL_VAR = re.compile(r"--lv(\d):\s*(#[0-9a-fA-F]{3,6})")
_DARK_BANDS = {5, 4}  # white words on the band; black on the lighter ones (as on the board)


@dataclass(frozen=True)
class Block:
    """One language's text on a poster, and how it was made."""

    lang: str
    name: str
    text: str
    machine: bool
    reviewed: bool
    direction: str


@dataclass(frozen=True)
class Poster:
    """Everything one printed poster shows."""

    announcement_id: int | None  # None: a phrasebook sheet, not an announcement
    revision: int | None
    title: str
    category_words: tuple[tuple[str, str], ...]
    main: Block | None
    blocks: tuple[Block, ...]
    missing: tuple[str, ...]
    level: int
    level_words: tuple[tuple[str, str], ...]
    band: str
    on_band: str
    pictograms: tuple[str, ...]
    qr_svg: str
    qr_url: str
    updated: str
    printed: str
    drill: bool
    shelter: str | None


def static_dir() -> Path:
    """Return the folder of the app's static files."""
    return Path(current_app.static_folder or "")


@functools.cache
def _palette(board_css: Path) -> dict[int, str]:
    return {int(n): colour for n, colour in _LEVEL_VAR.findall(board_css.read_text("utf-8"))}


def palette() -> dict[int, str]:
    """Return the 警戒レベル colours the board's stylesheet declares (--lv1 … --lv5)."""
    return _palette(static_dir() / "board.css")


@functools.cache
def _pictogram(path: Path) -> str:
    svg = path.read_text("utf-8")
    return svg[svg.index("<svg") :]


def pictogram(name: str) -> str:
    """Return one of the project's pictograms as inline SVG markup."""
    return _pictogram(static_dir() / "pictograms" / f"{name}.svg")


def qr_svg(url: str) -> str:
    """Return a QR code of ``url`` as inline SVG (made offline by segno)."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True)
    return out.getvalue().decode("utf-8")


def center_languages() -> list[str]:
    """The languages this center posts in, Japanese first."""
    config = current_app.config
    return list(dict.fromkeys([config["SOURCE_LANGUAGE"], *config["TARGET_LANGUAGES"]]))


def parse_size(raw: str | None) -> str:
    """Read ``size`` (A4 by default); anything else is a 400."""
    size = (raw or "A4").strip().upper()
    if size not in SIZES:
        raise ApiError(400, "invalid", f"size must be one of {', '.join(SIZES)}", "size")
    return size


def parse_languages(raw: str | list[str] | None) -> list[str]:
    """Read up to five center languages from ``en,vi,ne`` (or a list); Japanese is always on."""
    parts = raw if isinstance(raw, list) else (raw or "").split(",")
    if len(parts) > 50:
        raise ApiError(400, "too_many_languages", "at most 5 languages per poster", "langs")
    offered = center_languages()
    out: list[str] = []
    for part in parts:
        if not part.strip():
            continue
        code = languages.normalize(part.strip()[:20])
        if code is None or code not in offered:
            raise ApiError(
                400, "unknown_language", f"{part.strip()[:20]!r} is not a center language", "langs"
            )
        if code != "ja" and code not in out:
            out.append(code)
    if len(out) > MAX_LANGUAGES:
        raise ApiError(
            400,
            "too_many_languages",
            f"at most {MAX_LANGUAGES} languages per poster besides Japanese ({len(out)} given)",
            "langs",
        )
    return out


def shelter_languages(shelter: Shelter) -> list[str]:
    """A shelter's five most spoken center languages, from its census (a default when empty)."""
    offered = center_languages()
    counted = census.of(shelter).languages
    ranked = sorted((c for c in counted if c in offered), key=lambda c: (-counted[c], c))
    return ranked[:MAX_LANGUAGES] or [c for c in FALLBACK if c in offered]


def find_shelter(raw: str) -> Shelter:
    """Return the shelter ``?shelter=`` names; a bad or unknown id is an error."""
    if not raw.strip().isdigit() or len(raw.strip()) > 9:
        raise ApiError(400, "invalid", "shelter must be a shelter id", "shelter")
    shelter = db.session.get(Shelter, int(raw))
    if shelter is None:
        raise ApiError(404, "not_found", f"no shelter with id {raw.strip()}", "shelter")
    return shelter


def find_announcement(announcement_id: int) -> Announcement:
    """Return an announcement that can be printed (not retracted)."""
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        raise ApiError(404, "not_found", f"no announcement with id {announcement_id}")
    if announcement.status == "retracted":
        raise ApiError(409, "retracted", "a retracted announcement is not printed")
    return announcement


def _block(lang: str, text: str, made: tuple[str, bool] | None) -> Block:
    known = languages.BY_CODE.get(lang)
    method, reviewed = made or ("source", True)
    return Block(
        lang=lang,
        name=known.native if known else lang,
        text=text,
        machine=method == "machine",
        reviewed=reviewed,
        direction=known.direction if known else "ltr",
    )


def poster(announcement: Announcement, langs: list[str], shelter: Shelter | None = None) -> Poster:
    """Gather one poster: the Japanese text, the chosen languages that exist, the rest named."""
    revision = announcement.revisions[-1]
    return _assemble(
        texts=alerts.texts(announcement, revision),
        made=alerts.methods(announcement, revision.revision),
        langs=langs,
        category=announcement.category,
        severity=(announcement.severity, announcement.urgency),
        number=(announcement.id, announcement.revision),
        updated=clock.format_local(revision.created_at),
        drill=announcement.drill,
        shelter=shelter,
    )


def phrasebook_poster(args: Mapping[str, str]) -> Poster:
    """A sheet of one phrasebook sentence, not yet an announcement: ``?template=``,
    ``?slot.<name>=``, ``?langs=``, ``?severity=`` (CAP word, default Moderate)."""
    template = phrasebook.load().get((args.get("template") or "").strip())
    if template is None:
        raise ApiError(404, "not_found", "there is no such phrasebook template", "template")
    try:
        slots = template.parse_slots(
            {k.removeprefix("slot."): v for k, v in args.items() if k.startswith("slot.")}
        )
    except slot_types.SlotError as exc:
        raise validation.bad(f"slot.{exc.slot}", str(exc)) from None
    severity = args.get("severity") or "Moderate"
    if severity not in validation.SEVERITIES or severity == "Unknown":
        raise ApiError(
            400, "invalid", "severity must be Extreme, Severe, Moderate or Minor", "severity"
        )
    langs = parse_languages(args.get("langs"))
    known = places.known()
    texts = {c: template.render(c, slots, known) for c in ["ja", *langs] if c in template.text}
    made = {c: (Method.PHRASEBOOK.value, template.reviewed(c)) for c in texts}
    return _assemble(
        texts=texts,
        made=made,
        langs=langs,
        category=template.category,
        severity=(severity, "Expected"),
        number=None,
        updated=clock.format_local(clock.today()),
        drill=False,
        shelter=None,
    )


def _assemble(
    *,
    texts: Mapping[str, str],
    made: Mapping[str, tuple[str, bool]],
    langs: list[str],
    category: str,
    severity: tuple[str, str],
    number: tuple[int, int] | None,
    updated: str,
    drill: bool,
    shelter: Shelter | None,
) -> Poster:
    main = _block("ja", texts["ja"], made.get("ja")) if "ja" in texts else None
    blocks = tuple(_block(c, texts[c], made.get(c)) for c in langs if c in texts)
    missing = tuple(languages.BY_CODE[c].native for c in langs if c not in texts)
    level = board_labels.level(*severity)
    severity_words = board_labels.SEVERITY.get(severity[0], board_labels.SEVERITY["Minor"])
    category_words = board_labels.CATEGORY.get(category, board_labels.CATEGORY["other"])
    shown = ["ja", *(b.lang for b in blocks)]
    url = f"{current_app.config['PUBLIC_URL']}/help"
    colours = palette()
    return Poster(
        announcement_id=number[0] if number else None,
        revision=number[1] if number else None,
        title=alerts.event_name(category, "ja"),
        category_words=tuple((c, category_words.get(c, category_words["en"])) for c in shown),
        main=main,
        blocks=blocks,
        missing=missing,
        level=level,
        level_words=tuple((c, severity_words.get(c, severity_words["en"])) for c in shown),
        band=colours.get(level, "#ffffff"),
        on_band="#ffffff" if level in _DARK_BANDS else "#000000",
        pictograms=tuple(pictogram(p) for p in CATEGORY_PICTOGRAMS.get(category, ("danger",))),
        qr_svg=qr_svg(url),
        qr_url=url,
        updated=updated,
        printed=clock.format_local(clock.today()),
        drill=drill,
        shelter=shelter.name_ja if shelter else None,
    )


def open_shelters() -> list[Shelter]:
    """The open shelters, in id order."""
    return list(db.session.scalars(select(Shelter).where(Shelter.is_open).order_by(Shelter.id)))


def announcement_posters(announcement_id: int, args: Mapping[str, str]) -> list[Poster]:
    """The poster ``?langs=`` asks for; ``?shelter=`` names the shelter and, without
    ``langs``, takes its five most spoken languages from the census."""
    announcement = find_announcement(announcement_id)
    langs = parse_languages(args.get("langs"))
    if args.get("shelter"):
        shelter = find_shelter(args["shelter"])
        return [poster(announcement, langs or shelter_languages(shelter), shelter)]
    return [poster(announcement, langs)]


def shelter_posters(args: Mapping[str, str]) -> list[Poster]:
    """One poster of ``?announcement=`` per open shelter it reaches, in that shelter's languages."""
    raw = (args.get("announcement") or "").strip()
    if not raw.isdigit() or len(raw) > 9:
        raise ApiError(400, "invalid", "announcement must be an announcement id", "announcement")
    announcement = find_announcement(int(raw))
    reached = [
        s
        for s in open_shelters()
        if announcement.target_all or s.id in (announcement.shelter_ids or [])
    ]
    if not reached:
        raise ApiError(404, "nothing_to_print", "no open shelter receives this announcement")
    if len(reached) > MAX_BATCH:
        raise ApiError(
            400, "too_many_shelters", f"at most {MAX_BATCH} shelters per batch", "announcement"
        )
    return [poster(announcement, shelter_languages(s), s) for s in reached]


def printable_announcements(limit: int = 50) -> list[Announcement]:
    """The newest active announcements, which a poster can be made of."""
    return list(
        db.session.scalars(
            select(Announcement)
            .where(Announcement.status == "active")
            .order_by(Announcement.id.desc())
            .limit(limit)
        )
    )


def choosable_languages() -> list[str]:
    """The languages an operator may tick for a poster (Japanese is always printed)."""
    return [c for c in center_languages() if c != "ja"]
