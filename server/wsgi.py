"""WSGI entry for production: gunicorn with the gevent-websocket worker (see docker-compose.yml)."""

from server import create_app

app = create_app(role="web")
