"""The disaster glossary: complete, consistent data and a loader that says what is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from translations.glossary import (
    CATEGORIES,
    GLOSSARY_LANGUAGES,
    GlossaryError,
    Term,
    load_glossary,
    search,
    terms_for_pair,
)

# The terms the center's operating manual cannot do without.
REQUIRED_JA = (
    "避難所",
    "避難場所",
    "福祉避難所",
    "避難指示",
    "高齢者等避難",
    "緊急安全確保",
    "警戒レベル",
    "給水車",
    "給水所",
    "炊き出し",
    "救援物資",
    "罹災証明書",
    "被災証明書",
    "仮設住宅",
    "応急危険度判定",
    "余震",
    "震度",
    "震源",
    "マグニチュード",
    "緊急地震速報",
    "津波",
    "大津波警報",
    "津波警報",
    "津波注意報",
    "高台",
    "土砂災害",
    "土砂災害警戒情報",
    "洪水",
    "浸水",
    "氾濫",
    "台風",
    "大雨特別警報",
    "暴風",
    "停電",
    "断水",
    "通電火災",
    "災害用伝言ダイヤル",
    "安否確認",
    "在留カード",
    "入国管理局",
    "出入国在留管理庁",
    "大使館",
    "旅券",
    "救急車",
    "消防署",
    "警察",
    "避難経路",
    "ハザードマップ",
    "備蓄",
    "非常持ち出し袋",
    "エコノミークラス症候群",
    "熱中症",
    "低体温症",
    "義援金",
    "支援金",
    "災害ボランティアセンター",
    "多言語支援センター",
    "119番",
    "110番",
)

# Characters that exist only in one of the two Chinese scripts (common in this glossary).
TRADITIONAL_ONLY = set(
    "難災報車電險護醫證書國應話員設資訊為時氣颱嘯點們體藥齡衛語後發區廳館類勢務離關門間運轉處"
)
SIMPLIFIED_ONLY = set(
    "难灾报车电险护医证书国应话员设资讯为时气啸点们体药龄卫语后发区厅馆类势务离关门间运转处"
)

VALID_TERM = """\
  - id: {id}
    category: {category}
    reading: {reading}
    text:
      ja: {ja}
      ja-x-easy: てすと
      en: test
      zh-Hans: 测试
      zh-Hant: 測試
      ko: 테스트
      pt-BR: teste
      es: prueba
      vi: kiểm tra
      tl: pagsubok
      ne: परीक्षण
      id: uji
      th: ทดสอบ
      my: စမ်းသပ်မှု
