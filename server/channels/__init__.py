"""Channels beyond the boards: CAP 1.2 alerts and Atom feeds for relays."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Serve the CAP alerts and Atom feeds."""
    from server.channels.routes import bp

    app.register_blueprint(bp)
