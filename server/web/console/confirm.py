"""One confirmation page for actions that cannot be undone; it works without JavaScript."""

from __future__ import annotations

from flask import render_template, request


def page(
    question: str,
    consequence: str,
    button: str,
    cancel_url: str,
    *,
    quote: str = "",
    quote_lang: str = "",
) -> str:
    """Ask before acting: the form posts back to this URL with ``confirm=yes``."""
    return render_template(
        "console/confirm.html",
        question=question,
        consequence=consequence,
        button=button,
        cancel_url=cancel_url,
        action=request.path,
        quote=quote,
        quote_lang=quote_lang,
    )
