"""Resident pages: ask a question from a phone in your own language; read the answer later.

Public, no login, no JavaScript needed. CSRF token, rate limit, size limits and a honeypot
field protect it; the private status link is the only way back to an inquiry.
"""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

import manuals
from server.core.errors import ApiError
from server.core.extensions import db, limiter
from server.inquiries import service as inquiries
from server.models import Shelter
from server.shelters import places
from translations import languages

bp = Blueprint("resident", __name__, url_prefix="/help")

# BCP 47 code of the resident page -> Babel locale of its catalog.
RESIDENT_LOCALES = {
    "ja": "ja",
    "en": "en",
    "zh-Hans": "zh_Hans",
    "zh-Hant": "zh_Hant",
    "ko": "ko",
    "pt-BR": "pt_BR",
    "es": "es",
    "vi": "vi",
    "tl": "fil",
    "ne": "ne",
    "id": "id",
    "th": "th",
    "my": "my",
}
CATEGORY_NAMES = {
    "safety_confirmation": lazy_gettext("Safety of family and friends"),
    "shelter_life": lazy_gettext("Evacuation and life in the shelter"),
    "food_water": lazy_gettext("Food and water"),
    "medical": lazy_gettext("Medical care and health"),
    "lifelines": lazy_gettext("Electricity, water, gas, phone"),
    "transport": lazy_gettext("Trains, buses and roads"),
    "housing": lazy_gettext("Housing and damage certificate"),
    "residence_status": lazy_gettext("Visa, residence card and passport"),
    "work_money": lazy_gettext("Work, money and public support"),
    "scams_crime": lazy_gettext("Scams and crime"),
    "mental_health": lazy_gettext("Stress and worries"),
    "language_help": lazy_gettext("Help with Japanese"),
    "embassy": lazy_gettext("Contact with my embassy"),
    "other": lazy_gettext("Other"),
}
STATUS_NAMES = {
    "open": lazy_gettext("Received"),
    "in_progress": lazy_gettext("A staff member is working on it"),
    # Staff replied, the translation into the resident's language is not there yet.
    "waiting": lazy_gettext("A staff member is working on it"),
    "answered": lazy_gettext("Answered"),
    "closed": lazy_gettext("Closed"),
    "referred": lazy_gettext("Passed to another office"),
}


def resident_language() -> str:
    """The page language: ?lang=, then the remembered choice, then the browser's."""
    asked = languages.normalize(request.args.get("lang", ""))
    if asked in RESIDENT_LOCALES:
        session["rlang"] = asked
        return asked
    if session.get("rlang") in RESIDENT_LOCALES:
        return str(session["rlang"])
    offered = {v.replace("_", "-"): k for k, v in RESIDENT_LOCALES.items()}
    offered.update(
        {
            "zh": "zh-Hans",
            "zh-TW": "zh-Hant",
            "zh-HK": "zh-Hant",
            "pt": "pt-BR",
            "fil": "tl",
            "tl": "tl",
        }
    )
    best = request.accept_languages.best_match(list(offered))
    return offered.get(best or "", "en")


def babel_locale() -> str:
    """Babel locale of the resident page (used by the app's locale selector)."""
    return RESIDENT_LOCALES[resident_language()]


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    lang = resident_language()
    names = [(code, languages.BY_CODE[code].native) for code in RESIDENT_LOCALES]
    return render_template(
        template,
        lang=lang,
        language_names=names,
        direction=languages.BY_CODE[lang].direction,
        place_name=places.name,  # a shelter named as readers of the page's language read it
        **context,
    ), status


@bp.errorhandler(429)
def _too_many(_exc: HTTPException) -> tuple[str, int]:
    """Ask a resident, in their language, to wait (not the API's JSON)."""
    return _page("resident/limited.html", 429)


def _form(form: dict[str, Any], error: str | None = None, status: int = 200) -> tuple[str, int]:
    shelters = db.session.scalars(select_open_shelters()).all()
    categories = [
        (c["code"], CATEGORY_NAMES.get(c["code"], c["title"]["en"]))
        for c in manuals.load_inquiry_categories()
    ]
    return _page(
        "resident/form.html",
        status,
        form=form,
        error=error,
        shelters=shelters,
        categories=categories,
        max_message=inquiries.MAX_MESSAGE,
    )


def select_open_shelters() -> Any:
    from sqlalchemy import select

    # Residents never see a drill's own shelters.
    return (
        select(Shelter)
        .where(Shelter.is_open.is_(True), Shelter.drill_id.is_(None))
        .order_by(Shelter.id)
    )


@bp.get("")
def ask() -> tuple[str, int]:
    """The inquiry form."""
    return _form({})


def _limit() -> str:
    return str(current_app.config["RATE_LIMIT_INQUIRIES"])


@bp.post("")
@limiter.limit(_limit, methods=["POST"])
def submit() -> Response | tuple[str, int]:
    """Store the inquiry and send the resident to their private status page."""
    form = request.form.to_dict()
    if form.get("website"):  # the honeypot: people never see this field, bots fill it
        abort(400)
    data = {
        **form,
        "lang": form.get("lang") or resident_language(),
        "consent": form.get("consent") == "on",
    }
    try:
        fields = inquiries.parse(data, "web")
    except ApiError as exc:
        messages = {
            "message": _(
                "Please write your question (up to %(n)s characters).", n=inquiries.MAX_MESSAGE
            ),
            "consent": _("Please tick the box to agree, so we can answer you."),
        }
        return _form(form, messages.get(exc.field or "", _("Please check the form.")), 400)
    _inquiry, token = inquiries.create(fields, "web")
    return redirect(url_for("resident.status", token=token))


@bp.get("/s/<token>")
def status(token: str) -> tuple[str, int]:
    """The resident's private page: their question and the answers in their language."""
    inquiry = inquiries.by_token(token)
    if inquiry is None:
        return _page("resident/not_found.html", 404)
    return _page(
        "resident/status.html",
        inquiry=inquiry,
        status_name=STATUS_NAMES.get(inquiry.status, inquiry.status),
        category_name=CATEGORY_NAMES.get(inquiry.category, inquiry.category),
        link=f"{current_app.config['PUBLIC_URL']}/help/s/{token}",
    )


@bp.get("/qr.svg")
def qr_code() -> Response:
    """A QR code of the inquiry page, for boards and posters (made offline)."""
    import segno

    target = f"{current_app.config['PUBLIC_URL']}/help"
    out = io.BytesIO()
    segno.make(target, error="m").save(out, kind="svg", scale=6, dark="#000", light="#fff")
    return Response(
        out.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"}
    )


@bp.get("/glossary")
def glossary_page() -> tuple[str, int]:
    """Disaster words in the resident's language beside the Japanese they will hear and see."""
    from translations import glossary

    lang = resident_language()
    query = request.args.get("q", "")[:100]
    terms = glossary.search(query) if query else list(glossary.load_glossary())
    return _page("resident/glossary.html", terms=terms, query=query, term_lang=lang)
