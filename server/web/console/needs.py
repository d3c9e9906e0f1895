"""Console pages for needs: the needs board, one need, its status and its announcements."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from server.core.extensions import db
from server.models import Announcement, User, utcnow
from server.shelters import census, needs
from server.shelters.models import Need
from server.web.console.blueprint import bp
from server.words import WRITERS
from translations import languages


def _titles() -> dict[str, str]:
    return needs.category_titles(str(get_locale()) != "en")


@bp.get("/needs")
@login_required
def needs_board() -> str:
    """Open needs by shelter and by language, oldest first, with their age."""
    by_shelter, by_lang = needs.grouped(needs.open_needs())
    return render_template(
        "console/needs.html",
        by_shelter=by_shelter,
        by_lang=by_lang,
        titles=_titles(),
        names={lang.code: lang.native for lang in languages.LANGUAGES},
        now=utcnow(),
    )


@bp.get("/needs/<int:need_id>")
@login_required
def need_detail(need_id: int) -> str:
    """One need: its history, the next steps, and phrasebook announcements to publish."""
    need = db.session.get(Need, need_id) or abort(404)
    users = {e.user_id for e in need.history if e.user_id}
    return render_template(
        "console/need.html",
        n=need,
        suggestions=needs.suggestions(need),
        next_states=needs.NEXT[need.status],
        announcement=db.session.get(Announcement, need.announcement_id)
        if need.announcement_id
        else None,
        titles=_titles(),
        names={lang.code: lang.native for lang in languages.LANGUAGES},
        users={u: db.session.get(User, u).username for u in users},  # type: ignore[union-attr]
        lang_shelters=census.shelters_with(need.lang),
        now=utcnow(),
    )


@bp.post("/needs/<int:need_id>/status")
@login_required
def need_status(need_id: int) -> Response:
    """Move a need to its next status."""
    if current_user.role not in WRITERS:
        abort(403)
    need = db.session.get(Need, need_id) or abort(404)
    try:
        needs.move(need, request.form.get("status", ""), current_user._get_current_object())
        flash(_("Need updated."), "ok")
    except needs.NeedError as exc:
        flash(str(exc), "error")
    return redirect(url_for("console.need_detail", need_id=need_id))
