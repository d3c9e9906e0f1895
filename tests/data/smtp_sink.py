"""An aiosmtpd handler that writes each accepted message to a folder (one JSON file each).

Run by the tests as a real server process:
``python -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Sink FOLDER [DELAY_SECONDS]``.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from typing import Any


class Sink:
    def __init__(self, folder: str, delay: float = 0.0) -> None:
        self.folder = folder
        self.delay = delay

    @classmethod
    def from_cli(cls, _parser: Any, *args: str) -> Sink:
        return cls(args[0], float(args[1]) if len(args) > 1 else 0.0)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        # Like a real MTA, the message is stored (queued) before the 250 goes back; a slow
        # reply keeps the client busy on each message, so a test can kill it mid-send.
        name = os.path.join(self.folder, uuid.uuid4().hex)
        record = {
            "from": envelope.mail_from,
            "to": list(envelope.rcpt_tos),
            "data": envelope.original_content.decode("utf-8", "replace"),
        }
        with open(name + ".part", "w", encoding="utf-8") as fh:
            json.dump(record, fh)
        os.replace(name + ".part", name + ".json")
        await asyncio.sleep(self.delay)
        return "250 OK"
