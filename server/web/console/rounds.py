"""Console pages for shelter rounds: the round sheet on a phone, and one recorded round."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import abort, current_app, jsonify, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from manuals.records import Form
from server.core.clock import center_tz
from server.core.extensions import db
from server.models import AuditLog, Shelter
from server.roster import service as roster
from server.roster.models import Person
from server.shelters import census, needs, rounds
from server.shelters.models import Need, Round
from server.shelters.needs import FieldError
from server.shelters.words import Urgency
from server.web.console.blueprint import bp
from server.words import WRITERS
from translations import languages

NEED_ROWS = 3


def _number(value: str) -> int | str | None:
    value = value.strip()
    if not value:
        return None
    return int(value) if value.isdigit() and len(value) < 9 else value


def _counts(form: MultiDict[str, str], fid: str, keys: list[str]) -> dict[str, Any] | str:
    """Per-language inputs named "<field>.<code>" → {code: count}, blanks left out."""
    out: dict[str, Any] = {}
    for key in keys:
        value = _number(form.get(f"{fid}.{key}", ""))
        if value not in (None, 0):
            out[key] = value
    return out


def _nationalities(text: str) -> dict[str, Any] | str:
    """Lines like "Philippines 3" → {"Philippines": 3}; anything else is kept to be refused."""
    out: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _sep, count = line.strip().rpartition(" ")
        number = _number(count)
        if not name.strip() or not isinstance(number, int):
            return text
        out[name.strip()] = number
    return out


def from_form(form: MultiDict[str, str], sheet: Form) -> dict[str, Any]:
    """Turn the posted sheet into the API's answer shape (wrong values stay wrong, to be named)."""
    raw: dict[str, Any] = {}
    for field in rounds.fields(sheet):
        fid, kind = field["id"], field["type"]
        if kind == "multi_choice":
            raw[fid] = form.getlist(fid)
        elif kind == "counts_by_language":
            raw[fid] = _counts(form, fid, list(census.LANGUAGE_CODES))
        elif kind == "counts_by_nationality":
            raw[fid] = _nationalities(form.get(fid, ""))
        elif kind == "integer":
            raw[fid] = _number(form.get(fid, ""))
        elif kind == "boolean":
            value = form.get(fid, "")
            raw[fid] = {"yes": True, "no": False, "": None}.get(value, value)
        else:
            raw[fid] = form.get(fid, "")
    return raw


def needs_from_form(form: MultiDict[str, str]) -> list[dict[str, Any]]:
    """The need rows of the page; a row without a category is left out."""
    out = []
    for i in range(NEED_ROWS):
        if not form.get(f"need-{i}-category"):
            continue
        out.append(
            {
                "category": form.get(f"need-{i}-category"),
                "lang": form.get(f"need-{i}-lang"),
                "urgency": form.get(f"need-{i}-urgency", "normal"),
                "count": _number(form.get(f"need-{i}-count", "1")),
                "note": form.get(f"need-{i}-note", ""),
            }
        )
    return out


def _ja() -> bool:
    return str(get_locale()) != "en"


ROUND_MINUTES = 180  # how long a round team is out: suggested people must be free that long


def _team(shelter_id: str | None) -> list[tuple[str, int, list[tuple[Person, str]]]]:
    """For each language the shelter's census counts, the rostered people free to go now."""
    shelter = (
        db.session.get(Shelter, int(shelter_id)) if shelter_id and shelter_id.isdigit() else None
    )
    if shelter is None:
        return []
    counts = sorted(census.of(shelter).languages.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        (lang, n, roster.free_now(lang, minutes=ROUND_MINUTES))
        for lang, n in counts
        if n > 0 and lang != "ja"
    ]


def _page(values: MultiDict[str, str], errors: list[FieldError], status: int = 200) -> Any:
    ja = _ja()
    center = set(current_app.config["TARGET_LANGUAGES"]) & set(census.LANGUAGE_CODES)
    return render_template(
        "console/round_new.html",
        sheet=rounds.sheet(),
        shelters=db.session.scalars(select(Shelter).order_by(Shelter.id)).all(),
        values=values,
        errors={e.field: (e.ja if ja else e.en) for e in errors},
        client_id=values.get("client_id") or str(uuid.uuid4()),
        need_rows=range(NEED_ROWS),
        categories=needs.categories(),
        category_titles=_category_titles(),
        languages=[x for x in languages.LANGUAGES if x.code in center],
        more_languages=[
            x
            for x in languages.LANGUAGES
            if x.code in census.LANGUAGE_CODES and x.code not in center
        ],
        urgencies=list(Urgency),
        lang_codes=census.LANGUAGE_CODES,
        loc="ja" if ja else "en",
        team=_team(values.get("shelter_id")),
        names={x.code: x.native for x in languages.LANGUAGES},
    ), status


def _category_titles() -> dict[str, str]:
    return needs.category_titles(_ja())


@bp.get("/rounds/new")
@login_required
def round_new() -> Any:
    """The round sheet, rendered from the manual's form data."""
    if current_user.role not in WRITERS:
        abort(403)
    now = datetime.now(center_tz())
    values = MultiDict(
        {
            "shelter_id": request.args.get("shelter", ""),
            "visit_date": now.date().isoformat(),
            "visit_time": now.strftime("%H:%M"),
        }
    )
    return _page(values, [])


@bp.post("/rounds")
@login_required
def round_create() -> Any:
    """Record a round (a plain form post, or rounds.js sending a draft kept offline)."""
    if current_user.role not in WRITERS:
        abort(403)
    wants_json = request.headers.get("Accept") == "application/json"
    shelter_id = request.form.get("shelter_id", "")
    shelter = db.session.get(Shelter, int(shelter_id)) if shelter_id.isdigit() else None
    errors: list[FieldError] = []
    if shelter is None:
        errors = [
            FieldError("shelter_id", "choose a registered shelter", "避難所を選んでください。")
        ]
    else:
        try:
            item, created = rounds.record(
                shelter,
                request.form.get("client_id", ""),
                from_form(request.form, rounds.sheet()),
                needs_from_form(request.form),
                current_user._get_current_object(),
            )
        except rounds.RoundInvalid as exc:
            errors = exc.errors
    if errors:
        if wants_json:
            ja = _ja()
            return jsonify(
                {"errors": [{"field": e.field, "message": e.ja if ja else e.en} for e in errors]}
            ), 400
        return _page(request.form, errors, 400)
    url = url_for("console.round_detail", round_id=item.id, saved=1)
    if wants_json:
        return jsonify(
            {"id": item.id, "duplicate": not created, "url": url}
        ), 201 if created else 200
    return Response(status=303, headers={"Location": url})


@bp.get("/rounds/<int:round_id>")
@login_required
def round_detail(round_id: int) -> str:
    """One recorded round with every answer (the view is audited: it may hold health notes)."""
    item = db.session.get(Round, round_id) or abort(404)
    db.session.add(
        AuditLog(
            user_id=current_user.id,
            action="view",
            object_type="shelter_round",
            object_id=item.id,
            remote_addr=request.remote_addr,
        )
    )
    db.session.commit()
    found = db.session.scalars(select(Need).where(Need.round_id == item.id)).all()
    return render_template(
        "console/round.html",
        r=item,
        sheet=rounds.sheet(),
        needs=found,
        saved=request.args.get("saved") == "1",
        loc="en" if not _ja() else "ja",
        category_titles=_category_titles(),
    )
