"""How fast requests are served, per language: time to claim, to deliver, share on time."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from server.core.extensions import db
from server.models import utcnow
from server.requests.models import RequestPiece, TranslationRequest
from server.requests.words import PieceStatus


@dataclass(frozen=True)
class LanguageMetrics:
    lang: str
    pieces: int
    delivered: int
    median_claim_minutes: float | None
    median_deliver_minutes: float | None
    on_time: int  # delivered by the deadline
    due: int  # delivered, or past the deadline

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.due if self.due else None


def _minutes(later: datetime | None, earlier: datetime) -> float | None:
    return (later - earlier).total_seconds() / 60 if later is not None else None


def _median(values: list[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    return round(statistics.median(found), 1) if found else None


def per_language(now: datetime | None = None) -> list[LanguageMetrics]:
    """Metrics of every language that has requests, most requested first."""
    now = now or utcnow()
    rows = db.session.execute(select(RequestPiece, TranslationRequest).join(TranslationRequest))
    by_lang: dict[str, list[tuple[RequestPiece, TranslationRequest]]] = {}
    for piece, req in rows:
        by_lang.setdefault(piece.lang, []).append((piece, req))
    out = []
    for lang, items in by_lang.items():
        delivered = [(p, r) for p, r in items if p.status == PieceStatus.DELIVERED]
        out.append(
            LanguageMetrics(
                lang=lang,
                pieces=len(items),
                delivered=len(delivered),
                median_claim_minutes=_median(
                    [_minutes(p.first_claimed_at, r.created_at) for p, r in items]
                ),
                median_deliver_minutes=_median(
                    [_minutes(p.delivered_at, r.created_at) for p, r in delivered]
                ),
                on_time=sum(
                    1 for p, r in delivered if p.delivered_at and p.delivered_at <= r.deadline
                ),
                due=len(delivered)
                + sum(
                    1 for p, r in items if p.status != PieceStatus.DELIVERED and r.deadline < now
                ),
            )
        )
    return sorted(out, key=lambda m: (-m.pieces, m.lang))
