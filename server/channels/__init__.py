"""Channels beyond the boards: CAP 1.2 alerts and Atom feeds for relays."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Serve the CAP alerts and Atom feeds; check a configured signing key at start."""
    from server.channels.routes import bp

    if app.config["CAP_SIGNING_KEY_FILE"] or app.config["CAP_SIGNING_CERT_FILE"]:
        from server.channels import signing

        signing.load(app.config["CAP_SIGNING_KEY_FILE"], app.config["CAP_SIGNING_CERT_FILE"])
    app.register_blueprint(bp)
