"""Several hosts: Redis, the web process and the worker each in a network namespace of its own.

The test builds the network itself: a bridge in the root namespace on a private /24, one
namespace per host joined to it by a veth pair, each on an address of its own. Redis listens
on its host's address only, the web process on its own; the worker reaches Redis across the
bridge. The boards and the test stay in the root namespace and reach the web host through the
bridge, as shelter TVs reach the center over a LAN. SQLite is one file that every namespace
sees (namespaces share the filesystem), standing in for a database server both can reach.

Cutting the worker's link (its veth down) for 20 s while announcements that need machine
translation are posted must lose nothing and double nothing. Everything is removed at the end,
on failure too; the test skips where namespaces cannot be made (not root, no `ip`).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.core import database, embedded
from tests.faults.conftest import FaultCenter
from tests.faults.test_faults import assert_exactly_once, post, unfinished, wait_until

pytestmark = pytest.mark.slow

HOSTS = ("redis", "web", "work")
CUT_SECONDS = 20
TEXT = "第{n}報。本日15時に給水があります。停電は夜まで続く見込みです。"


def _ip(*args: str) -> None:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if result.returncode:
        raise OSError(f"ip {' '.join(args)}: {result.stderr.strip()}")


class Network:
    """A bridge with one namespace per host, on a private /24 chosen from this process's id."""

    def __init__(self) -> None:
        tag = f"tg{os.getpid() % 100000}"  # interface names: 15 characters at most
        self.bridge = f"{tag}br"
        self.subnet = f"10.213.{20 + os.getpid() % 200}"
        self.names = {host: f"{tag}-{host}" for host in HOSTS}
        self.links = {host: f"{tag}v{i}" for i, host in enumerate(HOSTS)}  # root-side veth ends
        self.address = {host: f"{self.subnet}.{i}" for i, host in enumerate(HOSTS, start=2)}
        self.made: list[tuple[str, str]] = []

    def build(self) -> None:
        """Make the bridge and each host; record what was made so teardown removes it."""
        _ip("link", "add", self.bridge, "type", "bridge")
        self.made.append(("link", self.bridge))
        _ip("addr", "add", f"{self.subnet}.1/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        for host in HOSTS:
            ns, link = self.names[host], self.links[host]
            _ip("netns", "add", ns)
            self.made.append(("netns", ns))
            _ip("link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns)
            _ip("link", "set", link, "master", self.bridge, "up")
            _ip("-n", ns, "addr", "add", f"{self.address[host]}/24", "dev", "eth0")
            _ip("-n", ns, "link", "set", "eth0", "up")
            _ip("-n", ns, "link", "set", "lo", "up")

    def teardown(self) -> None:
        """Delete every namespace (their veth pairs go with them) and the bridge."""
        for kind, name in reversed(self.made):
            args = ("netns", "del", name) if kind == "netns" else ("link", "del", name)
            subprocess.run(["ip", *args], capture_output=True, timeout=30, check=False)

    def on(self, host: str, argv: list[str]) -> list[str]:
        """Run ``argv`` on ``host``."""
        return ["ip", "netns", "exec", self.names[host], *argv]

    def cut(self, host: str) -> None:
        """Pull the host's cable."""
        _ip("link", "set", self.links[host], "down")

    def mend(self, host: str) -> None:
        """Plug it back in."""
        _ip("link", "set", self.links[host], "up")


@pytest.fixture(scope="module")
def network() -> Iterator[Network]:
    """The hosts' network; skip where namespaces cannot be made."""
    if os.geteuid() != 0:
        pytest.skip("several hosts: network namespaces need root")
    if shutil.which("ip") is None:
        pytest.skip("several hosts: the `ip` command (iproute2) is missing")
    net = Network()
    probe = net.names["redis"]
    try:
        _ip("netns", "add", probe)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"several hosts: cannot make network namespaces here ({exc})")
    _ip("netns", "del", probe)
    try:
        net.build()
    except BaseException:
        net.teardown()
        raise
    try:
        yield net
    finally:
        net.teardown()


def wait_for_address(address: str, port: int, proc: Any, timeout: float = 60) -> None:
    """Wait until ``address:port`` accepts a connection from the root namespace."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with code {proc.returncode} before listening")
        try:
            socket.create_connection((address, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {address}:{port} after {timeout:.0f}s")


class HostsCenter(FaultCenter):
    """A fault center whose web process (with beat) and worker run on hosts of their own."""

    def __init__(self, base_dir: Path, db_url: str, redis: str, net: Network) -> None:
        super().__init__(base_dir, db_url, redis)
        self.net = net
        self.port = 8080  # the web host's own address: no port to share with anyone
        self.url = f"http://{net.address['web']}:{self.port}"
        self.env |= {"TAGENGO_HOST": net.address["web"], "TAGENGO_PORT": str(self.port)}

    def start(self) -> None:
        """Start web and beat on the web host, the worker on its own; supervise them."""
        web = self.stack.start(
            "web", self.net.on("web", embedded.web_argv()), self.env, self.logs / "web.log"
        )
        self.start_worker()
        embedded.wait_for_health(self.url, 90, web)
        self.wait_for_worker(90)
        beat = self.net.on("web", embedded.beat_argv(self.base_dir))
        self.stack.start("beat", beat, self.env, self.logs / "beat.log")
        self.supervising.set()
        threading.Thread(target=self._supervise, daemon=True).start()

    def start_worker(self, name: str = "worker") -> None:
        """Start the Celery worker on the worker host."""
        argv = embedded.worker_argv(2, name=name + os.urandom(2).hex())
        self.stack.start(name, self.net.on("work", argv), self.env, self.logs / f"{name}.log")

    def worker_answers(self) -> bool:
        """Whether the worker answers a ping over the broker right now."""
        return bool(self.app.extensions["celery"].control.ping(timeout=1.0))


@pytest.fixture(scope="module")
def hosts_center(
    network: Network, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HostsCenter]:
    """Redis on its host, then the center on the others, with tiny models installed."""
    folder = tmp_path_factory.mktemp("hosts")
    redis_host = network.address["redis"]
    stack = embedded.Stack()
    argv = [embedded.redis_server_binary(), "--port", "6379", "--bind", redis_host]
    argv += ["--protected-mode", "no", "--save", "", "--appendonly", "no", "--dir", str(folder)]
    proc = stack.start("redis", network.on("redis", argv), os.environ, folder / "redis.log")
    try:
        wait_for_address(redis_host, 6379, proc)
        db_url = f"sqlite:///{folder / 'tagengo.db'}"
        database.upgrade(db_url)
        center = HostsCenter(folder, db_url, f"redis://{redis_host}:6379/0", network)
        center.install_tiny_models(tmp_path_factory.mktemp("hosts-models"))
        center.start()
        try:
            yield center
        finally:
            center.stop()
    finally:
        stack.stop()


def test_hosts_apart_and_the_worker_cut_off_for_20_seconds(
    hosts_center: HostsCenter, network: Network, live_board: Any
) -> None:
    center = hosts_center
    setup = center.seed()
    token = setup["token"]
    boards = [live_board(center, b) for b in setup["boards"]]

    # Across the bridge: a post to the web host, work done on the worker host, the result
    # pushed through Redis on its host to boards in the root namespace.
    first = post(center, token, text=TEXT.format(n=0))
    targets = len(center.app.config["TARGET_LANGUAGES"]) - 1  # all but the source language

    def shown(events: list[dict[str, Any]]) -> bool:
        mine = [e for e in events if e["announcement_id"] == first]
        return len({e["lang"] for e in mine if e["type"] == "announcement.translated"}) == targets

    for board in boards:
        try:
            board.wait_for(shown, timeout=60)
        except AssertionError:
            raise AssertionError(missing(center, board, first)) from None

    network.cut("work")
    try:
        cut_at = time.monotonic()
        aids = []
        for n in range(1, 11):
            aids.append(post(center, token, text=TEXT.format(n=n)))
            time.sleep(1.5)
        assert not center.worker_answers(), "the worker still answers: the cut did not hold"
        time.sleep(max(0.0, cut_at + CUT_SECONDS - time.monotonic()))
    finally:
        network.mend("work")

    wait_until(lambda: unfinished(center, [first, *aids]), 120, "work was lost in the cut")
    assert_exactly_once(center, boards, [first, *aids], timeout=60)
    assert center.worker_answers(), "the worker never came back after the cut"


def missing(center: HostsCenter, board: Any, aid: int) -> str:
    """Say, in its first words, what a board lacks and why: CI shows only the end of a long
    message, and a list of every event the board has hides the cause."""
    targets = set(center.app.config["TARGET_LANGUAGES"]) - {"ja"}
    got = {
        e["lang"]
        for e in board.events
        if e["announcement_id"] == aid and e["type"] == "announcement.translated"
    }
    log = center.logs / "worker.log"
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    trouble = [line for line in lines if " ERROR " in line or " WARNING " in line][-5:]
    return (
        f"board {board.board_id} lacks {sorted(targets - got)} of announcement {aid} after 60 s "
        f"(catch-up errors: {board.catch_up_errors[-3:]}); the database: "
        f"{unfinished(center, [aid]) or 'all done'}; the worker's last warnings: {trouble}"
    )
