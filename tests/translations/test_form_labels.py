"""The registration card speaks every resident language, and its translations follow the form."""

from __future__ import annotations

from pathlib import Path

import pytest

from manuals import loader
from translations import form_labels

DEVANAGARI = range(0x0900, 0x0980)


def card() -> dict:
    return dict(loader.load_form("registration_card"))


def test_every_text_of_the_card_is_in_every_resident_language() -> None:
    assert form_labels.missing(card()) == []


def test_no_translation_names_a_field_the_card_no_longer_has() -> None:
    assert form_labels.stale(card()) == []


def test_localize_gives_nepali_labels_and_languages_in_their_own_script() -> None:
    form = form_labels.localize(card(), "ne")
    fields = {f["id"]: f for s in form["sections"] for f in s["fields"]}
    assert fields["name"]["label"] == "नाम"
    assert any(ord(ch) in DEVANAGARI for ch in fields["name"]["help"])
    spoken = {c["id"]: c["label"] for c in fields["languages_spoken"]["choices"]}
    assert spoken["ne"] == "नेपाली" and spoken["vi"] == "Tiếng Việt"
    assert spoken["other"] == "अन्य"


def test_japanese_and_english_come_from_the_manual_itself() -> None:
    for lang in ("ja", "en"):
        form = form_labels.localize(card(), lang)
        assert form["title"] == card()["title"][lang]


def test_a_missing_translation_falls_back_to_english_and_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (form_labels.FORMS_DIR / "registration_card.yaml").read_text(encoding="utf-8")
    (tmp_path / "registration_card.yaml").write_text(
        text.replace("      ne: राष्ट्रियता\n", ""), encoding="utf-8"
    )
    monkeypatch.setattr(form_labels, "FORMS_DIR", tmp_path)
    form_labels.load.cache_clear()
    try:
        fields = {
            f["id"]: f for s in form_labels.localize(card(), "ne")["sections"] for f in s["fields"]
        }
        assert fields["nationality"]["label"] == "Nationality"
        assert form_labels.missing(card()) == ["nationality.label: ne"]
    finally:
        form_labels.load.cache_clear()
