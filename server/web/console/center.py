"""Console pages for the center's phase and its checklists; the phase in every page's header."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from manuals import loader
from server.core.errors import ApiError
from server.operations import checklists, phases, triggers
from server.web.console.blueprint import bp
from server.words import DIRECTORS, STAFF


def explain(exc: ApiError) -> str:
    """Say what went wrong in the console's language (the API keeps its English message)."""
    messages: dict[str, str] = {
        "forbidden": _("Only the center director (or an admin) may do this."),
        "skips_phase": _(
            "That skips a phase. Tick “force” and give the reason if it must be done anyway."
        ),
        "same_phase": _("The center is already in that phase."),
        "unknown_item": _("There is no such checklist item."),
        "already_marked": _("This item is already ticked or set aside."),
        "not_marked": _("This item is open already."),
        "already_acknowledged": _("This handover was acknowledged already."),
        "handover_exists": _("This shift has written its handover already."),
        "no_suggestion": _("There is no such suggestion now."),
        "future_day": _("A report cannot be made for a day that has not come yet."),
        "never_activated": _(
            "The center has never been activated, so there is no activation to report on yet."
        ),
        "unknown_activation": _("That phase change did not activate the center."),
    }
    if exc.code in messages:
        return messages[exc.code]
    if exc.code == "required":
        return str(_("Please fill in: %(field)s", field=exc.field or ""))
    return str(_("Not saved: %(message)s", message=exc.message))


@bp.app_context_processor
def _center_phase() -> dict[str, Any]:
    # A function, so the query runs only on pages that show the header to a signed-in user.
    return {"center_phase": phases.current_phase}


def _staff() -> None:
    if current_user.role not in STAFF:
        abort(403)


@bp.get("/center")
@login_required
def center() -> str:
    """The current phase, how to move on, and the checklist of every phase."""
    _staff()
    now = phases.current()
    shown = request.args.get("phase", now)
    if shown not in phases.phase_ids():
        shown = now
    last = phases.last_change()
    return render_template(
        "console/center.html",
        phases=loader.load_phases(),
        now=now,
        shown=shown,
        next_phases=loader.next_phases(now),
        items=checklists.items(shown),
        started=last.created_at if last is not None else None,
        history=phases.history(),
        teams={t["id"]: t["name"] for t in loader.load_teams()},
        may_change=current_user.role in DIRECTORS,
        due_at=checklists.due_at,
    )


@bp.post("/center/phase")
@login_required
def change_phase() -> Response:
    """Move the center to another phase (directors and admins, with a reason)."""
    try:
        phases.change(
            request.form.get("phase", ""),
            request.form.get("reason"),
            current_user._get_current_object(),
            force=request.form.get("force") == "on",
        )
        flash(_("The center's phase is changed."), "ok")
    except ApiError as exc:
        flash(explain(exc), "error")
    return redirect(url_for("console.center"))


@bp.post("/center/checklist/<path:item_id>")
@login_required
def mark_item(item_id: str) -> Response:
    """Tick an item done, set it aside as not applicable, or open it again."""
    _staff()
    shown = request.form.get("phase") or None
    user = current_user._get_current_object()
    try:
        action = request.form.get("action", "done")
        if action == "reopen":
            checklists.reopen(item_id, user, request.form.get("reason"))
        else:
            checklists.mark(
                item_id,
                action,
                user,
                note=request.form.get("note"),
                reason=request.form.get("reason"),
            )
        flash(_("Checklist saved."), "ok")
    except ApiError as exc:
        flash(explain(exc), "error")
    return redirect(url_for("console.center", phase=shown) + f"#item-{item_id}")


@bp.post("/center/checklist")
@login_required
def add_item() -> Response:
    """Add the center's own item to a phase."""
    _staff()
    phase = request.form.get("phase", "")
    try:
        checklists.add(
            phase,
            request.form.get("text"),
            request.form.get("team"),
            current_user._get_current_object(),
        )
        flash(_("Item added."), "ok")
    except ApiError as exc:
        flash(explain(exc), "error")
    return redirect(url_for("console.center", phase=phase or None))


@bp.post("/center/triggers/<int:announcement_id>/dismiss")
@login_required
def dismiss_trigger(announcement_id: int) -> Response:
    """A director sets aside the suggestion to activate the center (recorded in the log)."""
    try:
        triggers.dismiss(
            announcement_id, current_user._get_current_object(), request.form.get("reason")
        )
        flash(_("The suggestion is dismissed."), "ok")
    except ApiError as exc:
        flash(explain(exc), "error")
    return redirect(url_for("console.dashboard"))
