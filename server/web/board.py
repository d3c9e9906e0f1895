"""The shelter board page: a kiosk view filled and kept live by web/static/board.js."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_from_directory,
)

from server.core import auth
from server.core.extensions import db
from server.models import Board
from server.web import board_settings
from translations import board_labels, languages

bp = Blueprint("board", __name__)


@bp.get("/board/sw.js")
def service_worker() -> Response:
    """Serve the offline worker from /board/ so its scope covers every board page."""
    response = send_from_directory(current_app.static_folder or "", "board-sw.js")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/board/<int:board_id>")
def board_page(board_id: int) -> str | tuple[str, int]:
    """Render the board shell; the token in the link authorises it."""
    token = request.args.get("token", "")
    board = auth.board_from_token(token)
    if board is None or board.id != board_id:
        abort(403)
    board = db.session.get(Board, board_id) or abort(404)
    langs = [
        languages.BY_CODE[c]
        for c in [current_app.config["SOURCE_LANGUAGE"], *current_app.config["TARGET_LANGUAGES"]]
        if c in languages.BY_CODE
    ]
    try:
        settings = board_settings.parse(request.args, [lang.code for lang in langs])
    except board_settings.SettingError as exc:
        return render_template("board_error.html", message=str(exc), field=exc.field), 400
    from translations import glossary

    key_terms = [
        t
        for t in glossary.load_glossary()
        if t.category in ("evacuation", "shelter", "food_water", "lifelines", "alert")
    ]
    config = {
        "boardId": board.id,
        "token": token,
        "layout": board.layout,
        "furigana": board.furigana,
        "sourceLang": current_app.config["SOURCE_LANGUAGE"],
        **settings.as_config(),
        "labels": board_settings.labels([lang.code for lang in langs]),
        "levels": board_labels.LEVELS,
        "glossary": [
            {
                "ja": t.text["ja"],
                "reading": t.reading,
                "text": {
                    c: t.text.get(c)
                    for c in [*current_app.config["TARGET_LANGUAGES"]]
                    if c != "ja-x-easy" and t.text.get(c)
                },
            }
            for t in key_terms[:40]
        ],
        "languages": [
            {
                "code": lang.code,
                "native": lang.native,
                "english": lang.english,
                "dir": lang.direction,
            }
            for lang in langs
        ],
    }
    # The header names the shelter as its readers do: Japanese, romaji, and any name staff
    # gave for one of the board's languages (translations.places.place_for, minus repeats).
    names = board.shelter.names or {}
    own: dict[str, str] = {}
    for lang in langs:
        name = names.get(lang.code)
        if name and name != board.shelter.name_ja:
            own.setdefault(name, lang.code)  # 市民中心 once for zh-Hans and zh-Hant
    return render_template(
        "board.html",
        board=board,
        own_names=[(code, name) for name, code in own.items()],
        config_json=json.dumps(config),
        help_url=f"{current_app.config['PUBLIC_URL']}/help",
    )
