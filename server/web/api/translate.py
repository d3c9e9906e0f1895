"""Tagengo's own translation endpoint (LibreTranslate's request, with provenance added).

The LibreTranslate-compatible routes for stock clients are `server/web/libre.py`; both share
the checks and the worker round trip here.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from server.core import validation
from server.core.auth import require_role
from server.core.errors import ApiError
from server.translation import adhoc, markup
from server.web.api.blueprint import bp
from translations import languages, pipeline

MAX_ITEMS = 100
MAX_HTML_TEXTS = 400  # text runs of all HTML fragments of one request together


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


def texts_of(q: Any) -> tuple[list[str], bool]:
    """Check ``q`` (a string or a list of strings); return the texts and whether it was one."""
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
    return texts, single


def format_of(data: Any) -> str:
    """Return ``format`` (text or html)."""
    fmt = data.get("format") or "text"
    if fmt not in ("text", "html"):
        raise validation.bad("format", "'format' must be text or html")
    return str(fmt)


def translate_all(
    texts: list[str], source: str, target: str, fmt: str = "text"
) -> list[tuple[str | None, pipeline.Result | None]]:
    """Translate each text (HTML by its text runs) with how it was made.

    The result is None for "same language"; the text is None where no engine could translate
    (for HTML: where any of its runs could not be).
    """
    if source == target:
        return [(t, None) for t in texts]
    fragments = [markup.split(t) for t in texts] if fmt == "html" else []
    runs = [run for f in fragments for run in f.texts.values()] if fragments else texts
    if len(runs) > MAX_HTML_TEXTS:
        raise validation.bad("q", f"at most {MAX_HTML_TEXTS} text runs in one request")
    results = adhoc.request(runs, source, target) if runs else []
    if results and all(r.status != "done" for r in results):
        raise ApiError(
            400,
            "unsupported_pair",
            results[0].reason or f"no translation path for {source}→{target}",
            "target",
        )
    if not fragments:
        return [(r.text, r) for r in results]
    out: list[tuple[str | None, pipeline.Result | None]] = []
    start = 0
    for fragment in fragments:
        mine = results[start : start + len(fragment.texts)]
        start += len(fragment.texts)
        # The least trustworthy run speaks for the whole fragment's provenance.
        weakest = next((r for r in mine if r.status != "done"), mine[0] if mine else None)
        if weakest is not None and weakest.status != "done":
            out.append((None, weakest))
        else:
            out.append((fragment.join([r.text or "" for r in mine]), weakest))
    return out


@bp.post("/translate")
@require_role()
def translate() -> Response:
    """Translate ``q`` (a string or a list) from ``source`` to ``target``."""
    data = validation.json_body()
    texts, single = texts_of(data.get("q"))
    fmt = format_of(data)
    source = resolve(data.get("source"), "source")
    target = resolve(data.get("target"), "target")
    items: list[dict[str, Any]] = [
        {
            "translatedText": text,
            "method": "identity" if r is None else r.method,
            "reviewed": True if r is None else r.reviewed,
            "status": "done" if r is None else r.status,
            "note": None if r is None else r.reason,
            "model": None if r is None else r.model,
        }
        for text, r in translate_all(texts, source, target, fmt)
    ]
    translated = [item["translatedText"] for item in items]
    return jsonify(
        {
            "translatedText": translated[0] if single else translated,
            "provenance": items[0] if single else items,
        }
    )
