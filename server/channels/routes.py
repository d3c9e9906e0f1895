"""Public CAP 1.2 alerts and Atom feeds under /api/v1/cap, for relays and other systems.

Alerts are public information, so no token is needed. Drills are never mixed into the real
feeds: they have feeds of their own and every message of a drill says ``status=Exercise``.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Blueprint, Response, current_app, request
from sqlalchemy import and_, or_, select

from server.channels import alerts, atom, cap
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import Announcement, utcnow
from translations import languages

bp = Blueprint("channels", __name__, url_prefix="/api/v1/cap")
CAP_MIMETYPE = "application/cap+xml"
ATOM_MIMETYPE = "application/atom+xml"
_SEVERITY = {v: i for i, v in enumerate(cap.SEVERITIES)}
_URGENCY = {v: i for i, v in enumerate(cap.URGENCIES)}


def _conditional(body: bytes, mimetype: str, headers: dict[str, str] | None = None) -> Response:
    """Answer with an ETag of the bytes; a matching If-None-Match gets 304 and no body."""
    response = Response(body, mimetype=mimetype, headers=headers)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = 60
    response.make_conditional(request)
    return response


def _language(code: str | None) -> str | None:
    if code is None:
        return None
    lang = languages.normalize(code)
    if lang is None:
        raise ApiError(404, "unknown_language", f"no language {code!r} in the registry", "lang")
    return lang


def alert_url(announcement_id: int, lang: str | None = None) -> str:
    """Return the public URL of an announcement's CAP document."""
    url = f"{current_app.config['PUBLIC_URL']}{bp.url_prefix}/alerts/{announcement_id}.xml"
    return f"{url}?lang={lang}" if lang else url


@bp.get("/alerts/<int:announcement_id>.xml")
def alert(announcement_id: int) -> Response:
    """Serve the message that stands now (Alert, Update or Cancel); ``?lang=`` keeps one info."""
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        raise ApiError(404, "not_found", f"no announcement with id {announcement_id}")
    lang = _language(request.args.get("lang"))
    message = alerts.current(announcement, lang)
    if lang is not None and not message.infos and message.msg_type != "Cancel":
        raise ApiError(404, "no_text", f"announcement {announcement_id} has no text in {lang}")
    body = cap.to_xml(message)
    key_file = current_app.config["CAP_SIGNING_KEY_FILE"]
    if key_file:
        from server.channels import signing

        key, cert = signing.load(key_file, current_app.config["CAP_SIGNING_CERT_FILE"])
        body = signing.sign(body, key, cert)
    return _conditional(body, CAP_MIMETYPE)


def _in_feed(drill: bool) -> list[Announcement]:
    """Announcements a feed carries: unexpired active ones and recent retractions (Cancel)."""
    now = utcnow()
    cancelled_since = now - timedelta(hours=current_app.config["CAP_CANCEL_HOURS"])
    rows = db.session.scalars(
        select(Announcement).where(
            Announcement.drill.is_(drill),
            or_(
                Announcement.status == "active",
                and_(
                    Announcement.status == "retracted",
                    Announcement.retracted_at >= cancelled_since,
                ),
            ),
        )
    )
    kept = [
        a
        for a in rows
        if a.status == "retracted" or alerts.expires(a, a.revisions[-1].created_at) > now
    ]

    def importance(a: Announcement) -> tuple[int, int, int, float]:
        # Cancels first (a relay that misses one keeps showing a withdrawn alert), then the
        # most severe and urgent, newest first.
        return (
            0 if a.status == "retracted" else 1,
            _SEVERITY.get(a.severity, len(_SEVERITY)),
            _URGENCY.get(a.urgency, len(_URGENCY)),
            -a.updated_at.timestamp(),
        )

    return sorted(kept, key=importance)


def _entry(announcement: Announcement, lang: str | None) -> atom.Entry | None:
    message = alerts.current(announcement, lang)
    link = alert_url(announcement.id, lang)
    if message.msg_type == "Cancel":  # in every feed: any relay may hold the alert
        return atom.Entry(
            id=message.identifier,
            title=f"[Cancel] {message.note}",
            updated=message.sent,
            summary=f"{message.note} References: {' '.join(message.references)}",
            link=link,
            lang=lang or announcement.source_lang,
        )
    if not message.infos:
        return None
    info = message.infos[0]
    return atom.Entry(
        id=message.identifier,
        title=f"{info.event}: {info.headline or info.description[:100]}",
        updated=message.sent,
        summary=info.description,
        link=link,
        lang=info.language,
    )


@bp.get("/feed.atom", defaults={"lang": None, "drill": False})
@bp.get("/feed/<lang>.atom", defaults={"drill": False})
@bp.get("/exercise/feed.atom", defaults={"lang": None, "drill": True})
@bp.get("/exercise/feed/<lang>.atom", defaults={"drill": True})
def feed(lang: str | None, drill: bool) -> Response:
    """Serve an Atom feed of current alerts (all languages, or one), at most the size limit."""
    config = current_app.config
    code = _language(lang)
    entries = [e for a in _in_feed(drill) if (e := _entry(a, code)) is not None]
    path = request.path
    kind = "Exercise (drill) alerts" if drill else "Alerts"
    result = atom.render(
        feed_id=f"urn:tagengo:{config['CAP_SENDER']}:feed:{'exercise' if drill else 'actual'}"
        + (f":{code}" if code else ""),
        title=f"{config['CAP_SENDER_NAME']} — {kind}" + (f" ({code})" if code else ""),
        self_url=f"{config['PUBLIC_URL']}{path}",
        author=config["CAP_SENDER_NAME"],
        entries=entries,
        max_bytes=config["CAP_FEED_MAX_BYTES"],
        lang=code,
    )
    headers = {"X-Tagengo-Omitted": str(result.omitted)} if result.omitted else None
    if result.omitted:
        current_app.logger.warning(
            "CAP feed %s over %s bytes: %s entries left out",
            path,
            config["CAP_FEED_MAX_BYTES"],
            result.omitted,
        )
    return _conditional(result.body, ATOM_MIMETYPE, headers)
