"""One swarm process: many python-socketio asyncio board clients, driven over stdin/stdout.

Started by ``board_swarm.py``; it speaks a line protocol so the driver can run several of
these side by side (one asyncio client process saturates near a thousand boards):

- it prints ``connected OK FAILED`` once every board has tried to connect;
- it prints ``done AID`` when every connected board has all events of announcement AID;
- on ``report PATH LO HI`` it writes what each board received to PATH (JSON), counting
  sequence numbers in [LO, HI] that a board missed or received twice, then prints
  ``reported``;
- on ``cycle N`` it drops N random boards and connects them again (each catches up, as
  below), then prints ``cycled OK FAILED``;
- on ``catchup`` every board asks the feed for what it lacks, then it prints ``caught-up``;
- on ``quit`` it disconnects and exits.

With ``--since SEQ`` each board behaves like ``web/static/board.js``: a feed cursor that only
the feed moves (starting at SEQ), a catch-up through ``/feed?since=`` on every (re)connect and,
with ``--poll S``, every S to 4/3·S seconds while connected. Events the feed brings that the
socket already did are not counted twice; a seq pushed twice over the socket is.

Receive times are ``time.monotonic()``, which on Linux is one clock for every process of
the machine, so the driver can subtract its own post times from them.

The bookkeeping (``Board``, ``Tally``) and the line protocol (``serve``) are shared with
``swarm_rawclient.py``, which speaks the same protocol over bare WebSockets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

NAMESPACE = "/live"
SOCKET_EVENT = "board_event"
PUBLISHED = "announcement.published"
TRANSLATED = "announcement.translated"


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
        self.closing = False  # set while we close the socket on purpose: not a drop
        self.board_id = int(token[1:].split(".", 1)[0]) if token.startswith("b") else 0
        self.cursor: int | None = None  # feed cursor; None: this board never asks the feed
        self.fed = 0  # seqs that reached this board through the feed first
        self.fed_first: set[int] = set()  # those the socket has not brought (yet)
        self.reconnects = 0
        self.reconnect_failed = 0
        self.reconnecting = False
        self.catch_up_errors = 0
        # aid -> [published time, last translated time, events counted]
        self.times: dict[int, list[float]] = {}

    def on_event(self, data: dict[str, Any], fed: bool = False) -> None:
        """Record an event; a plain function, so no task is spent per event."""
        now = time.monotonic()
        seq = int(data["seq"])
        if seq in self.seqs:
            # The feed replays what the socket brought and the socket may bring later what the
            # feed already did (board.js drops both); a second push over the socket is a dup.
            if fed:
                return
            if seq in self.fed_first:
                self.fed_first.discard(seq)
            else:
                self.dups += 1
            return
        self.seqs.add(seq)
        if fed:
            self.fed += 1
            self.fed_first.add(seq)
        if data["type"] not in (PUBLISHED, TRANSLATED) or data.get("revision", 1) != 1:
            return  # latency is measured on first publications only
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
        if not self.closing:
            self.disconnects += 1

    async def catch_up(self, http: Any, url: str) -> None:
        """Fetch every page after the feed cursor, as board.js does; retry a failure later."""
        if self.cursor is None:
            return
        for _ in range(5):
            try:
                while True:
                    feed = f"{url}/api/v1/boards/{self.board_id}/feed"
                    headers = {"Authorization": f"Bearer {self.token}"}
                    async with http.get(feed, params={"since": self.cursor}, headers=headers) as r:
                        r.raise_for_status()
                        page = await r.json()
                    for event in page["events"]:
                        self.on_event(event, fed=True)
                    self.cursor = max(self.cursor, int(page["last_seq"]))
                    if not page["more"]:
                        return
            except Exception as exc:  # board.js retries after 3 s; so do we
                self.catch_up_errors += 1
                print(f"catch-up failed: {exc!r}", file=sys.stderr, flush=True)
                await asyncio.sleep(3)

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
            "received": sum(1 for s in wanted if s in self.seqs),
            "fed": self.fed,
            "reconnects": self.reconnects,
            "reconnect_failed": self.reconnect_failed,
            "catch_up_errors": self.catch_up_errors,
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


async def reconnect(board: Board, url: str, http: Any) -> bool:
    """Drop a board on purpose, connect it again and let it catch up; return success.

    Like socket.io-client, a failed attempt is retried after 1, then 2 s; a board still off
    after three tries is tried again by its feed poll.
    """
    if board.reconnecting:
        return False
    board.reconnecting = True
    try:
        await board.close()
        board.joined, board.closing = False, False
        for delay in (1, 2, 0):
            try:
                await board.connect(url, 30)
                break
            except Exception as exc:  # a refused or slow join: wait and try again
                board.closing = False
                print(f"reconnect failed: {exc!r}", file=sys.stderr, flush=True)
                if not delay:
                    board.reconnect_failed += 1
                    return False
                await asyncio.sleep(delay)
        board.joined = True
        board.reconnects += 1
    finally:
        board.reconnecting = False
    await board.catch_up(http, url)
    return True


async def poll(board: Board, url: str, http: Any, every: float) -> None:
    """Ask the feed every ``every`` to 4/3·``every`` seconds; connect a board that is off."""
    while True:
        await asyncio.sleep(every * (1 + random.random() / 3))
        if board.joined:
            await board.catch_up(http, url)
        else:
            await reconnect(board, url, http)


async def cycle(boards: list[Board], urls: list[str], count: int, http: Any) -> None:
    """Reconnect ``count`` random boards, a few at a time, and say how it went."""
    picked = random.sample(boards, min(count, len(boards)))
    gate = asyncio.Semaphore(10)

    async def one(i: int, board: Board) -> bool:
        async with gate:
            return await reconnect(board, urls[i % len(urls)], http)

    results = await asyncio.gather(*(one(i, b) for i, b in enumerate(picked)))
    print(f"cycled {sum(results)} {len(results) - sum(results)}", flush=True)


async def catch_up_all(boards: list[Board], urls: list[str], http: Any) -> None:
    """Let every board ask the feed once, a few at a time."""
    gate = asyncio.Semaphore(20)

    async def one(i: int, board: Board) -> None:
        async with gate:
            await board.catch_up(http, urls[i % len(urls)])

    await asyncio.gather(*(one(i, b) for i, b in enumerate(boards)))


async def serve(args: argparse.Namespace, make: MakeBoard) -> None:
    """Connect boards made by ``make``, then obey commands from stdin until told to quit."""
    tokens = json.loads(Path(args.tokens).read_text())
    urls = args.urls.split(",")
    tally = Tally()
    boards = [make(t, args.expect, tally) for t in tokens]
    http = None
    if args.since is not None:
        import aiohttp  # only boards that catch up need it here

        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=20))
        for board in boards:
            board.cursor = args.since
    ok = await connect_all(boards, urls, args.parallel)
    tally.connected = ok
    background: set[asyncio.Task[None]] = set()  # held so the tasks are not collected
    if http is not None:
        await catch_up_all([b for b in boards if b.joined], urls, http)
        if args.poll > 0:
            for i, board in enumerate(boards):
                url = urls[i % len(urls)]
                background.add(asyncio.create_task(poll(board, url, http, args.poll)))
    print(f"connected {ok} {len(boards) - ok}", flush=True)
    await obey(args, boards, urls, http, background)
    for task in background:
        task.cancel()
    await asyncio.gather(*(b.close() for b in boards))
    if http is not None:
        await http.close()


async def obey(
    args: argparse.Namespace,
    boards: list[Board],
    urls: list[str],
    http: Any,
    background: set[asyncio.Task[None]],
) -> None:
    """Read commands from stdin and carry them out until ``quit`` or end of input."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():
        cmd, *rest = line.split()
        if cmd == "report":
            path, lo, hi = rest[0], int(rest[1]), int(rest[2])
            # A board that follows the feed counts even while it is off: the feed still serves it.
            rows = [
                b.summary(lo, hi) | {"probe": args.probe}
                for b in boards
                if b.joined or b.cursor is not None
            ]
            Path(path).write_text(json.dumps({"boards": rows}))
            print("reported", flush=True)
        elif cmd == "cycle" and http is not None:
            task = asyncio.create_task(cycle(boards, urls, int(rest[0]), http))
            background.add(task)
            task.add_done_callback(background.discard)
        elif cmd == "catchup" and http is not None:
            await catch_up_all(boards, urls, http)
            print("caught-up", flush=True)
        elif cmd == "quit":
            break


def parse_args(description: str) -> argparse.Namespace:
    """Parse the command line every swarm client takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--urls", required=True, help="comma-separated web process URLs")
    parser.add_argument("--tokens", required=True, help="JSON file with one board token each")
    parser.add_argument("--expect", type=int, required=True, help="events per announcement")
    parser.add_argument("--parallel", type=int, default=50, help="handshakes at a time")
    parser.add_argument("--probe", action="store_true", help="mark these boards as probes")
    parser.add_argument("--since", type=int, help="catch up through the feed from this seq")
    parser.add_argument("--poll", type=float, default=0, help="feed poll period (0: never)")
    return parser.parse_args()


def main() -> None:
    """Parse arguments and run one swarm process."""
    asyncio.run(serve(parse_args(__doc__.splitlines()[0]), SocketIOBoard))


if __name__ == "__main__":
    main()
