"""Residents' inquiries (相談対応): intake, triage, replies in their language, retention."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select

import manuals
from server.core import outbox, validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.core.security import hash_token, new_secret
from server.core.tasks import TaskName
from server.live import events
from server.models import (
    AuditLog,
    Inquiry,
    InquiryEvent,
    InquiryReply,
    Shelter,
    User,
    utcnow,
)
from server.operations import activity
from server.operations.words import ActivityKind
from server.roster.models import Person
from server.translation import machine_jobs, memory
from server.words import InquiryStatus, JobKind, Method, TranslationStatus
from translations import languages, phrasebook, priority

log = logging.getLogger(__name__)
STATUSES = tuple(InquiryStatus)
PENDING = "pending"  # message_ja_method while the Japanese is not there yet
CHANNELS = ("web", "phone", "walk_in", "api")
MAX_MESSAGE = 2000
PERSONAL = ("place", "message", "name", "contact", "message_ja")


def inquiry_ref(inquiry_id: int) -> str:
    """Name an inquiry's outbox work."""
    return f"inquiry:{inquiry_id}"


def reply_ref(reply_id: int) -> str:
    """Name a reply's outbox work."""
    return f"reply:{reply_id}"


def category_codes() -> list[str]:
    """Stable inquiry category codes from the manual."""
    return [c["code"] for c in manuals.load_inquiry_categories()]


def history(inquiry: Inquiry, user: User | None, action: str, detail: str | None = None) -> None:
    db.session.add(
        InquiryEvent(
            inquiry_id=inquiry.id, user_id=user.id if user else None, action=action, detail=detail
        )
    )


def notify(inquiry: Inquiry, kind: str) -> None:
    """Tell consoles something changed; ids and status only, never the resident's words."""
    events.emit_control(
        "inquiry",
        {"type": kind, "id": inquiry.id, "status": inquiry.status, "priority": inquiry.priority},
        room="console",
    )


def parse(data: Mapping[str, Any], channel: str) -> dict[str, Any]:
    """Validate a new inquiry from any channel; raise ApiError naming the field."""
    message = validation.text(data, "message", required=True, max_chars=MAX_MESSAGE)
    raw_lang = data.get("lang")
    lang = None
    if raw_lang not in (None, "", "auto"):
        lang = languages.normalize(str(raw_lang))
        if lang is None:
            raise validation.bad("lang", f"unknown language {raw_lang!r}")
    category = data.get("category") or "other"
    if category not in category_codes():
        raise validation.bad("category", f"unknown category {category!r}")
    shelter_id = data.get("shelter_id")
    if shelter_id not in (None, ""):
        try:
            shelter_id = int(shelter_id)
        except (TypeError, ValueError):
            raise validation.bad("shelter_id", "'shelter_id' must be a shelter id") from None
        if not 0 < shelter_id <= validation.MAX_ID or db.session.get(Shelter, shelter_id) is None:
            raise ApiError(404, "unknown_shelter", f"no shelter with id {shelter_id}", "shelter_id")
    else:
        shelter_id = None
    name = validation.text(data, "name", max_chars=200)
    contact = validation.text(data, "contact", max_chars=200)
    consent = data.get("consent") in (True, "on", "true", "1")
    if channel == "web" and not consent:
        raise validation.bad("consent", "agree to how the center uses your data", "required")
    return {
        "message": message,
        "lang": lang,
        "category": category,
        "shelter_id": shelter_id,
        "place": validation.text(data, "place", max_chars=200),
        "name": name,
        "contact": contact,
        "consent": consent,
        "interpreter": validation.text(data, "interpreter", max_chars=200),
    }


