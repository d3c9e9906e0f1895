"""What a released inject makes, through each domain's own service, marked with the drill's id.

Each maker runs in the transaction that claimed the inject and commits it together with what
it makes and with ``DrillInject.created`` (the services call ``on_flush`` just before their
commit), so a release is all or nothing.

- news: nothing in another domain; the participants' console shows it as incoming information.
- inquiry: a real inquiry from the web channel in the resident's language (detection and
  translation into Japanese run as for any other).
- shelter_report: a round on the drill's own copy of the named shelter (a report replaces a
  shelter's census, so a real shelter is never used), with one need per language.
- phase_change: a proposal to the directors; accepting moves the drill's phase only.
- translation_request: a request from the drill's "municipality" account into the queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from server.core import clock as center_clock
from server.core.extensions import db
from server.core.security import hash_password, new_secret
from server.drills.models import Drill, DrillInject
from server.drills.words import InjectKind
from server.inquiries import service as inquiries
from server.models import Inquiry, Shelter, User, utcnow
from server.requests import service as requests
from server.requests.models import TranslationRequest
from server.shelters import rounds
from server.shelters.census import LANGUAGE_CODES
from server.shelters.models import Need, Round
from server.words import Role

MUNICIPALITY = "drill-municipality"
SHELTER_PREFIX = "【訓練】"


def municipality() -> User:
    """Return the drill's "municipality" requester (made once; it cannot sign in)."""
    user = db.session.scalar(select(User).where(User.username == MUNICIPALITY))
    if user is None:
        user = User(
            username=MUNICIPALITY,
            display_name="訓練: 自治体 / Drill: municipality",
            role=Role.REQUESTER,
            password_hash=hash_password(new_secret(32)),
            active=False,  # a name on drill requests, never an account anyone uses
        )
        db.session.add(user)
        db.session.flush()
    return user


def _news(drill: Drill, inject: DrillInject, content: dict[str, Any]) -> None:
    inject.created = {}
    db.session.commit()


def _inquiry(drill: Drill, inject: DrillInject, content: dict[str, Any]) -> None:
    fields = inquiries.parse(
        {
            "message": content["text"],
            "lang": content["lang"],
            "category": content["category"],
            "consent": True,
        },
        "web",
    )

    def link(item: Inquiry) -> None:
        inject.created = {"inquiry": item.id}

    inquiries.create(fields, "web", None, drill_id=drill.id, on_flush=link)


def drill_shelter(drill: Drill, name: dict[str, str]) -> Shelter:
    """Return the drill's own shelter of this name, made on its first report."""
    name_ja = (SHELTER_PREFIX + name["ja"])[:200]
    shelter = db.session.scalar(
        select(Shelter).where(Shelter.drill_id == drill.id, Shelter.name_ja == name_ja)
    )
    if shelter is None:
        shelter = Shelter(name_ja=name_ja, name_romaji=f"[DRILL] {name['en']}"[:200])
        shelter.drill_id = drill.id
        db.session.add(shelter)
        db.session.flush()
    return shelter


def _shelter_report(drill: Drill, inject: DrillInject, content: dict[str, Any]) -> None:
    shelter = drill_shelter(drill, content["shelter"])
    local = center_clock.local(utcnow())
    notes = content.get("notes", {}).get("ja", "")
    by_language = {k: v for k, v in content["by_language"].items() if k in LANGUAGE_CODES and v > 0}
    answers: dict[str, Any] = {
        "visit_date": local.date().isoformat(),
        "visit_time": local.strftime("%H:%M"),
        "visitors": "訓練 / drill",
        "total_evacuees": content["total_evacuees"],
        "foreign_evacuees": content["foreign_evacuees"],
        "foreign_by_language": by_language,
        "interpreter_needed": False,
        "medical_needs": False,
        "multilingual_notices_posted": False,
    }
    if content.get("by_nationality"):
        answers["foreign_by_nationality"] = content["by_nationality"]
    if notes:
        answers["issues_found"] = notes
    needs = [
        {"category": "language_help", "lang": lang, "urgency": "normal", "count": n, "note": notes}
        for lang, n in list(by_language.items())[: rounds.MAX_NEEDS]
    ]
    # The same inject always makes the same client id: a repeated release finds its round.
    client_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"tagengo:drill:{drill.id}:{inject.id}"))

    def link(item: Round, made: list[Need]) -> None:
        inject.created = {"round": item.id, "needs": [n.id for n in made], "shelter": shelter.id}

    rounds.record(shelter, client_id, answers, needs, None, drill_id=drill.id, on_flush=link)


def _phase_change(drill: Drill, inject: DrillInject, content: dict[str, Any]) -> None:
    inject.created = {"proposal": "pending"}
    db.session.commit()


def _translation_request(drill: Drill, inject: DrillInject, content: dict[str, Any]) -> None:
    targets = [t for t in content["targets"] if t in requests.center_targets()]
    requester = content["requester"]
    purpose = content.get("purpose", {}).get("ja", "")
    fields = requests.parse_request(
        {
            "source_lang": content.get("lang", "ja"),
            "text": content["text"],
            "targets": targets or requests.center_targets()[:1],
            "title": f"【訓練】{requester['ja']}"[:200],
            "purpose": purpose[:400],
        }
    )
    # The deadline is in scenario minutes: at speed 60, 30 minutes are 30 real seconds.
    fields["deadline"] = utcnow() + timedelta(minutes=content["deadline_minutes"] / drill.speed)

    def link(item: TranslationRequest) -> None:
        inject.created = {"translation_request": item.id}

    requests.create(fields, municipality(), drill_id=drill.id, on_flush=link)


MAKERS: dict[str, Callable[[Drill, DrillInject, dict[str, Any]], None]] = {
    InjectKind.NEWS: _news,
    InjectKind.INQUIRY: _inquiry,
    InjectKind.SHELTER_REPORT: _shelter_report,
    InjectKind.PHASE_CHANGE: _phase_change,
    InjectKind.TRANSLATION_REQUEST: _translation_request,
}


def content_of(drill: Drill, inject: DrillInject) -> dict[str, Any]:
    """Return the scenario's content of an inject (from the copy the run keeps)."""
    for item in drill.scenario["injects"]:
        if item["id"] == inject.inject_key:
            return dict(item["content"])
    raise LookupError(f"inject {inject.inject_key} is not in drill {drill.id}'s scenario")


def make(drill: Drill, inject: DrillInject) -> None:
    """Make what the inject makes and commit it with the claim already in the session."""
    MAKERS[inject.kind](drill, inject, content_of(drill, inject))
