"""Place names for each language: the romaji suggestion and the one rule (translations.places)."""

from __future__ import annotations

import pytest

from translations import phrasebook
from translations.places import Place, place_for, romanize, value_for


@pytest.mark.parametrize(
    ("name_ja", "romaji"),
    [
        ("川辺市立第一中学校", "Kawabe Shiritsu Daiichi Chugakko"),
        ("市民体育館", "Shimin Taiikukan"),
        ("まちなか交流センター", "Machinaka Koryu Senta"),
        ("川辺小学校", "Kawabe Shogakko"),
        ("港町1丁目", "Minatomachi 1-chome"),
        ("中央区本町1-2-3", "Chuo-ku Honcho 1-2-3"),
        ("校庭の北側", "Kotei no Kitagawa"),
        ("東京都", "Tokyo-to"),
    ],
)
def test_the_suggestion_is_hepburn_as_on_signs(name_ja: str, romaji: str) -> None:
    # Long vowels once (ou, uu, oo), ii kept, words capitalised, particles and suffixes small.
    assert romanize(name_ja) == romaji


def test_the_suggestion_is_plain_ascii_and_one_line() -> None:
    for name in ("川辺市立第一中学校", "まちなか交流センター", "第一小学校　体育館"):
        suggestion = romanize(name)
        assert suggestion.isascii() and "  " not in suggestion and suggestion == suggestion.strip()


NAME, ROMAJI = "川辺小学校", "Kawabe Shogakko"


@pytest.mark.parametrize("lang", ["en", "es", "pt-BR", "id", "tl", "vi"])
def test_latin_script_readers_get_the_romaji_with_the_japanese(lang: str) -> None:
    assert place_for(lang, NAME, ROMAJI) == "Kawabe Shogakko (川辺小学校)"


@pytest.mark.parametrize("lang", ["ja", "ja-x-easy", "zh-Hans", "zh-Hant", "ko"])
def test_readers_of_kanji_scripts_get_the_japanese(lang: str) -> None:
    assert place_for(lang, NAME, ROMAJI) == NAME


@pytest.mark.parametrize("lang", ["th", "my", "ne"])
def test_other_scripts_get_the_japanese_with_the_romaji(lang: str) -> None:
    assert place_for(lang, NAME, ROMAJI) == "川辺小学校 (Kawabe Shogakko)"


def test_a_name_given_for_the_language_wins() -> None:
    names = {"vi": "Trường Tiểu học Kawabe", "ko": "가와베 초등학교"}
    assert place_for("vi", NAME, ROMAJI, names) == "Trường Tiểu học Kawabe"
    assert place_for("ko", NAME, ROMAJI, names) == "가와베 초등학교"
    assert place_for("en", NAME, ROMAJI, names) == "Kawabe Shogakko (川辺小学校)"


def test_without_romaji_the_suggestion_stands_in_and_latin_names_stay_as_they_are() -> None:
    assert place_for("en", "市民体育館") == "Shimin Taiikukan (市民体育館)"
    assert place_for("en", "Gym B") == "Gym B"
    assert place_for("th", "Gym B") == "Gym B"


def test_a_place_slot_names_a_known_shelter_its_way_and_romanises_the_rest() -> None:
    known = {"川辺小学校": Place("川辺小学校", "Kawabe Primary", {"vi": "Trường Kawabe"})}
    assert value_for("en", "川辺小学校", known) == "Kawabe Primary (川辺小学校)"
    assert value_for("vi", "川辺小学校", known) == "Trường Kawabe"
    assert value_for("en", "市民体育館", known) == "Shimin Taiikukan (市民体育館)"
    assert value_for("zh-Hans", "市民体育館", known) == "市民体育館"


def test_phrasebook_place_slots_follow_the_rule_in_every_language() -> None:
    template = phrasebook.load()["food_water.water_truck"]
    known = {"川辺小学校": Place("川辺小学校", "Kawabe Shogakko", {"ko": "가와베 초등학교"})}
    values = {"place": "川辺小学校", "time": "15:00"}
    assert "Kawabe Shogakko (川辺小学校)" in template.render("en", values, known)
    assert "Kawabe Shogakko (川辺小学校)" in template.render("vi", values, known)
    assert "川辺小学校 (Kawabe Shogakko)" in template.render("th", values, known)
    assert "가와베 초등학교" in template.render("ko", values, known)
    assert "川辺小学校" in template.render("ja", values, known)
    assert "Kawabe" not in template.render("ja", values, known)
