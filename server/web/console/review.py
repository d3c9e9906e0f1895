"""Console review queue: reviewers approve or correct machine translations per language."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from server.core.errors import ApiError
from server.translation import review
from server.web.console.blueprint import bp
from server.words import REVIEWERS
from translations import languages


def _require_reviewer() -> None:
    if current_user.role not in REVIEWERS:
        abort(403)


@bp.get("/review")
@login_required
def review_queue() -> str:
    """List machine translations nobody has checked yet."""
    _require_reviewer()
    lang = languages.normalize(request.args.get("lang", "")) if request.args.get("lang") else None
    rows = review.queue(lang)
    return render_template(
        "console/review.html",
        rows=rows,
        lang=lang,
        languages=[x for x in languages.LANGUAGES if x.argos],
    )


@bp.post("/review/<int:translation_id>")
@login_required
def review_submit(translation_id: int) -> Response:
    """Approve or correct one translation; boards show the result at once."""
    _require_reviewer()
    corrected = (
        request.form.get("text", "").strip() if request.form.get("action") == "correct" else None
    )
    if corrected == "" or (corrected and len(corrected) > 5000):
        flash(_("A correction needs a text of 1 to 5000 characters."), "error")
    else:
        try:
            review.review(translation_id, current_user._get_current_object(), corrected)
            flash(_("Saved. Boards show the reviewed text now, and it is kept in memory."), "ok")
        except ApiError as exc:
            flash(exc.message, "error")
    return redirect(url_for("console.review_queue", lang=request.args.get("lang") or None))
