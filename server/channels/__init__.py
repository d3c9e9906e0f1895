"""Channels beyond the boards: CAP 1.2 alerts and Atom feeds, spoken announcements, paper."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Serve the CAP alerts and Atom feeds; check a configured signing key at start."""
    from server.channels import cap, models

    _ = models  # the e-mail list tables join the metadata of every app
    from server.channels.routes import bp
    from server.channels.speech_routes import bp as speech_bp
    from server.channels.speech_routes import preview

    if not app.config["CAP_SENDER"] or cap.FORBIDDEN.search(app.config["CAP_SENDER"]):
        raise ValueError("TAGENGO_CAP_SENDER must not contain spaces, commas, '<' or '&'")

    if app.config["CAP_SIGNING_KEY_FILE"] or app.config["CAP_SIGNING_CERT_FILE"]:
        from server.channels import signing

        signing.load(app.config["CAP_SIGNING_KEY_FILE"], app.config["CAP_SIGNING_CERT_FILE"])
    app.register_blueprint(bp)
    app.register_blueprint(speech_bp)
    app.add_template_global(preview, "speech_preview")
    from server.channels import posters

    app.add_template_global(posters.choosable_languages, "poster_languages")
    app.add_template_global(posters.open_shelters, "poster_shelters")
