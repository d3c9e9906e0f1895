"""The measures each released inject gets, on a drill built with known times."""

from __future__ import annotations

from typing import Any

from server.announcements import drafts, service
from server.core.extensions import db
from server.drills import measures
from server.drills.models import Drill
from server.inquiries import service as inquiries
from server.inquiries import translate
from server.models import Announcement
from server.translation import planning
from tests.server.drills.eval_data import answered_drill, empty_drill, user
from translations import phrasebook


def _items(found: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    return {it["key"]: it for it in found["injects"][key]["items"]}


def test_news_measures_say_template_publish_and_every_language(app: Any) -> None:
    found = measures.compute(answered_drill())
    n1 = _items(found, "n1")
    assert n1["published"]["template_used"] is True
    assert n1["published"]["template_expected"] == "situation.earthquake_occurred"
    assert (n1["published"]["minutes"], n1["published"]["verdict"]) == (2.0, "within")
    boards = n1["on_boards"]
    assert (boards["minutes"], boards["verdict"], boards["detail"]) == (12.0, "over", "2/2")
    assert {k: v["minutes"] for k, v in boards["languages"].items()} == {"en": 3.0, "vi": 12.0}
    assert found["injects"]["n1"]["verdict"] == "within"  # judged by its first item: published

    n2 = _items(found, "n2")
    assert n2["published"]["template_used"] is False  # free text where a template was expected
    assert (n2["published"]["minutes"], n2["published"]["verdict"]) == (8.0, "over")
    assert n2["on_boards"]["verdict"] == "not_done" and n2["on_boards"]["detail"] == "1/2"
    assert n2["on_boards"]["languages"]["vi"]["minutes"] is None


def test_the_other_kinds_are_measured_against_their_targets(app: Any) -> None:
    found = measures.compute(answered_drill())
    assert _items(found, "p1")["phase_decided"] | {"at": None} == {
        "key": "phase_decided",
        "at": None,
        "minutes": 3.0,
        "verdict": "within",
        "detail": "accepted",
        "decision": "accepted",
    }
    q1 = _items(found, "q1")
    assert (q1["first_reply"]["minutes"], q1["reply_in_language"]["minutes"]) == (4.0, 6.0)
    assert q1["reply_in_language"]["lang"] == "vi" and found["injects"]["q1"]["verdict"] == "within"
    s1 = _items(found, "s1")["needs_addressed"]
    assert (s1["verdict"], s1["detail"]) == ("not_done", "1/2")
    t1 = _items(found, "t1")["delivered"]
    assert (t1["minutes"], t1["verdict"], t1["detail"]) == (50.0, "over", "2/2")
    x1 = found["injects"]["x1"]
    assert (x1["verdict"], x1["items"], x1["released_at"]) == ("not_released", [], None)
    assert found["injects"]["n1"]["lateness_seconds"] == 2.0


def test_per_language_times_take_median_and_max_over_the_drills_announcements(app: Any) -> None:
    found = measures.compute(answered_drill())
    assert found["languages"] == [
        {"lang": "en", "count": 2, "median": 6.0, "max": 9.0},
        {"lang": "vi", "count": 1, "median": 12.0, "max": 12.0},
    ]


def test_an_unanswered_inject_is_not_done(app: Any) -> None:
    found = measures.compute(empty_drill())
    n1 = _items(found, "n1")
    assert n1["published"]["verdict"] == "not_done" and n1["published"]["template_used"] is None
    for key in ("p1", "q1", "s1", "t1"):
        assert found["injects"][key]["verdict"] == "not_done", key


def test_the_snapshot_outlives_a_reset(app: Any) -> None:
    drill = answered_drill()
    measures.snapshot(drill)
    db.session.commit()
    before = measures.compute(drill)
    # What a reset does to the drill's rows (the runner owns reset; this is its effect here).
    for ann in db.session.scalars(db.select(Announcement).where(Announcement.drill_id == drill.id)):
        ann.drill_inject_id = None
    db.session.flush()
    drill.reset_at = drill.started_at
    db.session.commit()
    kept, measured_at = measures.current(db.session.get(Drill, drill.id))
    assert measured_at is not None and kept == before
    assert measures.compute(drill)["injects"]["n1"]["verdict"] == "not_done"  # live: gone


def test_measures_read_what_the_domain_services_record(app: Any) -> None:
    """The same measures when the answers go through the real services and worker functions."""
    drill = empty_drill()
    op = user("op", "operator")
    n1, q1 = drill.injects[0], drill.injects[3]
    draft = drafts.parse_draft(
        {"template_id": "situation.earthquake_occurred", "slots": {"time": "14:00"}}
    )
    ann = service.create(draft, op)
    ann.drill_id, ann.drill_inject_id = drill.id, n1.id
    db.session.commit()
    planning.translate_revision(ann.id, 1)  # the worker: every phrasebook language at once

    fields = inquiries.parse(
        {"message": "Tôi cần nước uống", "lang": "vi", "category": "food_water", "consent": True},
        "web",
    )
    inquiry = inquiries.create(fields, "web")[0]
    template = next(
        t for t in phrasebook.load().values() if t.category == "food_water" and not t.slots
    )
    reply = inquiries.reply(inquiry, {"template_id": template.id}, op)
    q1.created = {"inquiry": inquiry.id}
    db.session.commit()
    waiting = _items(measures.compute(drill), "q1")
    assert waiting["first_reply"]["at"] and waiting["reply_in_language"]["at"] is None
    translate.translate_reply(reply.id)  # the worker puts it into Vietnamese

    found = measures.compute(db.session.get(Drill, drill.id))
    n1_items = _items(found, "n1")
    assert n1_items["published"]["template_used"] is True
    langs = n1_items["on_boards"]["languages"]
    assert {"en", "vi", "zh-Hans"} <= set(langs) and all(v["at"] for v in langs.values())
    # Released three hours before the answer: over its 10-minute target.
    assert n1_items["on_boards"]["verdict"] == "over" and n1_items["on_boards"]["minutes"] > 170
    q1_items = _items(found, "q1")
    assert q1_items["reply_in_language"]["at"] is not None
    assert q1_items["reply_in_language"]["minutes"] >= q1_items["first_reply"]["minutes"]
    assert {row["lang"] for row in found["languages"]} >= {"en", "vi"}


def test_a_snapshot_after_the_reset_keeps_the_one_taken_before(app: Any) -> None:
    drill = answered_drill()
    measures.snapshot(drill)
    kept = drill.measures
    drill.reset_at = drill.started_at
    for inject in drill.injects:
        inject.created = {}
    db.session.commit()
    measures.snapshot(drill)  # a second call after the data is gone must not empty it
    assert drill.measures == kept
