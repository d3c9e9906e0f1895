"""Languages the center works in."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from server.api import bp
from translations import languages


@bp.get("/languages")
def list_languages() -> Response:
    """List the center's target languages with native names and Argos codes."""
    targets = current_app.config["TARGET_LANGUAGES"]
    return jsonify(
        [
            {
                "code": lang.code,
                "name": lang.english,
                "native": lang.native,
                "script": lang.script,
                "direction": lang.direction,
                "argos": lang.argos,
                "target": lang.code in targets,
            }
            for lang in languages.LANGUAGES
        ]
    )
