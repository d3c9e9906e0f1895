"""Translation requests: intake, the queue by language, claims, checks and delivery.

A claim is a row, not a timer: ``claimed_until`` is renewed by every save, a lapsed claim
is free to whoever claims next (checked on write, under the update's WHERE), and the beat
task (``tick``) returns lapsed pieces to the queue and tells consoles about overdue ones.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from server.core import clock, outbox, validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import User, utcnow
from server.operations import activity
from server.operations.words import ActivityKind
from server.requests import documents, notices, prefill
from server.requests.live import notify
from server.requests.models import PieceEvent, RequestPiece, TranslationRequest
from server.requests.words import PieceAction, PieceStatus
from server.translation import machine_jobs, memory
from server.words import Role
from translations import languages

log = logging.getLogger(__name__)
MAX_TEXT = 20_000  # a few pages of a municipal notice
OPEN = (PieceStatus.WAITING, PieceStatus.CLAIMED, PieceStatus.CHECKING)
# The steps of a piece the activity log keeps (saves and releases stay in its own history).
LOGGED = {
    PieceAction.CLAIM: ActivityKind.REQUEST_CLAIMED,
    PieceAction.SUBMIT: ActivityKind.REQUEST_SUBMITTED,
    PieceAction.DELIVER: ActivityKind.REQUEST_DELIVERED,
}


def center_targets() -> list[str]:
    """The languages requests may ask for: the center's target languages."""
    return list(current_app.config["TARGET_LANGUAGES"])


def parse_targets(value: Any, source_lang: str) -> list[str]:
    """Read target languages (a list or a comma-separated string) the center lists."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise validation.bad("targets", "'targets' must be a list of language codes")
    found: list[str] = []
    for raw in (v.strip() for v in items if v.strip()):
        code = languages.normalize(raw)
        if code is None or code not in center_targets():
            raise validation.bad(
                "targets", f"the center does not translate into {raw!r}", "unknown_language"
            )
        if code != source_lang and code not in found:
            found.append(code)
    if not found:
        raise validation.bad("targets", "choose at least one target language", "required")
    return found


def read_file(filename: str, data: bytes) -> str:
    """Return an uploaded file's text, or raise ApiError saying why it cannot be used."""
    try:
        return documents.read_upload(
            filename,
            data,
            current_app.config["REQUEST_FILE_MAX_BYTES"],
            current_app.config["REQUEST_UNZIPPED_MAX_BYTES"],
        )
    except documents.DocumentError as exc:
        status = 413 if exc.code in ("too_large", "zip_bomb") else 400
        raise ApiError(status, exc.code, exc.message, "file") from None


def parse_request(data: Mapping[str, Any], file_text: str | None = None) -> dict[str, Any]:
    """Validate a translation request (text or an uploaded file's text); name the field."""
    raw_source = data.get("source_lang") or current_app.config["SOURCE_LANGUAGE"]
    source_lang = languages.normalize(str(raw_source))
    if source_lang is None:
        raise validation.bad("source_lang", f"unknown language {raw_source!r}", "unknown_language")
    text = file_text or validation.text(data, "text", max_chars=MAX_TEXT)
    if not text:
        raise validation.bad("text", "paste the text or attach a .txt or .docx file", "required")
    if len(text) > MAX_TEXT:
        raise ApiError(413, "too_long", f"the text is longer than {MAX_TEXT} characters", "text")
    deadline = validation.timestamp(data, "deadline")
    if deadline is None:
        deadline = utcnow() + timedelta(minutes=current_app.config["REQUEST_DEADLINE_MINUTES"])
    return {
        "source_lang": source_lang,
        "source_text": text,
        "targets": parse_targets(data.get("targets"), source_lang),
        "deadline": deadline,
        "title": validation.text(data, "title", max_chars=200) or "",
        "purpose": validation.text(data, "purpose", max_chars=400) or "",
    }


def create(
    fields: Mapping[str, Any],
    user: User,
    filename: str | None = None,
    *,
    drill_id: int | None = None,
    on_flush: Callable[[TranslationRequest], None] | None = None,
) -> TranslationRequest:
    """Store a request with a piece per language, start the machine pre-fill, tell consoles.

    A drill passes its id and ``on_flush``, which records what the inject made in this commit.
    """
    req = TranslationRequest(
        requester_id=user.id,
        title=fields["title"],
        purpose=fields["purpose"],
        source_lang=fields["source_lang"],
        source_text=fields["source_text"],
        filename=(filename or "")[:200] or None,
        deadline=fields["deadline"],
        drill_id=drill_id,
    )
    db.session.add(req)
    db.session.flush()
    pieces = [RequestPiece(request_id=req.id, lang=lang) for lang in fields["targets"]]
    db.session.add_all(pieces)
    db.session.flush()
    pairs = [pair for piece in pieces if (pair := prefill.start(req, piece)) is not None]
    if on_flush is not None:
        on_flush(req)
    mails = notices.plan_new(req, fields["targets"])
    db.session.commit()
    if mails is not None:
        outbox.dispatch([mails])
    for source_lang, target_lang in pairs:
        try:
            machine_jobs.wake(source_lang, target_lang)
        except Exception:  # Redis away: the beat tick wakes waiting jobs again
            log.warning("broker unavailable; request %s waits for the tick", req.id)
    for piece in pieces:
        notify("request.new", piece)
    return req


