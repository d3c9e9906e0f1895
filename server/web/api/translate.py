"""LibreTranslate-compatible translation endpoint, with Tagengo's provenance added."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from server.core import validation
from server.core.auth import require_role
from server.core.errors import ApiError
from server.translation import adhoc as jobs
from server.web.api.blueprint import bp
from translations import languages

MAX_ITEMS = 100


def resolve(code: Any, field: str) -> str:
    """Accept a BCP 47 code (zh-Hant) or a LibreTranslate/Argos code (zt)."""
    if not isinstance(code, str) or not code.strip():
        raise validation.bad(field, f"'{field}' is required", "required")
    if code.strip().lower() == "auto":
        raise validation.bad(
            field, "'auto' detection is not offered; name the language", "unsupported_language"
        )
    lang = languages.get(code) or languages.from_argos(code.strip().lower())
    if lang is None:
        raise validation.bad(field, f"unknown language {code!r}", "unsupported_language")
    return lang.code


@bp.post("/translate")
@require_role()
def translate() -> Response:
    """Translate ``q`` (a string or a list) from ``source`` to ``target``."""
    data = validation.json_body()
    q = data.get("q")
    single = isinstance(q, str)
    texts = [q] if single else q
    if (
        not isinstance(texts, list)
        or not texts
        or len(texts) > MAX_ITEMS
        or not all(isinstance(t, str) and t.strip() for t in texts)
    ):
        raise validation.bad(
            "q", f"'q' must be a non-empty string or a list of 1–{MAX_ITEMS} non-empty strings"
        )
    limit = current_app.config["MAX_TEXT_CHARS"]
    if any(len(t) > limit for t in texts):
        raise ApiError(413, "too_long", f"each text must be at most {limit} characters", "q")
    if data.get("format", "text") not in ("text", "html"):
        raise validation.bad("format", "'format' must be text or html")
    source = resolve(data.get("source"), "source")
    target = resolve(data.get("target"), "target")
    if source == target:
        results = None
    else:
        results = jobs.request(texts, source, target)
        if all(r.status != "done" for r in results):
            raise ApiError(
                400,
                "unsupported_pair",
                results[0].reason or f"no translation path for {source}→{target}",
                "target",
            )
    items: list[dict[str, Any]] = []
    for i, text in enumerate(texts):
        r = results[i] if results else None
        items.append(
            {
                "translatedText": text if r is None else r.text,
                "method": "identity" if r is None else r.method,
                "reviewed": True if r is None else r.reviewed,
                "status": "done" if r is None else r.status,
                "note": None if r is None else r.reason,
                "model": None if r is None else r.model,
            }
        )
    translated = [item["translatedText"] for item in items]
    return jsonify(
        {
            "translatedText": translated[0] if single else translated,
            "provenance": items[0] if single else items,
        }
    )
