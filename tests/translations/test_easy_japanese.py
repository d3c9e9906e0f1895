"""Tests for the やさしい日本語 checker and furigana (real pykakasi, real data files)."""

from __future__ import annotations

import dataclasses

import pytest

from translations import easy_words as words
from translations.easy_japanese import Finding, check, furigana, split_sentences

# A shelter announcement in Easy Japanese, written for these tests: short sentences, spaces
# between phrases, 〜てください, few kanji, only words from the easy list.
GOOD_ANNOUNCEMENT = """大きい 地震が ありました。
津波が 来るかもしれません。
海の 近くから すぐに 逃げて ください。
高い 所へ 行って ください。
避難所に 行って ください。
水と 食べ物を 配ります。
午後3時に 来て ください。
分からない ことは 係の 人に 聞いて ください。"""


def only(text: str, rule: str, **kwargs: object) -> list[Finding]:
    """Run check with one rule enabled."""
    return check(text, rules={rule}, **kwargs)  # type: ignore[arg-type]


def spans(text: str, findings: list[Finding]) -> list[str]:
    """Return the original text each finding points at."""
    return [text[f.start : f.end] for f in findings]


# --- sentences ----------------------------------------------------------------------------------


def test_split_sentences_on_japanese_and_latin_enders_and_newlines() -> None:
    text = "地震です。 逃げて！本当？ yes!?\n水を 配ります\n\n「来て ください。」終わり"
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "地震です。",
        "逃げて！",
        "本当？",
        "yes!?",
        "水を 配ります",
        "「来て ください。」",
        "終わり",
    ]


def test_split_sentences_of_blank_text_is_empty() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\u3000 ") == []


def test_good_announcement_has_no_findings() -> None:
    assert check(GOOD_ANNOUNCEMENT) == []


def test_finding_is_frozen_and_sentence_indexed() -> None:
    text = "水を 配ります。ぐらぐら 揺れます。"
    (finding,) = only(text, "onomatopoeia")
    assert finding.sentence == 1
    assert finding.severity == "warning"
    assert finding.message_ja and finding.message_en
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.rule = "x"  # type: ignore[misc]


def test_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="no_such_rule"):
        check("水", rules={"no_such_rule"})


# --- length and kanji ---------------------------------------------------------------------------


def test_long_sentence_is_reported_over_the_whole_sentence() -> None:
    text = "水を 配ります。" + "あ" * 31 + "。"
    (finding,) = only(text, "sentence_too_long")
    assert (finding.sentence, text[finding.start : finding.end]) == (1, "あ" * 31 + "。")
    assert "32" in finding.message_ja


def test_spaces_do_not_count_towards_length() -> None:
    text = "あい うえお " * 5  # 25 characters and 10 spaces
    assert only(text, "sentence_too_long") == []
    assert only(text, "sentence_too_long", max_chars=20) != []


def test_too_many_kanji() -> None:
    text = "本日午前十時に市役所前で給水。"
    (finding,) = only(text, "too_many_kanji")
    assert finding.end == len(text) and "12" in finding.message_ja
    assert only("避難所に 行って ください。", "too_many_kanji") == []
    assert only("避難所に 行って ください。", "too_many_kanji", max_kanji=3) != []


# --- hard words ---------------------------------------------------------------------------------


def test_hard_words_are_reported_with_easier_wording() -> None:
    text = "直ちに 付近の 高台へ 避難して ください。"
    found = only(text, "hard_word")
    assert spans(text, found) == ["直ちに", "付近"]
    assert [f.suggestion for f in found] == ["すぐに", "近く"]
    assert "すぐに" in found[0].message_ja


def test_easy_words_pass_in_any_conjugation() -> None:
    for text in ("食べ物を 配ります。", "壊れた 家に 入らないで ください。", "分かりましたか。"):
        assert only(text, "hard_word") == [], text


def test_okurigana_tells_a_listed_stem_from_a_hard_word() -> None:
    # 直す is easy, 直ちに is not: the same stem, told apart by the kana after it.
    assert only("自転車を 直して ください。", "hard_word") == []
    assert spans("直ちに", only("直ちに", "hard_word")) == ["直ちに"]


