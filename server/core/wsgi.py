"""WSGI entry for production: gunicorn with the gevent-websocket worker (see docker-compose.yml)."""

import logging

from server import create_app
from server.core.extensions import socketio
from server.live.sockets import start_control_listener

app = create_app(role="web")
start_control_listener(app)
# gunicorn -k gthread silently serves threading, and plain -k gevent loses WebSockets: say which.
logging.getLogger(__name__).warning("Socket.IO async mode: %s", socketio.async_mode)
