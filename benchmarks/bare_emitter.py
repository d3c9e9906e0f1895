"""The bare baseline's external emitter: the same board events, straight onto the Redis queue.

A write-only ``SocketIO(message_queue=...)``, as our Celery worker uses. Each ``emit`` line
on stdin sends one announcement: ``announcement.published`` then one
``announcement.translated`` per target language, with the phrasebook texts of
``shelter.quiet_hours`` and consecutive ``seq`` numbers from 1; it then prints
``emitted AID FIRST_SEQ LAST_SEQ``. ``quit`` (or end of input) stops it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from flask_socketio import SocketIO

from translations import phrasebook

TEMPLATE = "shelter.quiet_hours"
SLOTS = {"time": "22:00"}
NAMESPACE = "/live"


def payload(seq: int, aid: int, kind: str, lang: str, text: str, method: str) -> dict[str, Any]:
    """Build an event in the shape server/events.py gives it."""
    return {
        "type": kind,
        "seq": seq,
        "announcement_id": aid,
        "revision": 1,
        "lang": lang,
        "status": "done",
        "method": method,
        "reviewed": True,
        "text": text,
        "severity": "Unknown",
        "drill": False,
        "expires_at": None,
        "category": "shelter",
        "source_lang": "ja",
        "reason": None,
    }


def main() -> None:
    """Emit announcements on request until told to stop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", required=True, help="Redis URL of the message queue")
    parser.add_argument("--channel", required=True, help="Socket.IO channel name")
    parser.add_argument("--langs", required=True, help="comma-separated target languages")
    args = parser.parse_args()
    langs = args.langs.split(",")
    template = phrasebook.load()[TEMPLATE]
    texts = {lang: template.render(lang, SLOTS) for lang in ["ja", *langs]}
    queue = SocketIO(message_queue=args.redis, channel=args.channel)
    seq = 0
    for aid, line in enumerate(sys.stdin, start=1):
        if line.strip() != "emit":
            break
        first = seq + 1
        seq += 1
        event = payload(seq, aid, "announcement.published", "ja", texts["ja"], "human")
        queue.emit("board_event", event, to=["console", "board:all"], namespace=NAMESPACE)
        for lang in langs:
            seq += 1
            event = payload(seq, aid, "announcement.translated", lang, texts[lang], "phrasebook")
            rooms = ["console", "board:all", f"lang:{lang}"]
            queue.emit("board_event", event, to=rooms, namespace=NAMESPACE)
        print(f"emitted {aid} {first} {seq}", flush=True)


if __name__ == "__main__":
    main()
