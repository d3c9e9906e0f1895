"""One swarm process: many python-socketio asyncio board clients, driven over stdin/stdout.

Started by ``board_swarm.py``; it speaks a line protocol so the driver can run several of
these side by side (one asyncio client process saturates near a thousand boards):

- it prints ``connected OK FAILED`` once every board has tried to connect;
- it prints ``done AID`` when every connected board has all events of announcement AID;
- on ``report PATH LO HI`` it writes what each board received to PATH (JSON), counting
  sequence numbers in [LO, HI] that a board missed or received twice, then prints
  ``reported``;
- on ``quit`` it disconnects and exits.

Receive times are ``time.monotonic()``, which on Linux is one clock for every process of
the machine, so the driver can subtract its own post times from them.

The bookkeeping (``Board``, ``Tally``) and the line protocol (``serve``) are shared with
``swarm_rawclient.py``, which speaks the same protocol over bare WebSockets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

NAMESPACE = "/live"
SOCKET_EVENT = "board_event"
PUBLISHED = "announcement.published"


class Board:
    """What one board has received; subclasses hold the connection."""

    def __init__(self, token: str, expect: int, tally: Tally) -> None:
        self.token = token
        self.expect = expect
        self.tally = tally
        self.seqs: set[int] = set()
        self.dups = 0
        self.disconnects = 0
        self.joined = False
        # aid -> [published time, last translated time, events counted]
        self.times: dict[int, list[float]] = {}

    def on_event(self, data: dict[str, Any]) -> None:
        """Record an event; a plain function, so no task is spent per event."""
        now = time.monotonic()
        seq = int(data["seq"])
        if seq in self.seqs:
            self.dups += 1
            return
        self.seqs.add(seq)
        aid = int(data["announcement_id"])
        row = self.times.setdefault(aid, [0.0, 0.0, 0.0])
        if data["type"] == PUBLISHED:
            row[0] = now
        else:
            row[1] = max(row[1], now)
        row[2] += 1
        if row[2] == self.expect:
            self.tally.board_done(aid)

    def on_disconnect(self, *_: Any) -> None:
        """Count drops: a board that loses its socket mid-run is a failure worth seeing."""
        self.disconnects += 1

    async def connect(self, url: str, timeout: float) -> None:
        """Connect to ``/live`` with this board's token; raise if refused or too slow."""
        raise NotImplementedError

    async def close(self) -> None:
        """Disconnect if connected; called on every board at quit, joined or not."""
        raise NotImplementedError

    def summary(self, lo: int, hi: int) -> dict[str, Any]:
        """Return missed and duplicated counts in [lo, hi] and the raw receive times."""
        wanted = range(lo, hi + 1) if hi >= lo else range(0)
        missed = sum(1 for s in wanted if s not in self.seqs)
        return {
            "missed": missed,
            "dups": self.dups,
            "disconnects": self.disconnects,
            "times": {str(aid): row for aid, row in self.times.items()},
        }


class SocketIOBoard(Board):
    """A board on python-socketio's asyncio client."""

    def __init__(self, token: str, expect: int, tally: Tally) -> None:
        super().__init__(token, expect, tally)
        # Imported here so that swarm_rawclient.py can reuse this module without loading it.
        import socketio

        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on(SOCKET_EVENT, self.on_event, namespace=NAMESPACE)
        self.sio.on("disconnect", self.on_disconnect, namespace=NAMESPACE)

    async def connect(self, url: str, timeout: float) -> None:
        """Connect over WebSocket only, as kiosk boards do after the first page load."""
        await self.sio.connect(
            url,
            namespaces=[NAMESPACE],
            auth={"board_token": self.token},
            transports=["websocket"],
            wait_timeout=timeout,
        )

    async def close(self) -> None:
        """Disconnect, if connected."""
        if self.sio.connected:
            await self.sio.disconnect()


class Tally:
    """Count boards that completed each announcement; say so once all have."""

    def __init__(self) -> None:
        self.connected = 0
        self.done: dict[int, int] = defaultdict(int)

    def board_done(self, aid: int) -> None:
        """Note one more board complete for ``aid``."""
        self.done[aid] += 1
        if self.done[aid] == self.connected:
            print(f"done {aid}", flush=True)


MakeBoard = Callable[[str, int, Tally], Board]


async def connect_all(boards: list[Board], urls: list[str], parallel: int) -> int:
    """Connect boards round-robin over the web URLs, ``parallel`` handshakes at a time."""
    gate = asyncio.Semaphore(parallel)

    async def one(i: int, board: Board) -> bool:
        async with gate:
            try:
                await board.connect(urls[i % len(urls)], 30)
            except Exception as exc:  # a refused board is a result, not a crash
                print(f"connect failed: {exc!r}", file=sys.stderr, flush=True)
                return False
            board.joined = True
            return True

    results = await asyncio.gather(*(one(i, b) for i, b in enumerate(boards)))
    return sum(results)


async def serve(args: argparse.Namespace, make: MakeBoard) -> None:
    """Connect boards made by ``make``, then obey commands from stdin until told to quit."""
    tokens = json.loads(Path(args.tokens).read_text())
    tally = Tally()
    boards = [make(t, args.expect, tally) for t in tokens]
    ok = await connect_all(boards, args.urls.split(","), args.parallel)
    tally.connected = ok
    print(f"connected {ok} {len(boards) - ok}", flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():
        cmd, *rest = line.split()
        if cmd == "report":
            path, lo, hi = rest[0], int(rest[1]), int(rest[2])
            rows = [b.summary(lo, hi) | {"probe": args.probe} for b in boards if b.joined]
            Path(path).write_text(json.dumps({"boards": rows}))
            print("reported", flush=True)
        elif cmd == "quit":
            break
    await asyncio.gather(*(b.close() for b in boards))


def parse_args(description: str) -> argparse.Namespace:
    """Parse the command line every swarm client takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--urls", required=True, help="comma-separated web process URLs")
    parser.add_argument("--tokens", required=True, help="JSON file with one board token each")
    parser.add_argument("--expect", type=int, required=True, help="events per announcement")
    parser.add_argument("--parallel", type=int, default=50, help="handshakes at a time")
    parser.add_argument("--probe", action="store_true", help="mark these boards as probes")
    return parser.parse_args()


def main() -> None:
    """Parse arguments and run one swarm process."""
    asyncio.run(serve(parse_args(__doc__.splitlines()[0]), SocketIOBoard))


if __name__ == "__main__":
    main()
