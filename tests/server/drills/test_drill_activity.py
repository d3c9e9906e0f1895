"""Participants' work on a drill's needs and request pieces is logged with the drill's id."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from server.announcements import drafts, service
from server.core.extensions import db
from server.drills import reset, runner, scenario
from server.models import Shelter
from server.operations.models import ActivityEntry
from server.operations.words import ActivityKind
from server.people import accounts
from server.requests import service as requests
from server.requests.models import TranslationRequest
from server.shelters import needs
from server.shelters.models import Need

PASSWORD = "a-long-password"


def _entries(ref: str) -> list[tuple[str, int | None]]:
    rows = db.session.scalars(
        select(ActivityEntry).where(ActivityEntry.ref == ref).order_by(ActivityEntry.id)
    )
    return [(e.kind, e.drill_id) for e in rows]


def _work_a_piece(req: TranslationRequest, translator: Any, checker: Any) -> str:
    piece = req.pieces[0]
    requests.claim(piece.id, translator)
    requests.save(piece.id, translator, "draft")
    requests.submit(piece.id, translator, "Pets are welcome at shelters.")
    requests.check(piece.id, checker, "approve")
    return f"request_piece:{piece.id}"


def test_need_moves_and_piece_steps_carry_the_drill_id(
    app: Any, director: Any, flood_bytes: bytes
) -> None:
    desk, _ = accounts.create_user("desk", "operator", PASSWORD)
    checker, _ = accounts.create_user("checker", "reviewer", PASSWORD)
    drill = runner.start(scenario.parse_upload(flood_bytes), director, 60)
    runner.release_due(drill.started_at + timedelta(hours=1))
    made = runner.inject_of(drill, "fl04").created
    first, second = (db.session.get(Need, n) for n in made["needs"])
    needs.move(first, "in_progress", desk)
    needs.move(first, "addressed", desk)
    news = runner.inject_of(drill, "fl01")
    answer = service.create(
        drafts.parse_draft({"text": "訓練のお知らせです。", "drill_inject_id": news.id}), desk
    )
    needs.link_announcement(second, answer.id, desk)  # an open need answered: now in progress
    drill_req = db.session.get(
        TranslationRequest, runner.inject_of(drill, "fl05").created["translation_request"]
    )
    drill_piece = _work_a_piece(drill_req, desk, checker)

    # The same work on real rows during the drill is logged without a drill id.
    shelter = db.session.scalars(select(Shelter).where(Shelter.drill_id.is_(None))).first()
    if shelter is None:
        shelter = Shelter(name_ja="市立南小学校", name_romaji="Minami Elementary School")
        db.session.add(shelter)
        db.session.flush()
    fields, errors = needs.parse(
        {"category": "food_water", "lang": "vi", "urgency": "high", "count": 3}
    )
    assert not errors
    real_need = needs.create(shelter, fields, desk)
    db.session.commit()
    needs.move(real_need, "closed", desk)
    real_req = requests.create(
        requests.parse_request({"text": "給水は15時からです。", "targets": "en"}), desk
    )
    real_piece = _work_a_piece(real_req, desk, checker)

    moved = ActivityKind.NEED_STATUS_CHANGED
    assert _entries(f"need:{first.id}") == [(moved, drill.id), (moved, drill.id)]
    assert _entries(f"need:{second.id}") == [(moved, drill.id)]
    steps = [
        ActivityKind.REQUEST_CLAIMED,
        ActivityKind.REQUEST_SUBMITTED,
        ActivityKind.REQUEST_DELIVERED,
    ]
    assert _entries(drill_piece) == [(k, drill.id) for k in steps]  # the save is not logged
    assert _entries(f"need:{real_need.id}") == [(moved, None)]
    assert _entries(real_piece) == [(k, None) for k in steps]
    # The drill's entries go with its reset; the real ones stay.
    drill_need, real_need_ref = f"need:{first.id}", f"need:{real_need.id}"
    reset.reset(drill, director)
    db.session.expire_all()
    assert _entries(drill_need) == [] and _entries(drill_piece) == []
    assert _entries(real_need_ref) == [(moved, None)]
    assert _entries(real_piece) == [(k, None) for k in steps]
