"""Refuse control characters in every text that enters over HTTP, at one place.

NUL and the other C0 controls (tab, newline and carriage return aside) have no business in
announcements, inquiries or names: PostgreSQL refuses NUL in text outright, and the rest are
invisible on a board. One ``before_request`` hook reads the query string, the path's
arguments, form fields, uploaded file names and the JSON body, and answers 400 naming the
first field that holds one, before any view runs (so nothing is stored). API callers get the
one JSON error shape; the console and the resident pages get a page in their language.
XML bodies (TMX) are left to the XML parser, which refuses these characters itself.

Two neighbours of the same kind live here too: lone UTF-16 surrogates (JSON can spell
``"\\ud800"``; no database can store it), and ``<int:…>`` path parts beyond what an id
column holds, which are simply not found instead of overflowing the database driver.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, render_template, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from server.core import validation
from server.core.errors import ApiError

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


class ControlCharacterError(ApiError):
    """A field holds a control character; nothing was changed."""

    def __init__(self, field: str, char: str) -> None:
        if ord(char) < 0x20:
            code, what = "control_character", "the control character"
        else:
            code, what = "invalid_character", "a lone surrogate"
        super().__init__(
            400, code, f"'{field}' contains {what} U+{ord(char):04X}; remove it", field
        )


class IdConverter(IntegerConverter):
    """``<int:…>`` that matches only what an INTEGER id column can hold (else 404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", validation.MAX_ID)
        super().__init__(map, *args, **kwargs)


def clean(value: str) -> str:
    """Return ``value`` without control characters (to show a form back safely)."""
    return CONTROL.sub("", value)


def _json_strings(data: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Yield (field path, string) for every key and string value of a JSON document."""
    stack: list[tuple[str, Any]] = [(prefix, data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path or "body", value
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                yield clean(name), str(key)
                stack.append((clean(name), item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))


def _inputs() -> Iterator[tuple[str, str]]:
    """Yield (field, text) for every text the request carries outside an XML body."""
    for key, value in (request.view_args or {}).items():
        if isinstance(value, str):
            yield key, value
    for source in (request.args, request.form):
        for key, values in source.lists():
            yield clean(key), key
            for value in values:
                yield clean(key), value
    for key, storage in request.files.items(multi=True):
        yield clean(key), key
        yield clean(key), storage.filename or ""
    if request.is_json:
        try:
            data = request.get_json(silent=True)
        except RecursionError:  # json gives up on deep nesting with this, not a ValueError
            raise ApiError(400, "malformed_json", "the JSON is nested too deeply") from None
        if data is not None:
            yield from _json_strings(data)


def refuse_control_characters() -> None:
    """Raise ControlCharacterError for the first field holding a control character."""
    for field, value in _inputs():
        found = CONTROL.search(value)
        if found:
            raise ControlCharacterError(field, found.group())


def _page(exc: ControlCharacterError) -> Any:
    """Answer a page, not JSON, where a person typed the text."""
    if request.blueprint == "resident":
        from server.web.resident import _form

        form = {clean(k): clean(v) for k, v in request.form.items()}
        return _form(form, _("Please check the form."), 400)
    message = _(
        "“%(field)s” contains a control character (such as NUL) that cannot be stored. "
        "Remove it and send again.",
        field=exc.field or "",
    )
    return render_template("console/bad_input.html", message=message), 400


def init_app(app: Flask) -> None:
    """Check every request's text before its view runs; bound ``<int:…>`` to id columns."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_control_characters)

    @app.errorhandler(ControlCharacterError)
    def _refused(exc: ControlCharacterError) -> Any:
        if request.path.startswith("/api/") or request.blueprint not in ("console", "resident"):
            from server.core.errors import error_response

            return error_response(exc.status, exc.code, exc.message, exc.field)
        return _page(exc)
