"""The phrasebook data: complete, consistent, honestly marked, and really translated."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from server.core.validation import CATEGORIES
from translations import phrasebook
from translations.slots import SLOT_TYPES

TEMPLATES = list(phrasebook.load().values())
SCRIPT_OF = {
    "ja": "CJK|HIRAGANA|KATAKANA",
    "ja-x-easy": "HIRAGANA|KATAKANA|CJK",
    "zh-Hans": "CJK",
    "zh-Hant": "CJK",
    "ko": "HANGUL",
    "th": "THAI",
    "ne": "DEVANAGARI",
    "my": "MYANMAR",
}
LATIN = ("en", "pt-BR", "es", "vi", "tl", "id")


def script_share(text: str, pattern: str) -> float:
    letters = [c for c in re.sub(r"\{\w+\}", "", text) if c.isalpha()]
    if not letters:
        return 0.0
    hits = sum(1 for c in letters if re.search(pattern, unicodedata.name(c, "")))
    return hits / len(letters)


def test_at_least_170_templates_across_known_categories() -> None:
    assert len(TEMPLATES) >= 170
    assert {t.category for t in TEMPLATES} <= set(CATEGORIES)
    assert len({t.category for t in TEMPLATES}) >= 15


def test_ids_unique_and_every_file_named_for_its_category() -> None:
    ids = []
    for path in sorted(phrasebook.PHRASEBOOK_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert doc["category"] == path.stem
        assert doc["default_review"] == "draft"
        ids += [t["id"] for t in doc["templates"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_every_language_present_with_the_same_slots(template: phrasebook.Template) -> None:
    assert set(template.text) == set(phrasebook.LANGUAGES)
    assert set(template.slots.values()) <= set(SLOT_TYPES)
    for lang, text in template.text.items():
        assert text.strip(), lang
        assert set(re.findall(r"\{(\w+)\}", text)) == set(template.slots), lang
        assert "TODO" not in text and "???" not in text


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_no_language_looks_untranslated(template: phrasebook.Template) -> None:
    for lang, pattern in SCRIPT_OF.items():
        assert script_share(template.text[lang], pattern) >= 0.5, (lang, template.text[lang])
    for lang in LATIN:
        text = template.text[lang]
        if lang != "en":
            assert text != template.text["en"], (lang, text)
        # Japanese may appear only as a quoted official name, never as the sentence itself.
        assert script_share(text, "CJK|HIRAGANA|KATAKANA") < 0.3, (lang, text)


def test_nothing_claims_a_review_that_did_not_happen() -> None:
    reviewed = [(t.id, lang) for t in TEMPLATES for lang in t.reviews]
    assert reviewed == [], "a review entry needs a real reviewer: see README, Phrasebook"


def test_rendering_fills_every_slot_in_every_language() -> None:
    sample = {
        "time": "15:00",
        "date": "2026-11-21",
        "place": "第一小学校",
        "phone": "0120-123-456",
        "number": "3",
        "name": "ベトナム",
    }
    for template in TEMPLATES:
        values = {name: sample[kind] for name, kind in template.slots.items()}
        for lang in template.text:
            assert "{" not in template.render(lang, values)


def test_loader_rejects_a_template_missing_a_language(tmp_path: Path) -> None:
    (tmp_path / "food_water.yaml").write_text(
        "category: food_water\ntemplates:\n  - id: food_water.x\n    text: {ja: 水}\n",
        encoding="utf-8",
    )
    with pytest.raises(phrasebook.PhrasebookError, match="no text for ja-x-easy"):
        phrasebook.load.__wrapped__(tmp_path)


def test_manuals_and_translations_agree_on_the_center_languages() -> None:
    import manuals
    from translations import languages

    assert set(languages.CENTER_LANGUAGES) == manuals.CENTER_LANGUAGES
    assert set(phrasebook.LANGUAGES) == set(languages.CENTER_LANGUAGES)
