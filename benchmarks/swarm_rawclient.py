"""One swarm process of light board clients: bare WebSockets speaking Socket.IO themselves.

Same command line and stdin/stdout line protocol as ``swarm_client.py`` (whose ``Board``
bookkeeping and ``serve`` loop it reuses), but each board is one aiohttp WebSocket that
reads and writes Engine.IO 4 / Socket.IO 5 text frames directly, without python-socketio's
per-packet machinery: about half the CPU per event, so a process starves later:

- the server opens with ``0{"sid": ..., "pingInterval": ..., "pingTimeout": ...}``;
- the board sends ``40/live,{"board_token": ...}``; ``40/live,{...}`` admits it and
  anything else (``44/live,{...}``) refuses it;
- ``2`` (ping) is answered with ``3`` (pong) at once; events arrive as
  ``42/live,["board_event", {...}]``; a closed socket, ``41/live,`` or ``1`` is a drop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from functools import partial

import aiohttp
from swarm_client import NAMESPACE, SOCKET_EVENT, Board, Tally, parse_args, serve

HANDSHAKE = "/socket.io/?EIO=4&transport=websocket"
CONNECT = f"40{NAMESPACE},"
EVENT = f"42{NAMESPACE},"
LEFT = f"41{NAMESPACE}"
PING, PONG, CLOSE = "2", "3", "1"


class RawBoard(Board):
    """A board on a bare WebSocket of a shared aiohttp session."""

    def __init__(
        self, token: str, expect: int, tally: Tally, session: aiohttp.ClientSession
    ) -> None:
        super().__init__(token, expect, tally)
        self.session = session
        self.ws: aiohttp.ClientWebSocketResponse[bool] | None = None
        self.listener: asyncio.Task[None] | None = None  # held so it is not collected

    async def connect(self, url: str, timeout: float) -> None:
        """Open the socket and join ``/live``; raise if refused or too slow."""
        try:
            async with asyncio.timeout(timeout):
                ws, reply = await self._join(url)
            if not reply.startswith(CONNECT):
                raise ConnectionRefusedError(reply)
        except BaseException:
            await self.close()  # a refused or half-open socket must not linger on the server
            raise
        self.listener = asyncio.create_task(self._listen(ws))

    async def _join(self, url: str) -> tuple[aiohttp.ClientWebSocketResponse[bool], str]:
        """Open the socket, ask to join ``/live`` and return it with the server's answer."""
        # heartbeat=None: Engine.IO's own ping/pong keeps the connection alive, not WS pings.
        ws = self.ws = await self.session.ws_connect(url + HANDSHAKE, heartbeat=None)
        opened = await ws.receive_str()
        if not opened.startswith("0"):
            raise ConnectionError(f"no Engine.IO open packet: {opened!r}")
        await ws.send_str(CONNECT + json.dumps({"board_token": self.token}))
        while True:
            reply = await ws.receive_str()
            if reply == PING:
                await ws.send_str(PONG)
            elif reply.startswith(EVENT):
                # The server joins the board's rooms before it acknowledges the join, so an
                # event emitted in between arrives first; socket.io-client buffers it too.
                self._event(reply)
            else:
                return ws, reply

    def _event(self, text: str) -> None:
        name, data, *_ = json.loads(text[len(EVENT) :])
        if name == SOCKET_EVENT:
            self.on_event(data)

    async def _listen(self, ws: aiohttp.ClientWebSocketResponse[bool]) -> None:
        """Answer pings and record events until the socket or the namespace closes."""
        async for msg in ws:
            if msg.type is not aiohttp.WSMsgType.TEXT:
                continue
            text: str = msg.data
            if text.startswith(EVENT):
                self._event(text)
            elif text == PING:
                # Unanswered for pingInterval + pingTimeout, the server drops the board.
                await ws.send_str(PONG)
            elif text.startswith(LEFT) or text == CLOSE:
                break
        if not self.closing:
            self.on_disconnect()
            await ws.close()

    async def close(self) -> None:
        """Close the socket, if open; the listener then ends without counting a drop."""
        self.closing = True
        if self.ws is not None and not self.ws.closed:
            await self.ws.close()
        if self.listener is not None:  # a reconnect must not race the old listener's exit
            await asyncio.wait([self.listener], timeout=5)
            self.listener = None


async def run(args: argparse.Namespace) -> None:
    """Serve the line protocol with raw boards on one shared session."""
    # limit=0: every board holds its connection for the whole run (aiohttp's default is 100).
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await serve(args, partial(RawBoard, session=session))


def main() -> None:
    """Parse arguments and run one swarm process."""
    asyncio.run(run(parse_args(__doc__.splitlines()[0])))


if __name__ == "__main__":
    main()
