"""A real SMTP server process (aiosmtpd) for the e-mail list tests, and what it received."""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpSink:
    """``python -m aiosmtpd`` writing each accepted message to ``folder``."""

    def __init__(self, folder: Path, delay: float = 0.0) -> None:
        self.folder = folder
        self.delay = delay
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def start(self) -> SmtpSink:
        env = {**os.environ, "PYTHONPATH": str(DATA)}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{self.port}",
                "-c",
                "smtp_sink.Sink",
                str(self.folder),
                str(self.delay),
            ],
            env=env,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.1)
        raise TimeoutError("the SMTP server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)

    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        """Return every accepted message with its envelope recipients."""
        found = []
        for path in sorted(self.folder.glob("*.json")):
            record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            parsed = email.message_from_string(record["data"], policy=email.policy.default)
            found.append((record["to"], parsed))  # type: ignore[arg-type]
        return found
