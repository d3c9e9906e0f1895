"""A demo center so a newcomer sees a board move within a minute."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from server.announcements import service
from server.announcements.drafts import parse_draft
from server.people import accounts
from server.web.console.shelters import board_url
from translations import phrasebook

DEMO_SHELTERS = (
    ("第一小学校 体育館", "Daiichi Shogakko Taiikukan", "中央区本町1-2-3"),
    ("市民センター", "Shimin Center", "中央区港町4-5-6"),
)


def _first_template(*ids: str) -> str | None:
    templates = phrasebook.load()
    return next((tid for tid in ids if tid in templates), None)


def seed() -> Iterator[str]:
    """Create two shelters, three boards and a few announcements; yield what was made."""
    shelters = [accounts.create_shelter(*row) for row in DEMO_SHELTERS]
    boards = [
        accounts.create_board(shelters[0].id, "体育館 TV", "grid"),
        accounts.create_board(shelters[0].id, "受付タブレット", "cycle"),
        accounts.create_board(shelters[1].id, "ロビー TV", "grid"),
    ]
    for board in boards:
        yield f"Board {board.id} ({board.shelter.name_ja} / {board.name}): {board_url(board)}"
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
