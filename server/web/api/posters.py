"""Printed sheets over the API: posters, shelter batches, pointing board, registration card."""

from __future__ import annotations

from flask import Response, request

from server.channels import posters, printing
from server.core.auth import require_role
from server.web.api.blueprint import bp
from server.words import WRITERS


def _pdf(body: bytes, name: str) -> Response:
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )


@bp.get("/announcements/<int:announcement_id>/poster.pdf")
@require_role(*WRITERS)
def announcement_poster(announcement_id: int) -> Response:
    """?size=A4|A3, ?langs=en,vi (at most five) and/or ?shelter=<id> (its census languages)."""
    size = posters.parse_size(request.args.get("size"))
    items = posters.announcement_posters(announcement_id, request.args)
    return _pdf(printing.posters_pdf(items, size), f"poster-{announcement_id}-{size}")


@bp.get("/posters/shelters.pdf")
@require_role(*WRITERS)
def shelter_posters() -> Response:
    """?announcement=<id>&size=A4|A3: one page per open shelter it reaches."""
    size = posters.parse_size(request.args.get("size"))
    items = posters.shelter_posters(request.args)
    return _pdf(printing.posters_pdf(items, size), f"posters-shelters-{size}")


@bp.get("/print/phrasebook.pdf")
@require_role(*WRITERS)
def phrasebook_poster() -> Response:
    """?template=&slot.<name>=&langs=en,vi&severity=&size=: one phrasebook sentence as a poster."""
    size = posters.parse_size(request.args.get("size"))
    item = posters.phrasebook_poster(request.args)
    return _pdf(printing.posters_pdf([item], size), f"phrasebook-{size}")


@bp.get("/print/pointing-board.pdf")
@require_role(*WRITERS)
def pointing_board() -> Response:
    """?lang=ne: the pointing board in Japanese and that language."""
    lang = printing.sheet_language(request.args.get("lang"))
    return _pdf(printing.pointing_board_pdf(lang), f"pointing-board-{lang}")


@bp.get("/print/registration-card.pdf")
@require_role(*WRITERS)
def registration_card() -> Response:
    """?lang=ne: a blank registration card, labels in Japanese and that language."""
    lang = printing.sheet_language(request.args.get("lang"))
    return _pdf(printing.registration_card_pdf(lang), f"registration-card-{lang}")
