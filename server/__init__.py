"""Tagengo coordinator: the Flask app factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server.core import config as settings
from server.core import redis_urls

if TYPE_CHECKING:  # Flask is imported lazily so `python -m server.core.webserver` can patch first
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"


def _secret_key(app: Flask) -> None:
    """Use the configured key, else the one `tagengo up` keeps in DATA_DIR, else refuse."""
    if app.config["SECRET_KEY"]:
        return
    key_file = Path(app.config["DATA_DIR"]) / "secret_key"
    if key_file.exists():
        app.config["SECRET_KEY"] = key_file.read_text().strip()
        return
    raise RuntimeError(
        "TAGENGO_SECRET_KEY is not set and no key was found in "
        f"{key_file}; run `tagengo up` once or set TAGENGO_SECRET_KEY"
    )


def _async_mode(role: str) -> str:
    """Serve sockets with gevent only in a web process that was monkey-patched at start."""
    if role != "web":
        return "threading"
    from gevent import monkey

    return "gevent" if monkey.is_module_patched("socket") else "threading"


def create_app(config: Mapping[str, Any] | None = None, *, role: str = "web") -> Flask:
    """Build the app: defaults, then TAGENGO_* from the environment, then ``config``."""
    from flask import Flask

    app = Flask(
        __name__,
        template_folder=str(WEB / "templates"),
        static_folder=str(WEB / "static"),
        static_url_path="/static",
    )
    app.config.from_mapping(settings.defaults())
    app.config.from_prefixed_env("TAGENGO")
    app.config.update(config or {})
    app.config["PROCESS_ROLE"] = role
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Japanese stays readable
    settings.normalize(app.config)
    _secret_key(app)

    # Tables of other domains point at drills.id: the drill tables must be on the metadata.
    import server.drills.models  # noqa: F401
    from server import channels
    from server.core import auth, database, errors, i18n, input_guard, web_security
    from server.core.extensions import csrf, db, limiter, socketio
    from server.core.tasks import celery_init_app
    from server.live import events, sockets
    from server.translation.engine import mt

    db.init_app(app)
    database.init_app(app)
    errors.init_app(app)
    input_guard.init_app(app)
    auth.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    web_security.init_app(app)
    socketio.init_app(
        app,
        **redis_urls.socketio_queue(
            app.config["REDIS_URL"], app.config["SOCKETIO_CHANNEL"], write_only=False
        ),
        async_mode=_async_mode(role),
        # None is python-engineio's same-origin check: only pages the app served may connect.
        cors_allowed_origins=None,
        max_http_buffer_size=64 * 1024,
    )
    _ = sockets  # registers the Socket.IO handlers on import
    events.init_app(app)
    celery_init_app(app)
    mt.init_app(app)

    from server.core.health import bp as health_bp
    from server.web import resident_cards  # noqa: F401  (the card's pages, on resident_bp)
    from server.web.api import bp as api_bp
    from server.web.board import bp as board_bp
    from server.web.console import bp as console_bp
    from server.web.libre import bp as libre_bp
    from server.web.resident import bp as resident_bp
    from server.web.resident_mail import bp as resident_mail_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(board_bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(libre_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(resident_bp)
    app.register_blueprint(resident_mail_bp)
    channels.init_app(app)
    return app
