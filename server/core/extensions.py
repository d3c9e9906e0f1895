"""Flask extensions, created unbound here and bound in the app factory."""

from __future__ import annotations

from typing import Any

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base of every Tagengo model."""


db = SQLAlchemy(model_class=Base)
socketio = SocketIO()
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# Limits are declared per view (resident intake); storage is Redis, shared by web processes.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def redis_client() -> Any:
    """The app's shared Redis client (created on first use), or None when none is configured."""
    from flask import current_app

    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("tagengo.redis")
    if client is None:
        from server.core import redis_urls

        client = redis_urls.client(url)
        current_app.extensions["tagengo.redis"] = client
    return client
