"""The phrasebook: vetted template sentences with typed slots, loaded from YAML."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from translations import languages
from translations import slots as slot_types
from translations.places import Place

PHRASEBOOK_DIR = Path(__file__).with_name("phrasebook")
LANGUAGES = languages.CENTER_LANGUAGES
_SLOT = re.compile(r"\{(\w+)\}")
_CRITERION = re.compile(r"^[a-z]+\.[a-z0-9_]+$")


class PhrasebookError(ValueError):
    """Malformed phrasebook data or a bad use of a template."""


@dataclass(frozen=True)
class Review:
    """Who checked one language of a template, and when."""

    by: str
    on: str


@dataclass(frozen=True)
class Template:
    """One phrasebook sentence in every language."""

    id: str
    category: str
    keywords: tuple[str, ...]
    slots: Mapping[str, str]
    text: Mapping[str, str]
    reviews: Mapping[str, Review] = field(default_factory=dict)
    # The entry criterion of the manual (manuals/phases.yaml) that publishing this template
    # meets, e.g. "activated.major_tsunami_warning": the console then suggests activating.
    trigger: str | None = None

    def reviewed(self, lang: str) -> bool:
        """Tell whether a fluent speaker has checked this language."""
        return lang in self.reviews

    def render(
        self, lang: str, values: Mapping[str, str], places: Mapping[str, Place] | None = None
    ) -> str:
        """Fill the slots with canonical values formatted for ``lang``; places: known shelters."""
        if lang not in self.text:
            raise PhrasebookError(f"template {self.id} has no text in {lang}")

        def fill(m: re.Match[str]) -> str:
            name = m.group(1)
            return slot_types.format_value(self.slots[name], values[name], lang, places)

        return _SLOT.sub(fill, self.text[lang])

    def parse_slots(self, raw: Mapping[str, Any]) -> dict[str, str]:
        """Validate raw slot values; raise SlotError naming the first bad slot."""
        unknown = sorted(set(raw) - set(self.slots))
        if unknown:
            raise slot_types.SlotError(unknown[0], f"template {self.id} has no slot '{unknown[0]}'")
        return {
            name: slot_types.parse(name, kind, raw.get(name)) for name, kind in self.slots.items()
        }


def _template(category: str, raw: Mapping[str, Any], source: str) -> Template:
    tid = raw.get("id")
    if not isinstance(tid, str) or not tid.startswith(category + "."):
        raise PhrasebookError(f"{source}: template id {tid!r} must start with '{category}.'")
    text = raw.get("text") or {}
    missing = [lang for lang in LANGUAGES if not str(text.get(lang) or "").strip()]
    if missing:
        raise PhrasebookError(f"{source}: {tid} has no text for {', '.join(missing)}")
    declared = dict(raw.get("slots") or {})
    for name, kind in declared.items():
        if kind not in slot_types.SLOT_TYPES:
            raise PhrasebookError(f"{source}: {tid} slot {name} has unknown type {kind!r}")
    for lang in LANGUAGES:
        used = set(_SLOT.findall(text[lang]))
        if used != set(declared):
            raise PhrasebookError(
                f"{source}: {tid} [{lang}] uses slots {sorted(used)}, declared {sorted(declared)}"
            )
    reviews = {
        lang: Review(by=str(info["by"]), on=str(info["on"]))
        for lang, info in (raw.get("reviewed") or {}).items()
    }
    trigger = raw.get("trigger")
    if trigger is not None and not (isinstance(trigger, str) and _CRITERION.match(trigger)):
        raise PhrasebookError(f"{source}: {tid} trigger must be an entry criterion id")
    return Template(
        id=tid,
        category=category,
        keywords=tuple(str(k) for k in raw.get("keywords") or ()),
        slots=declared,
        text={lang: str(text[lang]).strip() for lang in LANGUAGES},
        reviews=reviews,
        trigger=trigger,
    )


@functools.lru_cache(maxsize=4)
def load(directory: Path = PHRASEBOOK_DIR) -> dict[str, Template]:
    """Load every template of every category file, keyed by id."""
    templates: dict[str, Template] = {}
    for path in sorted(directory.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        category = doc.get("category")
        if category != path.stem:
            raise PhrasebookError(f"{path.name}: category {category!r} must equal the file name")
        for raw in doc.get("templates") or ():
            template = _template(category, raw, path.name)
            if template.id in templates:
                raise PhrasebookError(f"{path.name}: duplicate template id {template.id}")
            templates[template.id] = template
    return templates


def normalize_sentence(text: str) -> str:
    """Fold width, case and spacing so a typed sentence can match a template."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s。．.!！?？、,]+", "", folded)


@functools.lru_cache(maxsize=4)
def _sentence_index(directory: Path = PHRASEBOOK_DIR) -> dict[tuple[str, str], Template]:
    index: dict[tuple[str, str], Template] = {}
    for template in load(directory).values():
        if template.slots:
            continue
        for lang, text in template.text.items():
            index.setdefault((lang, normalize_sentence(text)), template)
    return index


def match_sentence(text: str, lang: str) -> Template | None:
    """Return the slot-free template whose ``lang`` text equals ``text`` once normalized."""
    return _sentence_index().get((lang, normalize_sentence(text)))


def _search_key(text: str) -> str:
    """Fold accents and long vowels so kyusui, kyūsui and kyuusui find the same keyword."""
    kept: list[str] = []
    for c in unicodedata.normalize("NFKD", text):
        # Drop accents on Latin letters only: kana voicing marks decompose the same way.
        if unicodedata.combining(c) and kept and kept[-1].isascii():
            continue
        kept.append(c)
    plain = normalize_sentence(unicodedata.normalize("NFC", "".join(kept)))
    for long, short in (("ou", "o"), ("oo", "o"), ("uu", "u"), ("aa", "a"), ("ii", "i")):
        plain = plain.replace(long, short)
    return plain


def search(query: str = "", category: str | None = None) -> list[Template]:
    """Find templates by category and by a word in any language, keyword or id."""
    needle = _search_key(query) if query else ""
    found = []
    for template in load().values():
        if category and template.category != category:
            continue
        if needle:
            hay = [template.id, *template.keywords, *template.text.values()]
            if not any(needle in _search_key(h) for h in hay):
                continue
        found.append(template)
    return found


def triggers() -> dict[str, str]:
    """Map each trigger template's id to the manual's entry criterion it meets."""
    return {t.id: t.trigger for t in load().values() if t.trigger}
