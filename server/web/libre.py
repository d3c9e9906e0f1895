"""LibreTranslate's own API under /libretranslate/, for stock LibreTranslate clients.

Point a client at ``http://<center>/libretranslate/`` with a Tagengo API token as its API key.
Requests may be JSON or form-encoded, as LibreTranslate accepts; ``api_key`` may come in the
body (LibreTranslate's way) or as a bearer token; errors use LibreTranslate's shape,
``{"error": "..."}``. Language codes out are LibreTranslate's (``zt``, ``pb``); codes in may be
those or BCP 47. Texts are translated the way everything else is (phrasebook, memory, then the
batched machine drain), by a worker — never in the web process.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from server.core import validation
from server.core.auth import user_from_token
from server.core.errors import ApiError
from server.core.extensions import csrf
from server.translation import engine
from server.web.api.translate import format_of, resolve, texts_of, translate_all
from translations import languages
from translations.detect import detect

bp = Blueprint("libretranslate", __name__, url_prefix="/libretranslate")
csrf.exempt(bp)  # keys, not cookies, authorise these


@bp.errorhandler(ApiError)
def _error(exc: ApiError) -> tuple[Response, int]:
    return jsonify({"error": exc.message}), exc.status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> tuple[Response, int]:
    return jsonify({"error": exc.description or exc.name}), exc.code or 500


def _body() -> dict[str, Any]:
    """The request's fields, from JSON or a form; a repeated form ``q`` becomes a list."""
    if request.is_json:
        return validation.json_body()
    fields: dict[str, Any] = request.form.to_dict(flat=True)
    if len(request.form.getlist("q")) > 1:
        fields["q"] = request.form.getlist("q")
    return fields


def _authorise(data: dict[str, Any]) -> None:
    key = data.get("api_key")
    header = request.headers.get("Authorization", "")
    if not key and header.startswith("Bearer "):
        key = header.removeprefix("Bearer ").strip()
    if not isinstance(key, str) or not key or user_from_token(key) is None:
        raise ApiError(403, "forbidden", "Invalid API key: use a Tagengo API token")


def _code(lang: str) -> str:
    """LibreTranslate's code of a registry language (its Argos code)."""
    found = languages.get(lang)
    return found.argos if found is not None and found.argos else lang


def _detected(text: str) -> dict[str, Any]:
    lang, confidence = detect(text)
    if lang is None:
        raise validation.bad("q", "could not detect the language; name the source language")
    return {"language": _code(lang), "confidence": round(100 * (confidence or 0.0), 1)}


@bp.post("/translate")
def translate() -> Response:
    """Translate ``q`` (a string or a list) from ``source`` (or ``auto``) to ``target``."""
    data = _body()
    _authorise(data)
    texts, single = texts_of(data.get("q"))
    fmt = format_of(data)
    target = resolve(data.get("target"), "target")
    if str(data.get("source", "")).strip().lower() == "auto":
        found = [_detected(t) for t in texts]
        groups: dict[str, list[int]] = {}
        for i, item in enumerate(found):
            lang = languages.from_argos(item["language"]) or languages.get(item["language"])
            groups.setdefault(lang.code if lang else item["language"], []).append(i)
        out: list[str | None] = [None] * len(texts)
        for source, indexes in groups.items():
            done = translate_all([texts[i] for i in indexes], source, target, fmt)
            for i, (text, _) in zip(indexes, done, strict=True):
                out[i] = text
        answer: dict[str, Any] = {"translatedText": out[0] if single else out}
        answer["detectedLanguage"] = found[0] if single else found
        return jsonify(answer)
    source = resolve(data.get("source"), "source")
    translated = [text for text, _ in translate_all(texts, source, target, fmt)]
    return jsonify({"translatedText": translated[0] if single else translated})


@bp.post("/detect")
def detect_language() -> Response:
    """Detect the language of ``q``."""
    data = _body()
    _authorise(data)
    texts, _ = texts_of(data.get("q"))
    return jsonify([_detected(texts[0])])


@bp.route("/languages", methods=["GET", "POST"])
def language_list() -> Response:
    """Languages with the targets an installed model reaches from each."""
    translator = engine.translator()
    coded = [(lang.argos, lang.english) for lang in languages.LANGUAGES if lang.argos]
    out = []
    for code, name in coded:
        targets = [
            other
            for other, _ in coded
            if other == code or (translator is not None and translator.can_translate(code, other))
        ]
        out.append({"code": code, "name": name, "targets": targets})
    return jsonify(out)


@bp.get("/frontend/settings")
def frontend_settings() -> Response:
    """What LibreTranslate's web front end and some clients read before they start."""
    source = languages.get(current_app.config["SOURCE_LANGUAGE"]) or languages.BY_CODE["ja"]
    english = languages.BY_CODE["en"]
    return jsonify(
        {
            "charLimit": current_app.config["MAX_TEXT_CHARS"],
            "frontendTimeout": 500,
            "apiKeys": True,
            "keyRequired": True,
            "suggestions": False,
            "filesTranslation": False,
            "supportedFilesFormat": [],
            "language": {
                "source": {"code": _code(source.code), "name": source.english},
                "target": {"code": _code(english.code), "name": english.english},
            },
        }
    )
