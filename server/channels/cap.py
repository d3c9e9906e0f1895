"""OASIS CAP 1.2 alert messages built from plain data (no Flask, no database)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

from server.core import clock

NS = "urn:oasis:names:tc:emergency:cap:1.2"

# CAP 1.2 §3.2.1: identifiers and senders carry no spaces, commas or XML-reserved characters.
FORBIDDEN = re.compile(r"[\s,<&]")
# xs:language, which CAP 1.2 uses for RFC 3066 tags (ja-x-easy fits: 1–8 alphanumerics a part).
_LANGUAGE = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")

CATEGORIES = frozenset(
    {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra"}
    | {"CBRNE", "Other"}
)
URGENCIES = ("Immediate", "Expected", "Future", "Past")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely")


class CapError(ValueError):
    """Data that cannot become a valid CAP 1.2 message."""


@dataclass(frozen=True)
class Area:
    """One ``<area>``: a description and, when coordinates are known, circles."""

    desc: str
    circles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Info:
    """One ``<info>`` block: the alert in one language."""

    language: str
    category: str
    event: str
    urgency: str
    severity: str
    certainty: str
    expires: datetime
    sender_name: str
    description: str
    areas: tuple[Area, ...]
    headline: str | None = None
    instruction: str | None = None
    web: str | None = None
    parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Alert:
    """One CAP message: Alert, Update or Cancel of one announcement."""

    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    infos: tuple[Info, ...]
    references: tuple[str, ...] = ()
    note: str | None = None
    scope: str = "Public"


def timestamp(moment: datetime) -> str:
    """Format a time as CAP wants it: seconds, explicit offset (never ``Z``), center time."""
    if moment.tzinfo is None:
        raise CapError("CAP times must be timezone-aware")
    return moment.astimezone(clock.center_tz()).replace(microsecond=0).isoformat()


def _check(alert: Alert) -> None:
    for name in ("identifier", "sender"):
        value = getattr(alert, name)
        if not value or FORBIDDEN.search(value):
            raise CapError(f"CAP {name} {value!r} must be non-empty, without spaces or commas")
    if alert.msg_type in ("Update", "Cancel") and not alert.references:
        raise CapError(f"a CAP {alert.msg_type} must reference the messages it replaces")
    seen: set[str] = set()
    for info in alert.infos:
        if not _LANGUAGE.match(info.language):
            raise CapError(f"language tag {info.language!r} is not an RFC 3066 tag")
        if info.language in seen:
            raise CapError(f"two <info> blocks in {info.language}; CAP wants one per language")
        seen.add(info.language)
        if info.category not in CATEGORIES:
            raise CapError(f"unknown CAP category {info.category!r}")
        for value, allowed in (
            (info.urgency, URGENCIES),
            (info.severity, SEVERITIES),
            (info.certainty, CERTAINTIES),
        ):
            if value not in allowed:  # "Unknown" included: relays such as Google refuse it
                raise CapError(f"{value!r} is not one of {', '.join(allowed)}")
        if not info.areas:
            raise CapError("every <info> needs at least one <area>")


def _text(parent: ET.Element, tag: str, value: str | None) -> None:
    if value is not None:
        ET.SubElement(parent, f"{{{NS}}}{tag}").text = value


def _info(parent: ET.Element, info: Info) -> None:
    node = ET.SubElement(parent, f"{{{NS}}}info")
    _text(node, "language", info.language)
    _text(node, "category", info.category)
    _text(node, "event", info.event)
    _text(node, "urgency", info.urgency)
    _text(node, "severity", info.severity)
    _text(node, "certainty", info.certainty)
    _text(node, "expires", timestamp(info.expires))
    _text(node, "senderName", info.sender_name)
    _text(node, "headline", info.headline)
    _text(node, "description", info.description)
    _text(node, "instruction", info.instruction)
    _text(node, "web", info.web)
    for name, value in info.parameters:
        parameter = ET.SubElement(node, f"{{{NS}}}parameter")
        _text(parameter, "valueName", name)
        _text(parameter, "value", value)
    for area in info.areas:
        area_node = ET.SubElement(node, f"{{{NS}}}area")
        _text(area_node, "areaDesc", area.desc)
        for circle in area.circles:
            _text(area_node, "circle", circle)


def element(alert: Alert) -> ET.Element:
    """Build the ``<alert>`` element; raise CapError for data CAP (or Google) would refuse."""
    _check(alert)
    root = ET.Element(f"{{{NS}}}alert")
    _text(root, "identifier", alert.identifier)
    _text(root, "sender", alert.sender)
    _text(root, "sent", timestamp(alert.sent))
    _text(root, "status", alert.status)
    _text(root, "msgType", alert.msg_type)
    _text(root, "scope", alert.scope)
    _text(root, "note", alert.note)
    if alert.references:
        _text(root, "references", " ".join(alert.references))
    for info in alert.infos:
        _info(root, info)
    return root


def to_xml(alert: Alert) -> bytes:
    """Serialise an alert as a UTF-8 XML document with CAP as the default namespace."""
    root = element(alert)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=NS)
    return body


def circle(latitude: float, longitude: float, radius_km: float) -> str:
    """Format a CAP circle (WGS 84 ``lat,lon radius`` in kilometres)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or radius_km < 0:
        raise CapError(f"no such place: {latitude},{longitude} radius {radius_km}")
    return f"{latitude:.6f},{longitude:.6f} {radius_km:g}"
