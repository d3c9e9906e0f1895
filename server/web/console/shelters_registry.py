"""Console pages of the shelter registry: one shelter's entry, census and history; languages."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.core.errors import ApiError
from server.core.extensions import db
from server.models import Shelter, utcnow
from server.shelters import census, needs, places, registry, rounds
from server.shelters.models import Need
from server.shelters.words import CensusKind
from server.web.console.blueprint import bp
from server.words import WRITERS
from translations import languages

NUMBER_FIELDS = ("capacity", "headcount", "lat", "lon")


def _writer() -> None:
    if current_user.role not in WRITERS:
        abort(403)


def _number(value: str) -> Any:
    """A form's number as JSON would carry it; anything else stays text, to be refused."""
    value = value.strip()
    if not value:
        return None
    try:
        return int(value) if value.lstrip("-").isdigit() else float(value)
    except ValueError:
        return value


@bp.get("/shelters/<int:shelter_id>")
@login_required
def shelter_detail(shelter_id: int) -> str:
    """One shelter: registry entry, status history, census, rounds and open needs."""
    shelter = db.session.get(Shelter, shelter_id) or abort(404)
    open_needs = db.session.scalars(
        select(Need)
        .where(Need.shelter_id == shelter.id, Need.status.in_(needs.OPEN_STATES))
        .order_by(Need.created_at)
    ).all()
    recent = rounds.latest(shelter)
    return render_template(
        "console/shelter.html",
        s=shelter,
        census=census.of(shelter),
        history=registry.history(shelter),
        rounds=recent,
        last_diet=recent[0].answers.get("diet_needs", []) if recent else [],
        needs=open_needs,
        kinds=registry.KINDS,
        statuses=registry.STATUSES,
        keys=census.KEYS,
        kind_language=CensusKind.LANGUAGE,
        names={lang.code: lang.native for lang in languages.LANGUAGES},
        name_languages=places.NAME_LANGUAGES,
        titles=needs.category_titles(str(get_locale()) != "en"),
        now=utcnow(),
    )


@bp.post("/shelters/<int:shelter_id>/registry")
@login_required
def shelter_registry_update(shelter_id: int) -> Response:
    """Save the registry entry (kind, status, capacity, addresses, place, contact)."""
    _writer()
    shelter = db.session.get(Shelter, shelter_id) or abort(404)
    data: dict[str, Any] = {k: v for k, v in request.form.items() if k in registry.TEXT_FIELDS}
    data |= {k: request.form.get(k, "") for k in ("kind", "status") if k in request.form}
    data |= {k: _number(request.form.get(k, "")) for k in NUMBER_FIELDS if k in request.form}
    given = {k[6:]: v for k, v in request.form.items() if k.startswith("names.")}
    if given:
        data["names"] = given
    try:
        registry.update(shelter, registry.parse(data, creating=False), current_user)
        flash(_("Shelter saved."), "ok")
    except ApiError as exc:
        flash(_("Not saved: %(why)s", why=exc.message), "error")
    return redirect(url_for("console.shelter_detail", shelter_id=shelter_id))


@bp.post("/shelters/<int:shelter_id>/census")
@login_required
def shelter_census_update(shelter_id: int) -> Response:
    """Set the census counts by hand (a phone call from the shelter, a list on paper)."""
    _writer()
    shelter = db.session.get(Shelter, shelter_id) or abort(404)
    counts: dict[CensusKind, dict[str, Any]] = {}
    for kind, keys in census.KEYS.items():
        counts[kind] = {key: _number(request.form.get(f"{kind}.{key}", "") or "0") for key in keys}
    try:
        checked = {
            kind: census.parse_counts(values, kind.value, census.KEYS[kind])
            for kind, values in counts.items()
        }
        foreign = registry.count(
            {"foreign_count": _number(request.form.get("foreign_count", "0") or "0")},
            "foreign_count",
        )
    except ApiError as exc:
        flash(_("Not saved: %(why)s", why=exc.message), "error")
        return redirect(url_for("console.shelter_detail", shelter_id=shelter_id))
    census.replace(shelter, checked)
    shelter.foreign_count = foreign or 0
    db.session.commit()
    flash(_("Census saved."), "ok")
    return redirect(url_for("console.shelter_detail", shelter_id=shelter_id))


@bp.get("/shelters/languages")
@login_required
def shelter_languages() -> str:
    """Per language, where its speakers are (which shelters, how many)."""
    return render_template(
        "console/shelter_languages.html",
        where=census.by_language(),
        names={lang.code: lang.native for lang in languages.LANGUAGES},
        english={lang.code: lang.english for lang in languages.LANGUAGES},
    )
