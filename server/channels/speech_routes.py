"""Spoken announcements over HTTP: a manifest, the sound files, and the printable 放送原稿."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_file
from flask_login import login_required

from server.channels import broadcast, speech
from server.core import auth
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import Announcement
from translations import languages

bp = Blueprint("speech", __name__)
_FILE = re.compile(r"^(?P<lang>[A-Za-z-]{2,16})-(?P<digest>[0-9a-f]{16})\.wav$")


def _announcement(announcement_id: int) -> Announcement:
    token = auth.bearer() or request.args.get("token")
    if auth.board_from_token(token) is None and auth.api_user() is None:
        raise ApiError(401, "unauthorized", "send a board's token or a staff API token")
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        raise ApiError(404, "not_found", f"no announcement with id {announcement_id}")
    return announcement


def _entry(announcement: Announcement, item: speech.Spoken, token: str | None) -> dict[str, Any]:
    url = None
    if item.status == "ready" and item.digest:
        url = (
            f"/api/v1/speech/{announcement.id}/r{announcement.revision}/"
            f"{item.lang}-{item.digest}.wav" + (f"?token={token}" if token else "")
        )
    return {
        "lang": item.lang,
        "status": item.status,
        "voice": item.voice.voice,
        "quality": item.voice.quality.value,
        "on_boards": item.voice.on_boards,
        "note": item.voice.note,
        "digest": item.digest,
        "url": url,
    }


@bp.get("/api/v1/speech/<int:announcement_id>.json")
def manifest(announcement_id: int) -> Response:
    """List each language's sound of the current revision; ask a worker for missing ones."""
    announcement = _announcement(announcement_id)
    speech.request(announcement)
    token = request.args.get("token")
    return jsonify(
        {
            "announcement_id": announcement.id,
            "revision": announcement.revision,
            "status": announcement.status,
            "languages": [_entry(announcement, s, token) for s in speech.plan(announcement)],
        }
    )


@bp.get("/api/v1/speech/<int:announcement_id>/r<int:revision>/<name>")
def audio(announcement_id: int, revision: int, name: str) -> Response:
    """Serve one finished sound file (WAV); its name never changes its content."""
    _announcement(announcement_id)
    match = _FILE.match(name)
    if match is None:
        raise ApiError(404, "not_found", "no such sound file")
    path = speech.folder(announcement_id, revision) / name
    if not path.is_file():
        raise ApiError(404, "not_ready", "this sound is not made (yet); ask the manifest")
    response = send_file(path, mimetype="audio/wav", conditional=True, max_age=86400)
    return response


def preview(announcement: Announcement) -> list[dict[str, Any]]:
    """Describe the sound of each language for the console (and ask for missing files)."""
    speech.request(announcement)
    return [
        _entry(announcement, s, None) | {"name": languages.BY_CODE[s.lang].native}
        for s in speech.plan(announcement)
        if s.lang in languages.BY_CODE
    ]


@bp.get("/announcements/<int:announcement_id>/broadcast")
@login_required
def broadcast_script(announcement_id: int) -> str:
    """The printable 放送原稿: each language cut to whole sentences that fit the slot."""
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        raise ApiError(404, "not_found", f"no announcement with id {announcement_id}")
    try:
        slot = int(request.args.get("slot", broadcast.SLOTS[0]))
    except ValueError:
        slot = 0
    if slot not in broadcast.SLOTS:
        raise ApiError(400, "invalid", "'slot' must be 30 or 60 (seconds)", "slot")
    from server.channels import alerts

    texts = alerts.texts(announcement, announcement.revisions[-1])
    sounds = {s.lang: s for s in speech.plan(announcement)}
    rows = []
    for lang, text in texts.items():
        sound = sounds.get(lang)
        rows.append(
            {
                "script": broadcast.script(lang, text, slot),
                "name": languages.BY_CODE[lang].native if lang in languages.BY_CODE else lang,
                "dir": languages.BY_CODE[lang].direction if lang in languages.BY_CODE else "auto",
                # Japanese is spoken from やさしい日本語: that sound is not this text's length.
                "sound_seconds": speech.seconds(sound.path)
                if sound
                and sound.status == "ready"
                and sound.path
                and speech.source_text(lang, texts) == text
                else None,
            }
        )
    return render_template(
        "channels/broadcast.html",
        a=announcement,
        rows=rows,
        slot=slot,
        slots=broadcast.SLOTS,
        center=current_app.config["CAP_SENDER_NAME"],
    )
