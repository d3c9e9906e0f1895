"""The offline sentence splitter, per script, and re-joining per target language."""

from __future__ import annotations

import pytest

from translations.mt.sentences import family, join_sentences, split_sentences

CASES = [
    (
        "ja",
        "地震が発生しました。すぐに避難してください！給水は15:30からです。",
        ["地震が発生しました。", "すぐに避難してください！", "給水は15:30からです。"],
    ),
    (
        "ja",
        "「すぐ逃げて。」と放送がありました。体育館へ。",
        ["「すぐ逃げて。」と放送がありました。", "体育館へ。"],
    ),
    ("ja", "水位は３．５メートルです。", ["水位は３．５メートルです。"]),
    (
        "zh",
        "地震发生后请立即前往避难所。供水车下午三点到达学校。",
        ["地震发生后请立即前往避难所。", "供水车下午三点到达学校。"],
    ),
    ("zt", "請前往避難所？謝謝。", ["請前往避難所？", "謝謝。"]),
    (
        "en",
        "Dr. Tanaka arrives at 15:30. The river rose 3.5 m! Is the gym open? Yes.",
        ["Dr. Tanaka arrives at 15:30.", "The river rose 3.5 m!", "Is the gym open?", "Yes."],
    ),
    ("en", "Bring water, e.g. bottles. Then wait.", ["Bring water, e.g. bottles.", "Then wait."]),
    ("en", "1. Go to the gym. 2. Bring ID.", ["1. Go to the gym.", "2. Bring ID."]),
    (
        "en",
        '(Bring your ID.) He said "Go now." Then left.',
        ["(Bring your ID.)", 'He said "Go now."', "Then left."],
    ),
    ("vi", "Vui lòng đến TP. Hồ Chí Minh. Cảm ơn.", ["Vui lòng đến TP. Hồ Chí Minh.", "Cảm ơn."]),
    (
        "es",
        "¿Dónde está el refugio? Sra. López ayuda.",
        ["¿Dónde está el refugio?", "Sra. López ayuda."],
    ),
    (
        "ne",
        "सबै जना सुरक्षित स्थानमा जानुहोस्। पानी बाँडिनेछ।",
        ["सबै जना सुरक्षित स्थानमा जानुहोस्।", "पानी बाँडिनेछ।"],
    ),
    ("ne", "भूकम्प गयो।पानी छ?", ["भूकम्प गयो।", "पानी छ?"]),
    (
        "my",
        "ငလျင်လှုပ်ခဲ့သည်။ ဘေးကင်းရာ၊ နေရာသို့ သွားပါ။",
        ["ငလျင်လှုပ်ခဲ့သည်။", "ဘေးကင်းရာ၊ နေရာသို့ သွားပါ။"],
    ),
    (
        "th",
        "เกิดแผ่นดินไหว กรุณาอพยพไปที่ศูนย์พักพิง มีน้ำดื่ม 3 ขวด",
        ["เกิดแผ่นดินไหว", "กรุณาอพยพไปที่ศูนย์พักพิง", "มีน้ำดื่ม 3 ขวด"],
    ),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_split_per_script(lang: str, text: str, expected: list[str]) -> None:
    segmented = split_sentences(text, lang)
    assert list(segmented.sentences) == expected
    assert segmented.original() == text


def test_separators_rebuild_the_text_exactly() -> None:
    text = "  First line.  Second one!\n\n　第三。第四。\r\nend  "
    segmented = split_sentences(text, "ja")
    assert segmented.original() == text
    assert len(segmented.separators) == len(segmented.sentences) + 1


def test_empty_and_blank_texts_have_no_sentences() -> None:
    assert split_sentences("", "en").sentences == ()
    assert split_sentences(" \n ", "ja").sentences == ()
    assert split_sentences(" \n ", "ja").original() == " \n "


def test_unbalanced_brackets_still_split() -> None:
    segmented = split_sentences("「避難所は開いています。水もあります。", "ja")
    assert list(segmented.sentences) == ["「避難所は開いています。", "水もあります。"]


def test_url_question_mark_in_chinese_is_not_a_break() -> None:
    segmented = split_sentences("请访问 https://x.jp/?q=1 查看。好的", "zh")
    assert list(segmented.sentences) == ["请访问 https://x.jp/?q=1 查看。", "好的"]


def test_join_uses_the_target_spacing_and_keeps_line_breaks() -> None:
    segmented = split_sentences("地震です。逃げて。\n水は三時。", "ja")
    english = ["It is an earthquake.", "Run.", "Water at three."]
    assert join_sentences(segmented, english, "en") == (
        "It is an earthquake. Run.\nWater at three."
    )
    back = split_sentences("It is an earthquake. Run.\nWater at three.", "en")
    japanese = ["地震です。", "逃げて。", "水は三時。"]
    assert join_sentences(back, japanese, "ja") == "地震です。逃げて。\n水は三時。"
    assert join_sentences(back, japanese, "zh") == "地震です。逃げて。\n水は三時。"


def test_join_drops_edge_spaces_and_checks_counts() -> None:
    segmented = split_sentences("  Hello.  World?  ", "en")
    assert join_sentences(segmented, ["Hola.", "¿Mundo?"], "es") == "Hola. ¿Mundo?"
    with pytest.raises(ValueError):
        join_sentences(segmented, ["only one"], "es")


@pytest.mark.parametrize(
    ("code", "rules"),
    [
        *[("ja", "cjk"), ("zh-Hant", "cjk"), ("zt", "cjk"), ("ne", "indic"), ("my", "burmese")],
        *[("th", "thai"), ("pt-BR", "latin"), ("ko", "latin"), ("tl", "latin")],
    ],
)
def test_family_of_codes(code: str, rules: str) -> None:
    assert family(code) == rules
