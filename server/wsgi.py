"""WSGI entry for production: gunicorn with the gevent-websocket worker (see docker-compose.yml)."""

from server import create_app
from server.sockets import start_control_listener

app = create_app(role="web")
start_control_listener(app)
