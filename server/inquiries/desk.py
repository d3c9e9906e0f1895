"""What the desk must handle by hand: messages and replies no engine can translate."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from server.core.extensions import db
from server.inquiries.service import PENDING
from server.models import Inquiry, InquiryReply
from server.words import InquiryStatus, TranslationStatus

SETTLED = (InquiryStatus.CLOSED, InquiryStatus.REFERRED)


def untranslated_messages(limit: int = 50) -> Sequence[Inquiry]:
    """Inquiries whose message no engine could put into Japanese (an interpreter must)."""
    return db.session.scalars(
        select(Inquiry)
        .where(
            Inquiry.message_ja_method == PENDING,
            Inquiry.message_ja_note.is_not(None),
            Inquiry.purged_at.is_(None),
            Inquiry.status.not_in(SETTLED),
        )
        .order_by(Inquiry.priority.desc(), Inquiry.id)
        .limit(limit)
    ).all()


def untranslated_replies(limit: int = 50) -> Sequence[tuple[InquiryReply, Inquiry]]:
    """Replies no engine could put into the resident's language: the resident has nothing yet."""
    rows = db.session.execute(
        select(InquiryReply, Inquiry)
        .join(Inquiry, Inquiry.id == InquiryReply.inquiry_id)
        .where(
            InquiryReply.status == TranslationStatus.PENDING,
            Inquiry.purged_at.is_(None),
            Inquiry.status.not_in(SETTLED),
        )
        .order_by(Inquiry.priority.desc(), InquiryReply.id)
        .limit(limit)
    ).all()
    return [(reply, inquiry) for reply, inquiry in rows]