def is_overdue(piece: RequestPiece, now: datetime | None = None) -> bool:
    """Tell whether a piece is past its request's deadline and not delivered."""
    return piece.status != PieceStatus.DELIVERED and piece.request.deadline < (now or utcnow())


def claim_live(piece: RequestPiece, now: datetime | None = None) -> bool:
    """Tell whether a claimed piece's claim still holds (a lapsed one is free)."""
    return (
        piece.status == PieceStatus.CLAIMED
        and piece.claimed_until is not None
        and piece.claimed_until >= (now or utcnow())
    )


def queue(lang: str | None = None) -> list[RequestPiece]:
    """Pieces not yet delivered, soonest deadline first (optionally of one language)."""
    query = (
        select(RequestPiece)
        .join(TranslationRequest)
        .where(RequestPiece.status.in_(OPEN))
        .order_by(TranslationRequest.deadline, RequestPiece.id)
    )
    if lang:
        query = query.where(RequestPiece.lang == lang)
    return list(db.session.scalars(query))


def _history(piece: RequestPiece, user: User | None, action: PieceAction) -> None:
    db.session.add(PieceEvent(piece_id=piece.id, user_id=user.id if user else None, action=action))
    kind = LOGGED.get(action)
    if kind is not None:
        # A drill's piece carries its id, so the drill's measures and reset find the entry.
        activity.record(
            kind,
            f"request {piece.request_id} piece {piece.id} ({piece.lang}) {action}",
            user=user,
            lang=piece.lang,
            ref=f"request_piece:{piece.id}",
            drill_id=piece.request.drill_id,
        )


def _lease() -> timedelta:
    return timedelta(minutes=current_app.config["REQUEST_CLAIM_MINUTES"])


def get_piece(piece_id: int) -> RequestPiece:
    """Return a piece or raise a 404."""
    piece = db.session.get(RequestPiece, piece_id)
    if piece is None:
        raise ApiError(404, "not_found", f"no request piece {piece_id}")
    return piece


def may_work_on(user: User, piece: RequestPiece) -> bool:
    """A remote translator works only in the languages of their invite."""
    return user.role != Role.REMOTE or piece.lang in user.languages.split(",")


