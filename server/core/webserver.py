"""Web process entry: `python -m server.core.webserver` (what `tagengo web` runs).

gevent must patch the standard library before anything else imports it, which is why
this module starts with the patch and `server/__init__.py` imports Flask lazily.
"""

from gevent import monkey

monkey.patch_all()

import logging  # noqa: E402

from server import create_app  # noqa: E402
from server.core import logs  # noqa: E402
from server.core.extensions import socketio  # noqa: E402
from server.live.sockets import start_control_listener  # noqa: E402


def main() -> None:
    """Serve the console, API, boards and Socket.IO on one gevent server."""
    app = create_app(role="web")
    start_control_listener(app)
    logs.configure("web", app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    logging.getLogger(__name__).info("Socket.IO async mode: %s", socketio.async_mode)
    socketio.run(app, host=app.config["HOST"], port=app.config["PORT"], log_output=False)


if __name__ == "__main__":
    main()
