"""Console language: Japanese by default, English on request (?lang=en, remembered)."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import get_locale

from server.core.extensions import babel
from translations import i18n as catalogs

CONSOLE_LOCALES = ("ja", "en")


def select_locale() -> str:
    """Resident pages speak the resident's language; the console speaks ja or en."""
    if request.blueprint == "resident":
        from server.web.resident import babel_locale

        return babel_locale()
    asked = request.args.get("lang")
    if asked in CONSOLE_LOCALES:
        session["lang"] = asked
        return asked
    remembered = session.get("lang")
    if remembered in CONSOLE_LOCALES:
        return str(remembered)
    return str(current_app.config["DEFAULT_LOCALE"])


def init_app(app: Flask) -> None:
    """Bind Flask-Babel to the catalogs kept in translations/i18n."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(catalogs.CATALOG_DIR)
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(lambda: {"get_locale": get_locale})
