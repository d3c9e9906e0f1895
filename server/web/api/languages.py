"""Languages the center works in (LibreTranslate's shape plus Tagengo's fields)."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from server.web.api.blueprint import bp
from translations import languages


@bp.get("/languages")
def list_languages() -> Response:
    """List languages with native names, Argos codes and the center's targets."""
    targets = current_app.config["TARGET_LANGUAGES"]
    codes = [lang.code for lang in languages.LANGUAGES]
    return jsonify(
        [
            {
                "code": lang.code,
                "name": lang.english,
                "targets": [c for c in codes if c != lang.code],
                "native": lang.native,
                "script": lang.script,
                "direction": lang.direction,
                "argos": lang.argos,
                "center_target": lang.code in targets,
            }
            for lang in languages.LANGUAGES
        ]
    )