def claim(piece_id: int, user: User) -> RequestPiece:
    """Give a waiting (or lapsed) piece to ``user``; a piece someone holds is refused."""
    piece = get_piece(piece_id)
    if not may_work_on(user, piece):
        raise ApiError(403, "forbidden", f"your account does not work in {piece.lang}")
    now = utcnow()
    free = or_(
        RequestPiece.status == PieceStatus.WAITING,
        and_(RequestPiece.status == PieceStatus.CLAIMED, RequestPiece.claimed_until < now),
    )
    # The WHERE is re-checked under the write lock: of two claims at once, one wins.
    done = db.session.execute(
        update(RequestPiece)
        .where(RequestPiece.id == piece_id, free)
        .values(
            status=PieceStatus.CLAIMED,
            translator_id=user.id,
            claimed_at=now,
            claimed_until=now + _lease(),
            first_claimed_at=func.coalesce(RequestPiece.first_claimed_at, now),
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        db.session.refresh(piece)
        raise _not_free(piece)
    _history(piece, user, PieceAction.CLAIM)
    db.session.commit()
    db.session.refresh(piece)
    notify("request.claimed", piece)
    return piece


def _not_free(piece: RequestPiece) -> ApiError:
    if piece.status == PieceStatus.CLAIMED:
        holder = db.session.get(User, piece.translator_id) if piece.translator_id else None
        name = holder.username if holder else "someone"
        until = piece.claimed_until.astimezone(clock.center_tz()) if piece.claimed_until else None
        return ApiError(
            409,
            "claimed",
            f"{name} is translating this piece"
            + (f" (claim runs until {until:%H:%M})" if until else ""),
        )
    return ApiError(409, "not_waiting", f"this piece is {piece.status}, not waiting")


def _holding(piece_id: int, user: User) -> RequestPiece:
    piece = get_piece(piece_id)
    if piece.status != PieceStatus.CLAIMED or piece.translator_id != user.id:
        raise ApiError(409, "not_yours", "claim the piece first; someone else may hold it")
    return piece


def _text(value: Any, required: bool) -> str | None:
    data = {"text": value}
    return validation.text(data, "text", required=required, max_chars=MAX_TEXT)


def save(piece_id: int, user: User, text: Any) -> RequestPiece:
    """Keep the translator's draft and renew their claim."""
    piece = _holding(piece_id, user)
    piece.text = _text(text, required=False)
    piece.claimed_until = utcnow() + _lease()
    _history(piece, user, PieceAction.SAVE)
    db.session.commit()
    return piece


def submit(piece_id: int, user: User, text: Any) -> RequestPiece:
    """Hand the translation to a second person for checking."""
    piece = _holding(piece_id, user)
    piece.text = _text(text, required=True)
    piece.status, piece.submitted_at, piece.claimed_until = PieceStatus.CHECKING, utcnow(), None
    _history(piece, user, PieceAction.SUBMIT)
    db.session.commit()
    notify("request.submitted", piece)
    return piece


def release(piece_id: int, user: User) -> RequestPiece:
    """Give a claimed piece back to the queue (its draft stays)."""
    piece = _holding(piece_id, user)
    piece.status, piece.translator_id, piece.claimed_until = PieceStatus.WAITING, None, None
    _history(piece, user, PieceAction.RELEASE)
    db.session.commit()
    notify("request.released", piece)
    return piece


def check(piece_id: int, user: User, action: str, text: Any = None) -> RequestPiece:
    """Approve (deliver, with corrections) or return a submitted piece; never one's own."""
    piece = get_piece(piece_id)
    if piece.status != PieceStatus.CHECKING:
        raise ApiError(
            409, "not_checking", f"this piece is {piece.status}, not waiting for a check"
        )
    if piece.translator_id == user.id:
        raise ApiError(409, "own_work", "a second person must check this translation")
    if not may_work_on(user, piece):
        raise ApiError(403, "forbidden", f"your account does not work in {piece.lang}")
    if action == "approve":
        piece.text = _text(text, required=False) or piece.text
        piece.status, piece.checker_id, piece.delivered_at = (
            PieceStatus.DELIVERED,
            user.id,
            utcnow(),
        )
        _remember(piece, user)
        _history(piece, user, PieceAction.DELIVER)
        kind = "request.delivered"
    elif action == "return":
        piece.status, piece.claimed_at = PieceStatus.CLAIMED, utcnow()
        piece.claimed_until = utcnow() + _lease()
        _history(piece, user, PieceAction.RETURN)
        kind = "request.returned"
    else:
        raise validation.bad("action", "'action' must be approve or return")
    db.session.commit()
    notify(kind, piece)
    return piece


def _remember(piece: RequestPiece, user: User) -> None:
    """Put the checked pair into the memory: the whole text, and line by line when aligned."""
    req, text = piece.request, piece.text or ""
    memory.remember(req.source_lang, piece.lang, req.source_text, text, user.id, "request")
    source_lines = [line for line in req.source_text.split("\n") if line.strip()]
    target_lines = [line for line in text.split("\n") if line.strip()]
    if len(source_lines) > 1 and len(source_lines) == len(target_lines):
        seen = {memory.source_key(req.source_text)}
        for src, tgt in zip(source_lines, target_lines, strict=True):
            if memory.source_key(src) not in seen:
                seen.add(memory.source_key(src))
                memory.remember(req.source_lang, piece.lang, src, tgt, user.id, "request")


def tick() -> tuple[int, int]:
    """Return lapsed claims to the queue and tell consoles of newly overdue pieces.

    Pre-fill jobs left waiting (a broker outage at intake) are woken by the outbox sweep, as
    every kind's are (``machine_jobs.wake_forgotten``). Returns (claims released, pieces
    newly overdue).
    """
    now = utcnow()
    lapsed = db.session.scalars(
        select(RequestPiece).where(
            RequestPiece.status == PieceStatus.CLAIMED, RequestPiece.claimed_until < now
        )
    ).all()
    for piece in lapsed:
        piece.status, piece.translator_id, piece.claimed_until = PieceStatus.WAITING, None, None
        _history(piece, None, PieceAction.LAPSE)
    overdue = db.session.scalars(
        select(RequestPiece)
        .join(TranslationRequest)
        .where(
            RequestPiece.status.in_(OPEN),
            TranslationRequest.deadline < now,
            RequestPiece.overdue_told_at.is_(None),
        )
    ).all()
    for piece in overdue:
        piece.overdue_told_at = now
    mails = notices.plan_overdue(list(overdue))
    db.session.commit()
    outbox.dispatch(mails)
    for piece in lapsed:
        notify("request.released", piece)
    for piece in overdue:
        notify("request.overdue", piece)
    return len(lapsed), len(overdue)