def test_only_the_hard_part_of_a_compound_is_reported() -> None:
    text = "避難所運営を 手伝って ください。"
    found = only(text, "hard_word")
    assert spans(text, found) == ["運営"]
    assert found[0].suggestion is None


def test_compounds_of_easy_words_numbers_and_counters_pass() -> None:
    assert only("避難指示が 出ました。市役所前。十時。三日間。", "hard_word") == []
    assert spans("本日", only("本日", "hard_word")) == ["本日"]  # not 本 + 日


def test_allowed_words_accept_place_names() -> None:
    text = "仙台の 避難所へ 行って ください。"
    assert spans(text, only(text, "hard_word")) == ["仙台"]
    assert only(text, "hard_word", allowed_words=["仙台"]) == []


def test_every_suggestion_is_itself_easy() -> None:
    meanings, _ = words.onomatopoeia()
    for easier in [*words.replacements().values(), *meanings.values()]:
        assert check(easier, rules={"hard_word", "katakana_loanword"}) == [], easier


def test_word_lists_have_the_promised_size() -> None:
    lexicon = words.lexicon()
    assert 300 <= len(lexicon.stems) + len(lexicon.kana) <= 1100
    for word in ("避難所", "地震", "津波", "余震", "給水"):
        assert lexicon.knows(word, ""), word
    hiragana = [word for word in words.onomatopoeia()[0] if "ぁ" <= word[0] <= "ゖ"]
    assert len(hiragana) >= 40


# --- double negatives, requests, honorifics ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("行かない わけでは ありません。", "ないわけではありません"),
        ("使えなくは ない。", "なくはない"),
        ("できないことはない。", "ないことはない"),
        ("来ないとは 限りません。", "ないとは限りません"),
    ],
)
def test_double_negatives_are_warnings(text: str, expected: str) -> None:
    (finding,) = only(text, "double_negative")
    assert finding.severity == "warning"
    assert text[finding.start : finding.end].replace(" ", "") == expected


def test_must_forms_are_only_info() -> None:
    (finding,) = only("逃げなければ なりません。", "double_negative")
    assert finding.severity == "info"
    assert only("逃げて ください。行かないで ください。", "double_negative") == []


@pytest.mark.parametrize(
    ("text", "expected", "suggestion"),
    [
        ("すぐに 避難しなさい。", "しなさい", "して ください"),
        ("火を 使わない こと。", " こと", None),
        ("静かに するように。", "ように", None),
        ("ご協力を 願います。", "願います", None),
        ("ご注意ください。", "ご注意ください", "注意して ください"),
        ("ここで お待ちください。", "お待ちください", "待って ください"),
        ("名前を 書いて もらいたい。", "て もらいたい", "て ください"),
        ("避難せよ。", "せよ", "して ください"),
        ("逃げろ！", "ろ", "て ください"),
    ],
)
def test_requests_not_phrased_with_te_kudasai(
    text: str, expected: str, suggestion: str | None
) -> None:
    (finding,) = only(text, "request_form")
    assert text[finding.start : finding.end] == expected
    assert finding.suggestion == suggestion


def test_plain_requests_pass() -> None:
    text = "水を ください。行って ください。飲まないで ください。ごめんなさい。逃げましょう。"
    assert only(text, "request_form") == []


def test_honorifics_are_info_and_thanks_pass() -> None:
    text = "受付は 2階で ございます。係が おります。"
    found = only(text, "honorific")
    assert spans(text, found) == ["ございます", "おります"]
    assert [f.suggestion for f in found] == ["あります", "います"]
    assert {f.severity for f in found} == {"info"}
    assert only("ありがとうございます。", "honorific") == []


def test_overlapping_patterns_report_once() -> None:
    text = "お願いいたします。"
    found = check(text, rules={"request_form", "honorific"})
    assert [f.rule for f in found] == ["request_form"]