def create(
    fields: Mapping[str, Any],
    channel: str,
    user: User | None = None,
    *,
    drill_id: int | None = None,
    on_flush: Callable[[Inquiry], None] | None = None,
) -> tuple[Inquiry, str]:
    """Store an inquiry; return it with the resident's private status token (shown once).

    A drill passes its id (the inquiry is drill work) and ``on_flush``, which records what the
    inject made inside this same commit.
    """
    token = new_secret(24)
    hits = priority.life_safety_hits(fields["message"])
    inquiry = Inquiry(
        token_hash=hash_token(token),
        channel=channel,
        lang=fields["lang"] or "und",
        lang_chosen=fields["lang"] is not None,
        category=fields["category"],
        shelter_id=fields["shelter_id"],
        place=fields["place"],
        message=fields["message"],
        name=fields["name"],
        contact=fields["contact"],
        consent=fields["consent"],
        interpreter=fields.get("interpreter"),
        priority=bool(hits),
        priority_reason=("life-safety words: " + ", ".join(hits))[:200] if hits else None,
        message_ja_method=PENDING,
        created_by=user.id if user else None,
        status=InquiryStatus.OPEN,
        drill_id=drill_id,
    )
    db.session.add(inquiry)
    db.session.flush()
    history(inquiry, user, "created", channel)
    activity.record(
        ActivityKind.INQUIRY_CREATED,
        f"inquiry {inquiry.id} ({channel}, {inquiry.category})",
        user=user,
        lang=inquiry.lang,
        ref=f"inquiry:{inquiry.id}",
        drill_id=drill_id,
    )
    work = outbox.add(TaskName.PROCESS_INQUIRY, inquiry.id, ref=inquiry_ref(inquiry.id))
    if on_flush is not None:
        on_flush(inquiry)
    db.session.commit()
    outbox.dispatch([work])
    notify(inquiry, "created")
    return inquiry, token


def by_token(token: str) -> Inquiry | None:
    """Find an inquiry by its resident's status token."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Inquiry).where(Inquiry.token_hash == hash_token(token)))


def view(inquiry: Inquiry, user: User, remote_addr: str | None) -> None:
    """Write the audit record of a staff member seeing an inquiry."""
    db.session.add(
        AuditLog(
            user_id=user.id,
            action="view",
            object_type="inquiry",
            object_id=inquiry.id,
            remote_addr=remote_addr,
        )
    )
    db.session.commit()


def update(inquiry: Inquiry, data: Mapping[str, Any], user: User) -> Inquiry:
    """Change status, referral, assignee or priority; each change goes into the history."""
    if "status" in data:
        status = validation.choice(data, "status", STATUSES, inquiry.status)
        if status == InquiryStatus.REFERRED:
            inquiry.referred_to = validation.text(data, "referred_to", required=True, max_chars=200)
        if status != inquiry.status:
            history(inquiry, user, "status", f"{inquiry.status} → {status}")
            inquiry.status = status
    if "assignee_id" in data:
        assignee = data["assignee_id"]
        if assignee not in (None, ""):
            try:
                target = db.session.get(User, int(assignee))
            except (TypeError, ValueError):
                target = None
            if target is None or not target.active:
                raise validation.bad("assignee_id", "no such active staff member")
            inquiry.assignee_id = target.id
            history(inquiry, user, "assigned", target.username)
        else:
            inquiry.assignee_id = None
            history(inquiry, user, "assigned", "nobody")
        if inquiry.status == InquiryStatus.OPEN:
            history(inquiry, user, "status", "open → in_progress")
            inquiry.status = InquiryStatus.IN_PROGRESS
    if "interpreter_person_id" in data:
        person = _rostered(data["interpreter_person_id"])
        inquiry.interpreter = person.name[:200]
        history(inquiry, user, "interpreter", f"roster person {person.id}")
    if "priority" in data:
        flag = validation.boolean(data, "priority", inquiry.priority)
        if flag != inquiry.priority:
            inquiry.priority = flag
            inquiry.priority_reason = f"set by {user.username}" if flag else None
            history(inquiry, user, "priority", "raised" if flag else "lowered")
    inquiry.updated_at = utcnow()
    db.session.commit()
    notify(inquiry, "updated")
    return inquiry


def _rostered(value: Any) -> Person:
    try:
        person = db.session.get(Person, int(value))
    except (TypeError, ValueError):
        person = None
    if person is None or person.purged_at is not None:
        raise validation.bad("interpreter_person_id", "no such person in the roster")
    return person


def reply(inquiry: Inquiry, data: Mapping[str, Any], user: User) -> InquiryReply:
    """Store a reply written in Japanese (or a phrasebook template) and queue its translation."""
    if inquiry.purged_at is not None:
        raise ApiError(409, "purged", "this inquiry's personal data was purged")
    template_id = validation.text(data, "template_id", max_chars=120)
    text_ja = validation.text(data, "text", max_chars=MAX_MESSAGE)
    if template_id:
        template = phrasebook.load().get(template_id)
        if template is None or template.slots:
            raise validation.bad("template_id", "choose a phrasebook sentence without slots")
        text_ja = template.text["ja"]
    if not text_ja:
        raise validation.bad("text", "'text' is required (the reply in Japanese)", "required")
    row = InquiryReply(
        inquiry_id=inquiry.id,
        author_id=user.id,
        text_ja=text_ja,
        template_id=template_id,
        status=TranslationStatus.TRANSLATING,
    )
    db.session.add(row)
    inquiry.first_reply_at = inquiry.first_reply_at or utcnow()
    # Answered only once the resident can read the reply: until then, waiting for translation.
    if inquiry.status in (InquiryStatus.OPEN, InquiryStatus.IN_PROGRESS, InquiryStatus.ANSWERED):
        history(inquiry, user, "status", f"{inquiry.status} → {InquiryStatus.WAITING}")
        inquiry.status = InquiryStatus.WAITING
    inquiry.updated_at = utcnow()
    db.session.flush()
    history(inquiry, user, "reply", f"reply {row.id}")
    activity.record(
        ActivityKind.INQUIRY_REPLIED,
        f"inquiry {inquiry.id} reply {row.id}",
        user=user,
        lang=inquiry.lang,
        ref=f"inquiry:{inquiry.id}",
        drill_id=inquiry.drill_id,
    )
    work = outbox.add(TaskName.TRANSLATE_REPLY, row.id, ref=reply_ref(row.id))
    db.session.commit()
    outbox.dispatch([work])
    notify(inquiry, "replied")
    return row


def answered_if_delivered(inquiry: Inquiry, user: User | None = None) -> None:
    """A waiting inquiry becomes answered once every reply is in the resident's language."""
    if inquiry.status == InquiryStatus.WAITING and all(
        r.status == TranslationStatus.DONE for r in inquiry.replies
    ):
        history(inquiry, user, "status", f"{InquiryStatus.WAITING} → {InquiryStatus.ANSWERED}")
        inquiry.status = InquiryStatus.ANSWERED
        inquiry.updated_at = utcnow()


