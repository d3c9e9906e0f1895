"""E-mail about requests, when a mail server is configured (TAGENGO_SMTP_URL).

A new request tells the people who can take it: translator accounts (staff and remote) whose
languages include a target, and available rostered people with the written-translation skill
in a target language. A piece that runs overdue tells the center's admins, once. Addresses
live only in the roster (an account's address is the contact of the roster entry linked to
it): a notice row names the person, the worker reads the address when it sends, and no task
argument or log line carries one. Each notice is sent once: the row is committed ``sent``
before the SMTP server is told to accept the message (see ``server.channels.mail``).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select, update

from server.channels import mail
from server.core import clock, outbox
from server.core.extensions import db
from server.core.tasks import TaskName
from server.models import Outbox, User, utcnow
from server.requests.models import RequestNotice, RequestPiece, TranslationRequest
from server.roster.models import Person
from server.roster.words import PersonStatus, Skill
from server.words import TRANSLATORS, Role

log = logging.getLogger(__name__)
NEW, OVERDUE = "new", "overdue"
WAITING, SENT, SKIPPED, FAILED = "waiting", "sent", "skipped", "failed"


def _email(person: Person) -> str | None:
    contact = (person.contact or "").strip()
    return contact if person.purged_at is None and mail.EMAIL.match(contact) else None


def _linked(user_ids: Iterable[int]) -> list[Person]:
    ids = list(user_ids)
    if not ids:
        return []
    return list(db.session.scalars(select(Person).where(Person.user_id.in_(ids))))


def takers(targets: list[str]) -> list[Person]:
    """The people with an e-mail who can take a piece in one of ``targets``."""
    accounts = db.session.scalars(
        select(User).where(User.active.is_(True), User.role.in_([str(r) for r in TRANSLATORS]))
    ).all()
    speaking = [u.id for u in accounts if set(u.languages.split(",")) & set(targets)]
    found = {p.id: p for p in _linked(speaking)}
    rostered = db.session.scalars(
        select(Person).where(Person.status == PersonStatus.AVAILABLE, Person.purged_at.is_(None))
    )
    for person in rostered:
        if Skill.WRITTEN in person.skills and set(person.languages) & set(targets):
            found.setdefault(person.id, person)
    return sorted((p for p in found.values() if _email(p)), key=lambda p: p.id)


def admins() -> list[Person]:
    """The roster entries, with an e-mail, of the center's active admin accounts."""
    ids = db.session.scalars(
        select(User.id).where(User.active.is_(True), User.role == Role.ADMIN)
    ).all()
    return [p for p in _linked(ids) if _email(p)]


def _add(
    key: str, kind: str, req: TranslationRequest, person: Person, piece_id: int | None
) -> bool:
    if db.session.scalar(select(RequestNotice.id).where(RequestNotice.key == key)) is not None:
        return False
    db.session.add(
        RequestNotice(key=key, kind=kind, request_id=req.id, piece_id=piece_id, person_id=person.id)
    )
    return True


def plan_new(req: TranslationRequest, targets: list[str]) -> Outbox | None:
    """Record who hears of a new request (in the caller's transaction); None when no mail."""
    if not mail.enabled() or req.drill_id is not None:
        return None
    added = [_add(f"{NEW}:{req.id}:{p.id}", NEW, req, p, None) for p in takers(targets)]
    return _work(req) if any(added) else None


def plan_overdue(pieces: list[RequestPiece]) -> list[Outbox]:
    """Record which admins hear of newly overdue pieces (in the caller's transaction)."""
    if not mail.enabled() or not pieces:
        return []
    people = admins()
    work: dict[int, Outbox] = {}
    for piece in pieces:
        req = piece.request
        if req.drill_id is not None:
            continue
        added = [_add(f"{OVERDUE}:{piece.id}:{p.id}", OVERDUE, req, p, piece.id) for p in people]
        if any(added) and req.id not in work:
            work[req.id] = _work(req)
    return list(work.values())


def _work(req: TranslationRequest) -> Outbox:
    return outbox.add(TaskName.SEND_REQUEST_NOTICES, req.id, ref=f"request-notices:{req.id}")


def _body(notice: RequestNotice, req: TranslationRequest) -> tuple[str, str]:
    """Subject and text of a notice, in Japanese and English (staff read either)."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    langs = ", ".join(p.lang for p in req.pieces)
    deadline = clock.format_local(req.deadline)
    title = req.title or f"#{req.id}"
    if notice.kind == OVERDUE:
        piece = db.session.get(RequestPiece, notice.piece_id)
        lang = piece.lang if piece is not None else "?"
        subject = f"[Tagengo] 期限超過 / Overdue: {title} ({lang})"
        lines = [
            f"翻訳依頼「{title}」の {lang} が期限（{deadline}）を過ぎましたが、"
            "まだ納品されていません。",
            f"The {lang} translation of request “{title}” is past its deadline ({deadline}) "
            "and not delivered yet.",
            f"{base}/requests/pieces/{notice.piece_id}",
        ]
    else:
        subject = f"[Tagengo] 翻訳依頼 / Translation request: {title} ({langs})"
        lines = [
            f"新しい翻訳依頼「{title}」が届きました。言語: {langs}、期限: {deadline}。",
            f"A new translation request “{title}” came in: {langs}, due {deadline}.",
            f"{base}/requests/queue",
        ]
    return subject, "\n\n".join(lines)


def send(request_id: int) -> int:
    """Worker side: send the request's waiting notices; a re-run sends nothing twice."""
    req = db.session.get(TranslationRequest, request_id)
    waiting = db.session.scalars(
        select(RequestNotice)
        .where(RequestNotice.request_id == request_id, RequestNotice.status == WAITING)
        .order_by(RequestNotice.id)
    ).all()
    sent = 0
    if req is not None and waiting:
        with mail.connect() as smtp:
            for notice in waiting:
                sent += _send_one(smtp, notice, req)
    outbox.close(f"request-notices:{request_id}")
    db.session.commit()
    log.info("request=%s notices sent=%s", request_id, sent)
    return sent


def _send_one(smtp: smtplib.SMTP, notice: RequestNotice, req: TranslationRequest) -> int:
    person = db.session.get(Person, notice.person_id)
    address = _email(person) if person is not None else None
    if address is None:  # purged or changed since: nobody to tell
        notice.status = SKIPPED
        db.session.commit()
        return 0
    subject, body = _body(notice, req)
    message = mail.compose(address, subject, body, "ja")

    def commit_sent() -> bool:
        # Only the worker whose UPDATE finds the row still waiting may finish the message.
        done = db.session.execute(
            update(RequestNotice)
            .where(RequestNotice.id == notice.id, RequestNotice.status == WAITING)
            .values(status=SENT, sent_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]

    try:
        mail.send_once(smtp, current_app.config["MAIL_FROM"], address, message, commit_sent)
    except mail.LostClaim:
        return 0
    except mail.SmtpRefused as exc:
        if not exc.after_commit:
            notice.status, notice.error = FAILED, str(exc)[:200]
            db.session.commit()
        log.warning("request=%s notice=%s refused (%s)", req.id, notice.id, exc.code)
        return 0
    return 1
