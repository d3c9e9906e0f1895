"""A drill built row by row, with known times, for the evaluation and report tests.

The runner is not needed: the rows an inject and its answer make are written directly (or
through the domain's own helpers), each at a chosen minute after the inject's release, so a
test knows which measure is within its target and which is over.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from server.core.extensions import db
from server.drills.models import Drill, DrillInject
from server.live import events
from server.models import (
    Announcement,
    AnnouncementRevision,
    Inquiry,
    InquiryReply,
    Outbox,
    Shelter,
    Translation,
    User,
)
from server.operations.models import PhaseChange
from server.people import accounts
from server.requests.models import RequestPiece, TranslationRequest
from server.shelters.models import Need, NeedEvent

PASSWORD = "a-long-password"
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)


def spec(key: str, kind: str, target: int, template: str | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"ja": "訓練の状況付与"}
    if template:
        content["phrasebook"] = {"template": template}
    return {
        "id": key,
        "type": kind,
        "offset_minutes": 0,
        "content": content,
        "expected_action": {"ja": f"{key} の期待される対応を行う", "en": f"Do what {key} expects"},
        "target_minutes": target,
    }


# key, kind, target minutes, offset of the release from T0 (None: not released), template
INJECTS = (
    ("n1", "news", 10, 0, "situation.earthquake_occurred"),
    ("n2", "news", 5, 3, "tsunami.major_warning"),
    ("p1", "phase_change", 15, 5, None),
    ("q1", "inquiry", 10, 12, None),
    ("s1", "shelter_report", 30, 20, None),
    ("t1", "translation_request", 40, 25, None),
    ("x1", "news", 10, None, None),
)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def user(username: str, role: str) -> User:
    accounts.create_user(username, role, PASSWORD)
    return db.session.scalar(db.select(User).where(User.username == username))  # type: ignore[no-any-return]


def empty_drill(title: str = "評価テスト訓練", released: bool = True) -> Drill:
    """A drill with the injects above; ``released=False``: a drill never started."""
    drill = Drill(
        scenario_id="eval_test",
        title=title,
        scenario={
            "id": "eval_test",
            "injects": [spec(k, t, m, tpl) for k, t, m, _o, tpl in INJECTS],
        },
        status="running",
        speed=1.0,
        phase="standby",
        started_at=T0,
    )
    db.session.add(drill)
    db.session.flush()
    for position, (key, kind, target, offset, _tpl) in enumerate(INJECTS):
        due = at(offset if offset is not None else 60)
        row = DrillInject(
            drill_id=drill.id,
            inject_key=key,
            position=position,
            kind=kind,
            offset_minutes=offset if offset is not None else 60,
            target_minutes=target,
            due_at=due,
            status="released" if released and offset is not None else "scheduled",
            released_at=due + timedelta(seconds=2) if released and offset is not None else None,
            released_by="schedule" if released and offset is not None else None,
            lateness_seconds=2.0 if released and offset is not None else None,
            created={},
        )
        db.session.add(row)
    db.session.commit()
    return drill


def _inject(drill: Drill, key: str) -> DrillInject:
    return next(i for i in drill.injects if i.inject_key == key)


def _announce(
    drill: Drill, inject: DrillInject, minute: float, template: str | None, done: dict[str, float]
) -> Announcement:
    """An answer published ``minute`` after the release; ``done``: lang → minute on boards."""
    start = inject.released_at
    assert start is not None
    ann = Announcement(
        source_lang="ja",
        category="situation",
        severity="Severe",
        urgency="Immediate",
        certainty="Observed",
        drill=True,
        drill_id=drill.id,
        drill_inject_id=inject.id,
        created_at=start + timedelta(minutes=minute),
        updated_at=start + timedelta(minutes=minute),
    )
    db.session.add(ann)
    db.session.flush()
    db.session.add(
        AnnouncementRevision(
            announcement_id=ann.id, revision=1, text="訓練です。揺れに注意。", template_id=template
        )
    )
    for lang in ("en", "vi"):
        if lang not in done:
            db.session.add(
                Translation(announcement_id=ann.id, revision=1, lang=lang, status="translating")
            )
            continue
        event = events.record(
            events.TRANSLATED, ann, revision=1, lang=lang, text=f"[{lang}] drill", method="machine"
        )
        event.created_at = start + timedelta(minutes=done[lang])
        db.session.add(
            Translation(
                announcement_id=ann.id,
                revision=1,
                lang=lang,
                status="done",
                method="machine",
                text=f"[{lang}] drill",
                event_seq=event.seq,
                created_at=start + timedelta(minutes=minute),
            )
        )
    return ann


def answered_drill() -> Drill:
    """The drill with every released inject answered, some within and some over target.

    n1: template used, published 2 min, en 3 / vi 12 min → on boards over (target 10).
    n2: free text (template not used), published 8 min (over 5), vi still translating.
    p1: accepted after 3 min (within 15). q1: reply 4 min, in Vietnamese 6 min (within 10).
    s1: one of two needs addressed (not done). t1: en 30 / vi 50 min → delivered over 40.
    """
    drill = empty_drill()
    requester = user("town", "requester")
    n1, n2 = _inject(drill, "n1"), _inject(drill, "n2")
    _announce(drill, n1, 2, "situation.earthquake_occurred", {"en": 3, "vi": 12})
    _announce(drill, n2, 8, None, {"en": 9})

    p1 = _inject(drill, "p1")
    change = PhaseChange(
        from_phase="standby",
        to_phase="activated",
        reason="訓練",
        drill_id=drill.id,
        created_at=p1.released_at + timedelta(minutes=3),  # type: ignore[operator]
    )
    db.session.add(change)

    q1 = _inject(drill, "q1")
    start = q1.released_at
    assert start is not None
    inquiry = Inquiry(
        token_hash="drill-eval-token",
        channel="web",
        lang="vi",
        category="other",
        message="Chúng tôi phải đi đâu?",
        drill_id=drill.id,
        created_at=start + timedelta(minutes=0.5),
    )
    db.session.add(inquiry)
    db.session.flush()
    reply = InquiryReply(
        inquiry_id=inquiry.id,
        text_ja="高い所へ避難してください。",
        text="Hãy sơ tán lên chỗ cao.",
        status="done",
        method="phrasebook",
        created_at=start + timedelta(minutes=4),
    )
    db.session.add(reply)
    db.session.flush()
    db.session.add(
        Outbox(
            task="translate_reply",
            args=[reply.id],
            ref=f"reply:{reply.id}",
            processed_at=start + timedelta(minutes=6),
        )
    )

    s1 = _inject(drill, "s1")
    start = s1.released_at
    assert start is not None
    shelter = Shelter(name_ja="みなと小学校")
    db.session.add(shelter)
    db.session.flush()
    needs = []
    for status in ("addressed", "open"):
        need = Need(
            shelter_id=shelter.id,
            category="food_water",
            lang="vi",
            urgency="high",
            status=status,
            drill_id=drill.id,
        )
        db.session.add(need)
        db.session.flush()
        needs.append(need.id)
        if status == "addressed":
            db.session.add(
                NeedEvent(
                    need_id=need.id, action="addressed", created_at=start + timedelta(minutes=20)
                )
            )

    t1 = _inject(drill, "t1")
    start = t1.released_at
    assert start is not None
    req = TranslationRequest(
        requester_id=requester.id,
        title="訓練の依頼",
        source_lang="ja",
        source_text="給水のお知らせ",
        deadline=start + timedelta(hours=2),
        drill_id=drill.id,
    )
    db.session.add(req)
    db.session.flush()
    for lang, minute in (("en", 30), ("vi", 50)):
        db.session.add(
            RequestPiece(
                request_id=req.id,
                lang=lang,
                status="delivered",
                delivered_at=start + timedelta(minutes=minute),
            )
        )

    p1.created = {"phase_change": change.id}
    q1.created = {"inquiry": inquiry.id}
    s1.created = {"round": None, "needs": needs, "shelter": shelter.id}
    t1.created = {"translation_request": req.id}
    db.session.commit()
    return drill


def sign_in(client: Any, username: str, role: str) -> None:
    """Create an account and sign the console client in with it."""
    user(username, role)
    r = client.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.status_code
