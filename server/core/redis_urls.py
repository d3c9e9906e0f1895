"""One TAGENGO_REDIS_URL, spelled the way each library wants it, Redis Sentinel included.

A plain ``redis://`` URL passes through unchanged. A Sentinel URL names the sentinels, the
monitored primary's service name and optionally the database number:

    sentinel://[:password@]host1:26379,host2:26379,host3:26379/mymaster[/db]

(``redis+sentinel://…/db/mymaster``, python-socketio's own spelling, is read too.) Celery
gets kombu's ``sentinel://h1;sentinel://h2`` with ``master_name``, the Socket.IO message queue
and Flask-Limiter get ``redis+sentinel://`` and our own clients a ``Sentinel.master_for``
client, so every part follows the primary to whichever replica the sentinels promote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

SCHEMES = ("sentinel", "redis+sentinel")


@dataclass(frozen=True)
class Sentinel:
    """The parts of a Sentinel URL."""

    hosts: tuple[tuple[str, int], ...]
    service: str
    db: int
    password: str | None

    def _auth(self) -> str:
        return f":{quote(self.password, safe='')}@" if self.password else ""

    def _hosts(self) -> str:
        return ",".join(f"{h}:{p}" for h, p in self.hosts)


def parse(url: str) -> Sentinel | None:
    """Return the Sentinel parts of ``url``, or None for a plain Redis URL."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        return None
    netloc = parts.netloc.rsplit("@", 1)
    password = unquote(netloc[0].split(":", 1)[-1]) if len(netloc) == 2 else None
    hosts: list[tuple[str, int]] = []
    for item in netloc[-1].split(","):
        host, _, port = item.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"{url!r}: give each sentinel as host:port")
        hosts.append((host, int(port)))
    path = [p for p in parts.path.split("/") if p]
    if parts.scheme == "redis+sentinel":  # python-socketio: /db/service
        path = path[::-1]
    if not path or path[0].isdigit():
        raise ValueError(f"{url!r}: name the primary, e.g. sentinel://h1:26379,h2:26379/mymaster")
    db = path[1] if len(path) > 1 else "0"
    if not db.isdigit():
        raise ValueError(f"{url!r}: the database after the service name must be a number")
    return Sentinel(tuple(hosts), path[0], int(db), password or None)


def socketio_url(url: str) -> str:
    """The message-queue URL for Flask-SocketIO / python-socketio (5.13 or later)."""
    s = parse(url)
    if s is None:
        return url
    return f"redis+sentinel://{s._auth()}{s._hosts()}/{s.db}/{s.service}"


def socketio_queue(url: str, channel: str, *, write_only: bool) -> dict[str, Any]:
    """Keyword arguments that give Flask-SocketIO its Redis message queue.

    Flask-SocketIO picks a Redis queue only for ``redis://`` URLs (anything else goes to
    kombu), so the python-socketio RedisManager is built here, for Sentinel too. It is always
    passed, None without Redis: the shared ``socketio`` object keeps its options from one
    ``init_app`` to the next, and a manager left from an earlier app must not linger.
    """
    if not url:
        return {"message_queue": None, "channel": channel, "client_manager": None}
    import socketio

    queue = socketio_url(url)
    manager = socketio.RedisManager(queue, channel=channel, write_only=write_only)
    return {"message_queue": queue, "channel": channel, "client_manager": manager}


def limiter_url(url: str) -> str:
    """The storage URI for Flask-Limiter (the ``limits`` package)."""
    s = parse(url)
    if s is None:
        return url
    return f"redis+sentinel://{s._auth()}{s._hosts()}/{s.service}"


def limiter_options(url: str) -> dict[str, Any]:
    """Extra storage options for Flask-Limiter (the database number, behind Sentinel)."""
    s = parse(url)
    return {"db": s.db} if s and s.db else {}


def celery_broker(url: str) -> tuple[str, dict[str, Any]]:
    """Kombu's broker URL and the transport options it needs."""
    s = parse(url)
    if s is None:
        return url, {}
    brokers = ";".join(f"sentinel://{s._auth()}{h}:{p}/{s.db}" for h, p in s.hosts)
    return brokers, {"master_name": s.service}


def client(url: str, **kwargs: Any) -> Any:
    """A redis-py client of the current primary (plain URL or Sentinel)."""
    import redis
    from redis.sentinel import Sentinel as SentinelClient

    s = parse(url)
    if s is None:
        return redis.Redis.from_url(url, **kwargs)
    # Typed as Any: redis-py added annotations here in 8.x, older releases have none.
    sentinel_class: Any = SentinelClient
    sentinels = sentinel_class(list(s.hosts), socket_timeout=kwargs.get("socket_timeout", 2))
    return sentinels.master_for(s.service, db=s.db, password=s.password, **kwargs)