# --- onomatopoeia, spacing, loanwords -----------------------------------------------------------


def test_onomatopoeia_in_hiragana_and_katakana() -> None:
    text = "家が ぐらぐら 揺れて、窓が ガタガタ 鳴りました。"
    found = only(text, "onomatopoeia")
    assert spans(text, found) == ["ぐらぐら", "ガタガタ"]
    assert "大きく 揺れる" in found[0].message_ja


def test_unlisted_reduplication_is_info_and_common_adverbs_pass() -> None:
    (finding,) = only("ぴよぴよ 鳴いて います。", "onomatopoeia")
    assert finding.severity == "info"
    assert only("いろいろな 物が あります。そろそろ 始まります。", "onomatopoeia") == []


def test_missing_word_spacing_is_info_with_a_spaced_suggestion() -> None:
    text = "避難所に行ってください。"
    (finding,) = only(text, "no_word_spacing")
    assert finding.severity == "info"
    assert (finding.start, finding.end) == (0, len(text))
    assert finding.suggestion == "避難所に 行って ください。"
    assert only("避難所に 行って ください。", "no_word_spacing") == []
    assert only("地震です。", "no_word_spacing") == []  # one phrase needs no space


def test_unknown_katakana_words_are_info() -> None:
    text = "テレビで ハザードマップを 見て ください。"
    (finding,) = only(text, "katakana_loanword")
    assert text[finding.start : finding.end] == "ハザードマップ"
    assert (finding.severity, finding.suggestion) == ("info", "危ない 場所の 地図")


def test_offsets_point_into_the_original_text_across_lines() -> None:
    text = "水を 配ります。\n\n  ぐらぐら 揺れます。\n直ちに 逃げて ください。"
    found = check(text, rules={"onomatopoeia", "hard_word"})
    assert [(f.rule, f.sentence, text[f.start : f.end]) for f in found] == [
        ("onomatopoeia", 1, "ぐらぐら"),
        ("hard_word", 2, "直ちに"),
    ]


# --- furigana -----------------------------------------------------------------------------------


def test_furigana_of_disaster_words() -> None:
    assert furigana("避難所") == [("避難所", "ひなんじょ")]
    assert furigana("地震") == [("地震", "じしん")]


def test_okurigana_stays_outside_the_ruby() -> None:
    assert furigana("食べる") == [("食", "た"), ("べる", None)]
    assert furigana("行ってください") == [("行", "い"), ("ってください", None)]
    assert furigana("問い合わせ") == [("問", "と"), ("い", None), ("合", "あ"), ("わせ", None)]


def test_numbers_and_latin_are_left_untouched() -> None:
    text = "午前10時に2階でWi-Fiが使えます。"
    assert furigana(text) == [
        ("午前", "ごぜん"),
        ("10", None),
        ("時", "じ"),
        ("に2", None),
        ("階", "かい"),
        ("でWi-Fiが", None),
        ("使", "つか"),
        ("えます。", None),
    ]


def test_counters_follow_the_number_before_them() -> None:
    readings = [r for _, r in furigana("3日 10分 3本 1人 ３時") if r]
    assert readings == ["か", "ぷん", "ぼん", "り", "じ"]


def test_known_misreadings_are_fixed() -> None:
    assert furigana("今日は 雨です。")[0] == ("今日", "きょう")  # not こんにちは
    assert furigana("男の人")[-1] == ("人", "ひと")
    assert furigana("お金")[-1] == ("金", "かね")


@pytest.mark.parametrize(
    "text", ["", "abc 123", "地震😀です", "避難所\n\n食べる ｶﾀｶﾅ", GOOD_ANNOUNCEMENT]
)
def test_furigana_segments_rebuild_the_text(text: str) -> None:
    segments = furigana(text)
    assert "".join(base for base, _ in segments) == text
    for base, reading in segments:
        assert reading is None or (reading and all("ぁ" <= c <= "ゖ" or c == "ー" for c in reading))
        assert reading is None or any("\u4e00" <= c <= "\u9fff" for c in base)