def correct_reply(reply: InquiryReply, text: str, user: User) -> InquiryReply:
    """A reviewer or interpreter writes or corrects the resident-language text of a reply."""
    inquiry = db.session.get(Inquiry, reply.inquiry_id)
    reply.text, reply.method, reply.reviewed, reply.status = (
        text,
        Method.HUMAN,
        True,
        TranslationStatus.DONE,
    )
    reply.reason = None
    outbox.close(reply_ref(reply.id))  # a person's text settles it; a late machine one is dropped
    if inquiry is not None and reply.text_ja:
        memory.remember("ja", inquiry.lang, reply.text_ja, text, user.id)
        history(inquiry, user, "reply_reviewed", f"reply {reply.id}")
    if inquiry is not None:
        answered_if_delivered(inquiry, user)
    db.session.commit()
    return reply


def purge(older_than_days: int) -> int:
    """Empty personal fields of inquiries older than N days; keep the counts."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    count = 0
    for inquiry in db.session.scalars(
        select(Inquiry).where(Inquiry.created_at < cutoff, Inquiry.purged_at.is_(None))
    ):
        for field in PERSONAL:
            setattr(inquiry, field, None)
        for row in inquiry.replies:
            row.text = row.text_ja = None
        machine_jobs.forget(JobKind.INQUIRY, [inquiry.id])
        machine_jobs.forget(JobKind.REPLY, [row.id for row in inquiry.replies])
        inquiry.purged_at = utcnow()
        history(inquiry, None, "purged", f"older than {older_than_days} days")
        count += 1
    db.session.commit()
    return count


def filtered(args: Mapping[str, str]) -> Any:
    """The inquiry query for list filters shared by the desk and the API, priority first."""
    query = select(Inquiry).order_by(Inquiry.priority.desc(), Inquiry.id.desc())
    if args.get("status"):
        query = query.where(
            Inquiry.status == validation.choice(args, "status", STATUSES, InquiryStatus.OPEN)
        )
    for field, column in (("category", Inquiry.category), ("lang", Inquiry.lang)):
        if args.get(field):
            query = query.where(column == args[field])
    shelter_id = validation.query_int(args, "shelter_id")
    if shelter_id is not None:
        query = query.where(Inquiry.shelter_id == shelter_id)
    if args.get("priority") in ("1", "true"):
        query = query.where(Inquiry.priority.is_(True))
    hours = validation.query_int(args, "older_than_hours", 24 * 366 * 100)
    if hours is not None:
        query = query.where(Inquiry.created_at < utcnow() - timedelta(hours=hours))
    return query
