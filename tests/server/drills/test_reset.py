"""Reset removes exactly what a drill made: real work done during the drill stays unchanged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from server.announcements import drafts, service
from server.core.extensions import db
from server.drills import reset, runner, scenario
from server.drills.models import Drill, DrillInject
from server.drills.words import DrillStatus
from server.inquiries import service as inquiries
from server.models import Announcement, Inquiry, utcnow
from server.people import accounts


def _snapshot() -> dict[str, dict[Any, tuple[Any, ...]]]:
    """Every row of every table, keyed by primary key."""
    out: dict[str, dict[Any, tuple[Any, ...]]] = {}
    for table in db.metadata.sorted_tables:
        key = [c.name for c in table.primary_key.columns]
        rows = db.session.execute(select(table)).mappings().all()
        out[table.name] = {tuple(r[k] for k in key): tuple(r.values()) for r in rows}
    return out


def test_reset_removes_the_drill_and_leaves_real_work_untouched(
    app: Any, director: Any, flood_bytes: bytes
) -> None:
    operator, _ = accounts.create_user("desk", "operator", "a-long-password")
    drill = runner.start(scenario.parse_upload(flood_bytes), director, 60)
    runner.release_due(drill.started_at + timedelta(hours=1))
    runner.decide_phase(runner.inject_of(drill, "fl02"), True, director)
    news = runner.inject_of(drill, "fl01")
    # A participant answers the news inject; a desk operator replies to the drill's inquiry.
    answer = service.create(
        drafts.parse_draft(
            {
                "template_id": "evacuation.order_level4",
                "slots": {"place": "星野川沿いの地区"},
                "drill_inject_id": news.id,
            }
        ),
        operator,
    )
    assert answer.drill is True and answer.drill_id == drill.id
    assert answer.drill_inject_id == news.id
    drill_inquiry = db.session.get(Inquiry, runner.inject_of(drill, "fl03").created["inquiry"])
    inquiries.reply(drill_inquiry, {"text": "近くの避難所は星野町立中学校です。"}, operator)
    # Real work during the drill: an announcement and an inquiry.
    real = service.create(
        drafts.parse_draft({"text": "本物のお知らせです。給水は15時から。"}), operator
    )
    real_inquiry, _token = inquiries.create(
        inquiries.parse({"message": "Where can I get water?", "lang": "en"}, "phone"), "phone"
    )
    real_inquiry_replies = [
        inquiries.reply(real_inquiry, {"text": "市役所前で15時から給水があります。"}, operator)
    ]

    answer_id, drill_inquiry_id = answer.id, drill_inquiry.id
    before = _snapshot()
    removed = reset.reset(drill, director)
    db.session.expire_all()
    after = _snapshot()

    assert removed["announcements"] == 1 and removed["inquiries"] == 1
    assert removed["shelter_rounds"] == 1 and removed["translation_requests"] == 1
    assert removed["inquiry_replies"] == 1 and removed["shelters"] == 1
    assert removed["center_phase_changes"] == 1 and removed["activity_entries"] >= 5
    for table in db.metadata.sorted_tables:
        if "drill_id" in table.c and table.name != "drill_injects":
            assert not db.session.scalars(
                select(table.c.drill_id).where(table.c.drill_id == drill.id)
            ).all(), table.name
    for table, rows in after.items():
        if table in ("drills", "drill_injects", "activity_entries", "board_events", "counters"):
            continue
        for key, row in rows.items():
            assert before[table].get(key) == row, (table, key)  # nothing else changed
    gone = {t: set(before[t]) - set(after[t]) for t in before}
    # Real rows survive whole.
    assert (real.id,) in after["announcements"] and (real_inquiry.id,) in after["inquiries"]
    assert after["announcements"][(real.id,)] == before["announcements"][(real.id,)]
    assert after["inquiries"][(real_inquiry.id,)] == before["inquiries"][(real_inquiry.id,)]
    real_reply_ids = [(r.id,) for r in real_inquiry_replies]
    assert real_reply_ids and all(
        after["inquiry_replies"][k] == before["inquiry_replies"][k] for k in real_reply_ids
    )
    assert gone["announcements"] == {(answer_id,)}
    assert gone["inquiries"] == {(drill_inquiry_id,)}
    assert gone["users"] == set()  # the drill's municipality account stays
    # The run stays for the after-action report.
    kept = db.session.get(Drill, drill.id)
    assert kept.status == DrillStatus.RESET and kept.reset_at is not None
    assert (
        len(db.session.scalars(select(DrillInject).where(DrillInject.drill_id == drill.id)).all())
        == 6
    )
    assert db.session.get(Announcement, real.id) is not None


def test_an_answer_must_name_a_released_inject_of_a_running_drill(
    app: Any, director: Any, flood_bytes: bytes
) -> None:
    drill = runner.start(scenario.parse_upload(flood_bytes), director, 60)
    scheduled = runner.inject_of(drill, "fl06")
    for value, code in ((scheduled.id, "not_a_live_inject"), (99999, "not_a_live_inject")):
        try:
            drafts.parse_draft({"text": "訓練の答え", "drill_inject_id": value})
        except Exception as exc:
            assert getattr(exc, "code", None) == code and getattr(exc, "field", None) == (
                "drill_inject_id"
            )
        else:
            raise AssertionError("accepted an inject that is not live")
    runner.release_due(utcnow() + timedelta(hours=1))
    runner.finish(drill, director)
    try:
        drafts.parse_draft({"text": "訓練の答え", "drill_inject_id": scheduled.id})
    except Exception as exc:
        assert getattr(exc, "code", None) == "not_a_live_inject"
    else:
        raise AssertionError("accepted an inject of a finished drill")
