"""TMX 1.4 export and import of the translation memory, so associations can share it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from translations import languages

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class TmxError(ValueError):
    """A TMX document that cannot be imported."""


@dataclass(frozen=True)
class Unit:
    """One translation unit: a source text and its reviewed translation."""

    source_lang: str
    target_lang: str
    source_text: str
    target_text: str


def dump(units: Iterable[Unit]) -> bytes:
    """Write units as a TMX 1.4 document."""
    root = ET.Element("tmx", version="1.4")
    header = {
        "creationtool": "Tagengo",
        "creationtoolversion": "0.1",
        "datatype": "plaintext",
        "segtype": "paragraph",
        "adminlang": "en",
        "srclang": "*all*",
        "o-tmf": "tagengo",
    }
    ET.SubElement(root, "header", header)
    body = ET.SubElement(root, "body")
    for unit in units:
        tu = ET.SubElement(body, "tu", srclang=unit.source_lang)
        for lang, text in (
            (unit.source_lang, unit.source_text),
            (unit.target_lang, unit.target_text),
        ):
            tuv = ET.SubElement(tu, "tuv", {XML_LANG: lang})
            ET.SubElement(tuv, "seg").text = text
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def load(data: bytes, max_units: int = 50_000) -> list[Unit]:
    """Read TMX units (one source and any number of targets each); refuse DTDs and entities.

    The parser itself refuses any DOCTYPE, whatever the document's encoding (a byte search
    for ``<!DOCTYPE`` misses the same text in UTF-16).
    """
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise TmxError("TMX with a DOCTYPE or entities is refused") from None
    except ET.ParseError as exc:
        raise TmxError(f"not well-formed XML: {exc}") from None
    if root.tag != "tmx" or root.find("body") is None:
        raise TmxError("not a TMX document (no <tmx><body>)")
    header = root.find("header")
    default_src = header.get("srclang") if header is not None else None
    units: list[Unit] = []
    for n, tu in enumerate(root.iter("tu"), 1):
        segs: dict[str, str] = {}
        for tuv in tu.findall("tuv"):
            code = languages.normalize(tuv.get(XML_LANG) or tuv.get("lang") or "")
            seg = tuv.find("seg")
            text = "".join(seg.itertext()).strip() if seg is not None else ""
            if code and text:
                segs[code] = text
        src = languages.normalize(tu.get("srclang") or default_src or "")
        if src is None or src not in segs:
            raise TmxError(f"translation unit {n} has no source segment in a known language")
        for lang, text in segs.items():
            if lang != src:
                units.append(Unit(src, lang, segs[src], text))
        if len(units) > max_units:
            raise TmxError(f"more than {max_units} translation units")
    return units
