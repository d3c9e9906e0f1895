"""Atom 1.0 feeds of CAP alerts, kept under a size limit (Google asks for at most 900 KB)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CAP_TYPE = "application/cap+xml"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Entry:
    """One alert in a feed; ``link`` is the URL of its CAP document."""

    id: str
    title: str
    updated: datetime
    summary: str
    link: str
    lang: str


@dataclass(frozen=True)
class Feed:
    """A serialised feed and how many entries did not fit."""

    body: bytes
    omitted: int


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, attrs)
    node.text = text
    return node


def _render(
    feed_id: str, title: str, self_url: str, author: str, lang: str | None, entries: Sequence[Entry]
) -> bytes:
    # Unqualified names under an explicit default namespace: ElementTree cannot combine
    # default_namespace with unqualified attributes such as rel and href.
    root = ET.Element("feed", xmlns=NS)
    if lang:
        root.set(XML_LANG, lang)
    _add(root, "id", feed_id)
    _add(root, "title", title)
    # The newest entry's time, so the same alerts always give the same bytes (and ETag).
    _add(root, "updated", _stamp(max((e.updated for e in entries), default=EPOCH)))
    _add(_add(root, "author"), "name", author)
    _add(root, "link", rel="self", href=self_url, type="application/atom+xml")
    for e in entries:
        entry = _add(root, "entry")
        entry.set(XML_LANG, e.lang)
        _add(entry, "id", e.id)
        _add(entry, "title", e.title)
        _add(entry, "updated", _stamp(e.updated))
        _add(entry, "summary", e.summary)
        _add(entry, "link", rel="alternate", type=CAP_TYPE, href=e.link)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def render(
    feed_id: str,
    title: str,
    self_url: str,
    author: str,
    entries: Sequence[Entry],
    max_bytes: int,
    lang: str | None = None,
) -> Feed:
    """Write the feed with as many leading entries as fit in ``max_bytes``.

    ``entries`` come most important first, so what is left out is the least urgent; a relay
    still finds every alert by its own URL.
    """
    body = _render(feed_id, title, self_url, author, lang, entries)
    if len(body) <= max_bytes:
        return Feed(body, 0)
    low, high = 0, len(entries) - 1  # the most entries that fit lies in [low, high]
    while low < high:
        middle = (low + high + 1) // 2
        if len(_render(feed_id, title, self_url, author, lang, entries[:middle])) <= max_bytes:
            low = middle
        else:
            high = middle - 1
    return Feed(_render(feed_id, title, self_url, author, lang, entries[:low]), len(entries) - low)
