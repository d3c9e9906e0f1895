"""Translation memory: reviewed human translations, reused before any machine translation."""

from __future__ import annotations

import hashlib
import unicodedata

from sqlalchemy import select

from server.core.extensions import db
from server.models import MemoryEntry, utcnow


def source_key(text: str) -> str:
    """Key a source text by its normalised form (width, case and spacing folded)."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(folded.encode()).hexdigest()


def lookup(source_lang: str, target_lang: str, text: str) -> str | None:
    """Return the remembered translation of ``text``, if a person made or approved one."""
    return db.session.scalar(
        select(MemoryEntry.target_text).where(
            MemoryEntry.source_lang == source_lang,
            MemoryEntry.target_lang == target_lang,
            MemoryEntry.source_key == source_key(text),
        )
    )


def remember(
    source_lang: str,
    target_lang: str,
    source_text: str,
    target_text: str,
    user_id: int | None,
    origin: str = "review",
) -> MemoryEntry:
    """Store (or replace) a reviewed translation; the caller commits."""
    key = source_key(source_text)
    entry = db.session.scalar(
        select(MemoryEntry).where(
            MemoryEntry.source_lang == source_lang,
            MemoryEntry.target_lang == target_lang,
            MemoryEntry.source_key == key,
        )
    )
    if entry is None:
        entry = MemoryEntry(
            source_lang=source_lang,
            target_lang=target_lang,
            source_key=key,
            source_text=source_text,
            target_text=target_text,
            origin=origin,
            created_by=user_id,
        )
        db.session.add(entry)
    else:
        entry.target_text = target_text
        entry.origin = origin
        entry.updated_at = utcnow()
    return entry
