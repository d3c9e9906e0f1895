"""Desk pages for inquiries: list and filters, detail with thread and history, replies."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.core.errors import ApiError
from server.core.extensions import db
from server.inquiries import desk
from server.inquiries import service as inquiries
from server.models import AuditLog, Inquiry, InquiryReply, Shelter, User
from server.roster import service as roster
from server.web.console.blueprint import bp
from server.words import STAFF, WRITERS
from translations import languages, phrasebook

SUGGEST = {
    "safety_confirmation": ["safety_confirmation"],
    "shelter_life": ["shelter"],
    "food_water": ["food_water", "supplies"],
    "medical": ["medical"],
    "lifelines": ["lifelines"],
    "transport": ["transport"],
    "housing": ["housing", "procedures"],
    "residence_status": ["residence"],
    "work_money": ["procedures"],
    "scams_crime": ["safety"],
    "mental_health": ["medical"],
    "language_help": ["consultation"],
    "embassy": ["residence"],
    "other": ["consultation"],
}


def _staff() -> None:
    if current_user.role not in STAFF:
        abort(403)


@bp.get("/inquiries")
@login_required
def inquiry_list() -> str:
    """All inquiries, priority first, with filters."""
    _staff()
    args = request.args
    try:
        query = inquiries.filtered(args)
    except ApiError as exc:
        flash(exc.message, "error")
        query = inquiries.filtered({})
    items = db.session.scalars(query.limit(300)).all()
    # The list shows a snippet of each message: personal data, so the view is audited.
    db.session.add(
        AuditLog(
            user_id=current_user.id,
            action="view_list",
            object_type="inquiry_list",
            remote_addr=request.remote_addr,
            detail=f"{len(items)} inquiries",
        )
    )
    db.session.commit()
    return render_template(
        "console/inquiries.html",
        items=items,
        untranslated=desk.untranslated_messages(),
        untranslated_replies=desk.untranslated_replies(),
        shelter_names={s.id: s.name_ja for s in db.session.scalars(select(Shelter))},
        args=args,
        statuses=inquiries.STATUSES,
        categories=inquiries.category_codes(),
        shelters=db.session.scalars(select(Shelter)).all(),
        names={lang.code: lang.native for lang in languages.LANGUAGES},
        users={u.id: u.username for u in db.session.scalars(select(User))},
    )


@bp.route("/inquiries/new", methods=["GET", "POST"])
@login_required
def inquiry_new() -> Any:
    """Log a phone call or a walk-in (with the interpreter who helped)."""
    if current_user.role not in WRITERS:
        abort(403)
    form = request.form.to_dict() if request.method == "POST" else {"channel": "phone"}
    if request.method == "POST":
        try:
            channel = "walk_in" if form.get("channel") == "walk_in" else "phone"
            fields = inquiries.parse({**form, "consent": form.get("consent") == "on"}, channel)
            inquiry, _token = inquiries.create(fields, channel, current_user._get_current_object())
            flash(_("Inquiry logged."), "ok")
            return redirect(url_for("console.inquiry_detail", inquiry_id=inquiry.id))
        except ApiError as exc:
            flash(exc.message, "error")
    return render_template(
        "console/inquiry_new.html",
        form=form,
        categories=inquiries.category_codes(),
        languages=[x for x in languages.LANGUAGES if x.code != "ja-x-easy"],
        shelters=db.session.scalars(select(Shelter)).all(),
    )


@bp.get("/inquiries/<int:inquiry_id>")
@login_required
def inquiry_detail(inquiry_id: int) -> str:
    """One inquiry: original, Japanese translation, thread, history. The view is audited."""
    _staff()
    inquiry = db.session.get(Inquiry, inquiry_id) or abort(404)
    inquiries.view(inquiry, current_user._get_current_object(), request.remote_addr)
    staff = db.session.scalars(select(User).where(User.active.is_(True))).all()
    speakers = [u for u in staff if inquiry.lang in (u.languages or "").split(",")]
    # Rostered people who speak the language and are free now; linked accounts can be assigned.
    rostered = roster.free_now(inquiry.lang)
    active = {u.id for u in staff if u.role in STAFF}
    suggestions = [
        t
        for t in phrasebook.load().values()
        if t.category in SUGGEST.get(inquiry.category, []) and not t.slots
    ][:12]
    return render_template(
        "console/inquiry.html",
        i=inquiry,
        staff=staff,
        speakers=speakers,
        rostered=rostered,
        assignable={p.id for p, _level in rostered if p.user_id in active},
        statuses=inquiries.STATUSES,
        suggestions=suggestions,
        names={lang.code: lang.native for lang in languages.LANGUAGES},
        users={u.id: u.username for u in staff},
    )


@bp.post("/inquiries/<int:inquiry_id>/update")
@login_required
def inquiry_update(inquiry_id: int) -> Response:
    """Status, assignment or priority."""
    if current_user.role not in WRITERS:
        abort(403)
    inquiry = db.session.get(Inquiry, inquiry_id) or abort(404)
    data: dict[str, Any] = {
        k: v
        for k, v in request.form.items()
        if k in ("status", "referred_to", "assignee_id", "interpreter_person_id")
    }
    if "priority" in request.form:
        data["priority"] = request.form["priority"] == "1"
    try:
        inquiries.update(inquiry, data, current_user._get_current_object())
        flash(_("Saved."), "ok")
    except ApiError as exc:
        flash(exc.message, "error")
    return redirect(url_for("console.inquiry_detail", inquiry_id=inquiry_id))


@bp.post("/inquiries/<int:inquiry_id>/reply")
@login_required
def inquiry_reply(inquiry_id: int) -> Response:
    """Reply in Japanese; a worker translates it into the resident's language."""
    if current_user.role not in WRITERS:
        abort(403)
    inquiry = db.session.get(Inquiry, inquiry_id) or abort(404)
    try:
        inquiries.reply(
            inquiry,
            {"text": request.form.get("text"), "template_id": request.form.get("template_id")},
            current_user._get_current_object(),
        )
        flash(_("Reply saved; it appears on the resident's page once translated."), "ok")
    except ApiError as exc:
        flash(exc.message, "error")
    return redirect(url_for("console.inquiry_detail", inquiry_id=inquiry_id))


@bp.post("/inquiries/replies/<int:reply_id>/correct")
@login_required
def inquiry_reply_correct(reply_id: int) -> Response:
    """An interpreter or reviewer writes the resident-language text of a reply."""
    if current_user.role not in STAFF:
        abort(403)
    row = db.session.get(InquiryReply, reply_id) or abort(404)
    text = request.form.get("text", "").strip()
    if not text or len(text) > inquiries.MAX_MESSAGE:
        flash(_("A correction needs a text of 1 to 5000 characters."), "error")
    else:
        inquiries.correct_reply(row, text, current_user._get_current_object())
        flash(_("Saved. Boards show the reviewed text now, and it is kept in memory."), "ok")
    return redirect(url_for("console.inquiry_detail", inquiry_id=row.inquiry_id))