"""


@pytest.fixture(scope="module")
def terms() -> tuple[Term, ...]:
    """Load the shipped glossary once for the data checks."""
    return load_glossary()


def write_glossary(tmp_path: Path, body: str) -> Path:
    """Write a glossary file with the given terms block and return its path."""
    path = tmp_path / "glossary.yaml"
    path.write_text(f"default_review: draft\nterms:\n{body}", encoding="utf-8")
    return path


def valid_term(**fields: str) -> str:
    """Return one well-formed term as YAML, with fields overridden."""
    values = {"id": "test_term", "category": "alert", "reading": "てすと", "ja": "試験"} | fields
    return VALID_TERM.format(**values)


def test_has_enough_terms(terms: tuple[Term, ...]) -> None:
    assert len(terms) >= 120


def test_every_term_has_all_languages_non_empty(terms: tuple[Term, ...]) -> None:
    for term in terms:
        assert tuple(term.text) == GLOSSARY_LANGUAGES, term.id
        for lang, value in term.text.items():
            assert value.strip() == value and value, (term.id, lang)


def test_ids_are_unique_snake_case(terms: tuple[Term, ...]) -> None:
    ids = [term.id for term in terms]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", term_id) for term_id in ids)


def test_categories_are_known_and_all_used(terms: tuple[Term, ...]) -> None:
    used = {term.category for term in terms}
    assert used <= CATEGORIES
    assert used == CATEGORIES


def test_readings_are_hiragana(terms: tuple[Term, ...]) -> None:
    for term in terms:
        assert re.fullmatch(r"[ぁ-ゖー]+", term.reading), term.id


def test_no_duplicate_ja_or_en_terms(terms: tuple[Term, ...]) -> None:
    for lang in ("ja", "en"):
        texts = [term.text[lang] for term in terms]
        assert len(texts) == len(set(texts)), lang


def test_required_terms_are_present(terms: tuple[Term, ...]) -> None:
    japanese = {term.text["ja"] for term in terms}
    assert [ja for ja in REQUIRED_JA if ja not in japanese] == []


def test_review_defaults_to_draft(terms: tuple[Term, ...]) -> None:
    assert {term.review for term in terms} == {"draft"}


@pytest.mark.parametrize(
    ("term_id", "hans", "hant"),
    [
        ("hinanjo", "避难所", "避難所"),
        ("taifu", "台风", "颱風"),
        ("kyukyusha", "救护车", "救護車"),
        ("tsunami", "海啸", "海嘯"),
        ("teiden", "停电", "停電"),
        ("yoshin", "余震", "餘震"),
    ],
)
def test_chinese_scripts_spot_check(
    terms: tuple[Term, ...], term_id: str, hans: str, hant: str
) -> None:
    term = next(term for term in terms if term.id == term_id)
    assert (term.text["zh-Hans"], term.text["zh-Hant"]) == (hans, hant)


def test_chinese_scripts_are_not_mixed(terms: tuple[Term, ...]) -> None:
    for term in terms:
        assert not TRADITIONAL_ONLY & set(term.text["zh-Hans"]), term.id
        assert not SIMPLIFIED_ONLY & set(term.text["zh-Hant"]), term.id


def test_english_left_in_other_languages_is_explained(terms: tuple[Term, ...]) -> None:
    # A target equal to English, or Latin words in a non-Latin script, needs a translator note.
    for term in terms:
        english = term.text["en"].casefold()
        for lang in ("pt-BR", "es", "vi", "tl", "id"):
            if term.text[lang].casefold() == english:
                assert term.note, (term.id, lang)
        for lang in ("zh-Hans", "zh-Hant", "ko", "ne", "th", "my"):
            if re.search(r"[A-Za-z]{3,}", term.text[lang]):
                assert term.note, (term.id, lang)


def test_burmese_is_unicode_not_zawgyi(terms: tuple[Term, ...]) -> None:
    # Zawgyi puts the e-vowel sign (U+1031) before its consonant; Unicode never starts with it.
    for term in terms:
        text = term.text["my"]
        assert not re.search(r"(^|\s)\u1031", text), term.id
        assert re.search(r"[\u1000-\u109f]", text), term.id


def test_terms_for_pair_is_longest_first(terms: tuple[Term, ...]) -> None:
    pairs = terms_for_pair("ja", "en")
    lengths = [len(source) for source, _ in pairs]
    assert lengths == sorted(lengths, reverse=True)
    assert len(pairs) == len(terms)
    sources = [source for source, _ in pairs]
    assert sources.index("大津波警報") < sources.index("津波警報") < sources.index("津波")
    assert dict(pairs)["避難所"] == "evacuation shelter"


def test_terms_for_pair_maps_between_any_two_languages() -> None:
    pairs = dict(terms_for_pair("en", "pt-BR"))
    assert pairs["water truck"] == "caminhão-pipa"
    assert dict(terms_for_pair("zh-hant", "ko"))["颱風"] == "태풍"


def test_terms_for_pair_returns_a_fresh_list() -> None:
    first = terms_for_pair("ja", "vi")
    first.clear()
    assert terms_for_pair("ja", "vi")


def test_terms_for_pair_rejects_unknown_language() -> None:
    with pytest.raises(ValueError, match="fr"):
        terms_for_pair("ja", "fr")


def test_search_finds_japanese_by_text_and_reading() -> None:
    assert search("避難所")[0].id == "hinanjo"
    assert search("ひなんじょ", "ja")[0].id == "hinanjo"
    assert search("ツナミ")[0].id == "tsunami"


def test_search_ranks_exact_before_partial() -> None:
    ids = [term.id for term in search("tsunami", "en")]
    assert ids[0] == "tsunami"
    assert {"tsunami_keiho", "otsunami_keiho"} <= set(ids)


def test_search_ignores_case_and_latin_accents() -> None:
    assert search("EVACUACION", "es")[0].id == "hinan"
    assert search("mat dien", "vi")[0].id == "teiden"


def test_search_limited_to_one_language() -> None:
    assert search("abrigo", "es") == []
    assert search("abrigo", "pt-BR")[0].id == "hinanjo"


def test_search_empty_query_and_unknown_language() -> None:
    assert search("   ") == []
    with pytest.raises(ValueError):
        search("water", "xx")


def test_load_glossary_is_cached() -> None:
    assert load_glossary() is load_glossary()


def test_loads_a_minimal_file(tmp_path: Path) -> None:
    path = write_glossary(tmp_path, valid_term())
    (term,) = load_glossary(path)
    assert term.id == "test_term" and term.note is None and term.review == "draft"
    assert terms_for_pair("ja", "en", path) == [("試験", "test")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (valid_term(category="weather_news"), "term 'test_term': unknown category"),
        (valid_term(reading="shiken"), "term 'test_term': reading must be hiragana"),
        (valid_term().replace("      my: စမ်းသပ်မှု\n", ""), "term 'test_term': text is missing"),
        (valid_term().replace("es: prueba", "es: 119"), "term 'test_term': text['es']"),
        (valid_term() + "      fr: test\n", "term 'test_term': text has unknown languages"),
        (valid_term() + "    colour: red\n", "term 'test_term': unknown keys"),
        (valid_term() + "    review: approved\n", "term 'test_term': review must be"),
        (valid_term(id="Bad-Id"), "ascii snake_case"),
        (valid_term() + valid_term(ja="別"), "term 'test_term': duplicate id"),
        (valid_term() + valid_term(id="other"), "term 'other': ja text '試験' also in"),
    ],
)
def test_malformed_data_names_the_term(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(GlossaryError, match=re.escape(message)):
        load_glossary(write_glossary(tmp_path, body))


def test_malformed_file_is_a_glossary_error(tmp_path: Path) -> None:
    with pytest.raises(GlossaryError, match="not valid YAML"):
        load_glossary(write_glossary(tmp_path, "  - id: [unclosed\n"))
    with pytest.raises(GlossaryError, match="cannot read"):
        load_glossary(tmp_path / "missing.yaml")
