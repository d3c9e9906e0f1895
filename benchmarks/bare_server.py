"""The bare baseline: a minimal Flask-SocketIO server on the same Redis message queue.

Run it the way Tagengo's web process is run, so only our own code differs: gunicorn with
``-k geventwebsocket.gunicorn.workers.GeventWebSocketWorker`` (gevent) or ``-k gthread
--threads N`` (threading), ``--pythonpath benchmarks`` and the app
``bare_server:create_app()``. ``BENCH_REDIS_URL`` and ``BENCH_CHANNEL`` name the queue.
Boards connect to ``/live`` and join ``board:all``; no database, no token check.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from flask_socketio import SocketIO, join_room

NAMESPACE = "/live"


def async_mode() -> str:
    """Pick the mode the way server/__init__.py does: gevent only when sockets are patched."""
    from gevent import monkey

    return "gevent" if monkey.is_module_patched("socket") else "threading"


def create_app() -> Flask:
    """Build the bare app; the gunicorn worker has patched (or not) before this runs."""
    app = Flask(__name__)
    socketio = SocketIO(
        app,
        message_queue=os.environ["BENCH_REDIS_URL"],
        channel=os.environ["BENCH_CHANNEL"],
        async_mode=async_mode(),
        max_http_buffer_size=64 * 1024,
    )

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "async_mode": socketio.async_mode}

    @socketio.on("connect", namespace=NAMESPACE)
    def on_connect(auth: dict[str, Any] | None = None) -> None:
        join_room("board:all")

    return app
