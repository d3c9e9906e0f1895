"""A demo center so a newcomer sees a board move within a minute."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from server.announcements import service
from server.announcements.drafts import parse_draft
from server.core.clock import center_tz
from server.models import Shelter
from server.people import accounts
from server.shelters import census, registry, rounds
from server.shelters.words import CensusKind
from server.web.console.shelters import board_url
from translations import phrasebook

# Romaji names come from the suggestion (server.shelters.places), as for a new shelter.
DEMO_SHELTERS = (
    ("第一小学校 体育館", "中央区本町1-2-3"),
    ("市民センター", "中央区港町4-5-6"),
)


def _first_template(*ids: str) -> str | None:
    templates = phrasebook.load()
    return next((tid for tid in ids if tid in templates), None)


DEMO_REGISTRY = (
    {
        "kind": "designated",
        "capacity": 400,
        "lat": 35.6895,
        "lon": 139.6917,
        "address_romaji": "1-2-3 Honmachi, Chuo-ku",
        "contact": "校長室 03-0000-0001",
    },
    {
        "kind": "welfare",
        "capacity": 60,
        "lat": 35.6812,
        "lon": 139.7671,
        "address_romaji": "4-5-6 Minatomachi, Chuo-ku",
        "contact": "受付 03-0000-0002",
        # Names of its own where the readers' script has one (see translations.places).
        "names": {"zh-Hans": "市民中心", "zh-Hant": "市民中心", "ko": "시민센터"},
    },
)


def _seed_registry(shelters: list[Shelter]) -> Iterator[str]:
    """Fill the registry, a census and one round with two needs (counts only, no names)."""
    for shelter, fields in zip(shelters, DEMO_REGISTRY, strict=True):
        registry.update(shelter, fields, None)
    census.replace(
        shelters[1],
        {CensusKind.LANGUAGE: {"ne": 3, "my": 2}, CensusKind.DIET: {"halal": 2}},
    )
    shelters[1].foreign_count = 5
    shelters[1].headcount = 41
    answers = {
        "visit_date": datetime.now(center_tz()).date().isoformat(),
        "visit_time": "10:00",
        "visitors": "情報班（デモ）",
        "total_evacuees": 180,
        "foreign_evacuees": 17,
        "foreign_by_language": {"vi": 9, "en": 3, "zh-Hans": 3, "tl": 2},
        "interpreter_needed": True,
        "interpreter_by_language": {"vi": 4},
        "diet_needs": ["halal", "vegetarian"],
        "medical_needs": False,
        "multilingual_notices_posted": False,
        "issues_found": "掲示が日本語だけ。給水の時間が伝わっていない。",
    }
    found = [
        {
            "category": "food_water",
            "lang": "vi",
            "urgency": "high",
            "count": 9,
            "note": "給水の時間が分からない",
        },
        {
            "category": "language_help",
            "lang": "tl",
            "urgency": "normal",
            "count": 2,
            "note": "受付の説明が分からない",
        },
    ]
    item, _new = rounds.record(shelters[0], str(uuid.uuid4()), answers, found, None)
    yield f"Round {item.id} at {shelters[0].name_ja}: census updated, {len(found)} needs open"


def seed() -> Iterator[str]:
    """Create two shelters, three boards and a few announcements; yield what was made."""
    shelters = [accounts.create_shelter(name, address=address) for name, address in DEMO_SHELTERS]
    boards = [
        accounts.create_board(shelters[0].id, "体育館 TV", "grid"),
        accounts.create_board(shelters[0].id, "受付タブレット", "cycle"),
        accounts.create_board(shelters[1].id, "ロビー TV", "grid"),
    ]
    for board in boards:
        yield f"Board {board.id} ({board.shelter.name_ja} / {board.name}): {board_url(board)}"
    yield from _seed_registry(shelters)
    drafts: list[dict[str, Any]] = [
        {
            "text": "本日15時に第一小学校の校庭へ給水車が来ます。容器を持ってきてください。",
            "easy_text": "きょう 15時に 第一小学校の 校庭に 水の 車が 来ます。"
            "いれものを 持って きて ください。",
            "category": "food_water",
            "severity": "Moderate",
            "shelter_ids": [shelters[0].id],
        },
        {
            "text": "余震が続いています。壊れた建物やブロック塀に近づかないでください。",
            "easy_text": "また 大きい 地震が 来るかも しれません。こわれた 家や かべに "
            "近づかないで ください。",
            "category": "situation",
            "severity": "Severe",
        },
        {
            "text": "【訓練】これは避難訓練のお知らせです。",
            "category": "evacuation",
            "severity": "Minor",
            "drill": True,
            "expires_at": (datetime.now(UTC) + timedelta(hours=6)).isoformat(),
        },
    ]
    template = _first_template("shelter.open", "shelter.opened")
    if template:
        drafts.append(
            {"template_id": template, "category": "shelter", "slots": {"place": "市民センター"}}
        )
    # Vetted phrasebook sentences of every level, so a board has pages to turn and colours to show.
    for template_id, severity, urgency, slots in (
        ("evacuation.order_level4", "Extreme", "Immediate", {"place": "港町1丁目"}),
        ("lifelines.power_outage", "Severe", "Expected", {"place": "本町"}),
        (
            "food_water.soup_kitchen",
            "Minor",
            "Expected",
            {"place": "第一小学校 体育館", "time": "12:00"},
        ),
        ("medical.first_aid_station", "Moderate", "Expected", {"place": "市民センター 1階"}),
        ("hygiene.portable_toilets", "Minor", "Future", {"place": "校庭の北側"}),
        ("lifelines.phone_charging", "Unknown", "Expected", {"place": "受付", "time": "20:00"}),
    ):
        if _first_template(template_id):
            drafts.append(
                {
                    "template_id": template_id,
                    "category": phrasebook.load()[template_id].category,
                    "severity": severity,
                    "urgency": urgency,
                    "slots": slots,
                }
            )
    for data in drafts:
        try:
            draft = parse_draft(data)
        except Exception as exc:  # a demo template whose slots differ: skip, say why
            yield f"Skipped a demo announcement: {exc}"
            continue
        announcement = service.create(draft, None)
        yield f"Announcement {announcement.id}: {draft.text[:40]}…"
