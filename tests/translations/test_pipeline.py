"""The translation function workers call: written text, phrasebook, machine, or an honest no."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from translations import phrasebook, pipeline
from translations.slots import SlotError, format_value, parse


def test_operator_easy_japanese_is_used_as_written() -> None:
    source = pipeline.Source(
        text="本日15時に給水車が来ます。", lang="ja", easy_text="きょう 15時に 水の 車が 来ます。"
    )
    result = pipeline.translate(source, "ja-x-easy")
    assert (result.status, result.method, result.reviewed, result.text) == (
        "done",
        "human",
        True,
        "きょう 15時に 水の 車が 来ます。",
    )


def test_no_path_is_said_plainly_and_invents_nothing() -> None:
    source = pipeline.Source(text="誰も訳していない文です。", lang="ja")
    for lang in ("en", "vi", "ja-x-easy"):
        result = pipeline.translate(source, lang)
        assert result.status == "unavailable"
        assert result.text is None and result.method is None
        assert result.reason and result.reason.startswith("no engine")


class FakeMachine:
    """A stand-in engine for routing only; the real Argos engine is tested on real models."""

    def __init__(self, pairs: set[tuple[str, str]]) -> None:
        self.pairs = pairs
        self.calls: list[tuple[str, str]] = []

    def can_translate(self, source: str, target: str) -> bool:
        return (source, target) in self.pairs

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[pipeline.Result]:
        self.calls.append((source, target))
        return [pipeline.Result(target, "done", f"<{t}>", "machine") for t in texts]


def test_machine_is_asked_with_argos_codes_only_when_a_route_exists() -> None:
    machine = FakeMachine({("ja", "zt")})
    source = pipeline.Source(text="余震に注意してください。", lang="ja")
    assert pipeline.translate(source, "zh-Hant", machine).method == "machine"
    assert machine.calls == [("ja", "zt")]
    assert pipeline.translate(source, "pt-BR", machine).status == "unavailable"


def template_with_slots() -> phrasebook.Template | None:
    return next((t for t in phrasebook.load().values() if "time" in t.slots), None)


def test_phrasebook_template_wins_over_the_machine() -> None:
    template = template_with_slots()
    if template is None:
        pytest.skip("no phrasebook template with a time slot yet")
    values = template.parse_slots(
        {
            name: {
                "time": "15:00",
                "date": "2026-11-21",
                "phone": "0120-123-456",
                "number": "3",
            }.get(kind, "第一小学校")
            for name, kind in template.slots.items()
        }
    )
    source = pipeline.Source(
        text=template.render("ja", values), lang="ja", template_id=template.id, slots=values
    )
    machine = FakeMachine({("ja", "en")})
    result = pipeline.translate(source, "en", machine)
    assert result.method == "phrasebook" and machine.calls == []
    assert result.text == template.render("en", values)
    assert "15:00" in result.text and "{" not in result.text


def test_typed_sentence_matching_a_template_uses_it() -> None:
    template = next((t for t in phrasebook.load().values() if not t.slots), None)
    if template is None:
        pytest.skip("no slot-free phrasebook template yet")
    typed = " " + template.text["ja"].replace("。", "") + " "
    result = pipeline.translate(pipeline.Source(text=typed, lang="ja"), "vi")
    assert (result.method, result.text) == ("phrasebook", template.text["vi"])


@pytest.mark.parametrize(
    ("kind", "raw", "canonical"),
    [
        ("time", "9:05", "09:05"),
        ("time", "23:59", "23:59"),
        ("date", "2026-11-21", "2026-11-21"),
        ("phone", "0120-123-456", "0120-123-456"),
        ("number", "007", "7"),
        ("place", " 体育館 ", "体育館"),
    ],
)
def test_slot_values_are_validated_and_canonical(kind: str, raw: str, canonical: str) -> None:
    assert parse("s", kind, raw) == canonical


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("time", "25:00"),
        ("time", "3pm"),
        ("date", "21/11/2026"),
        ("phone", "call me"),
        ("number", "-1"),
        ("number", "3.5"),
        ("place", ""),
        ("place", "x" * 101),
        ("name", None),
    ],
)
def test_bad_slot_values_name_the_slot(kind: str, raw: str | None) -> None:
    with pytest.raises(SlotError) as info:
        parse("when", kind, raw)
    assert info.value.slot == "when"


def test_slot_formatting_per_language() -> None:
    assert format_value("time", "15:00", "ja") == "15時"
    assert format_value("time", "09:30", "ja-x-easy") == "9時30分"
    assert format_value("time", "15:30", "ko") == "15시 30분"
    assert format_value("time", "15:30", "vi") == "15:30"
    assert format_value("date", "2026-11-21", "en") == "November 21"
    assert format_value("date", "2026-11-21", "zh-Hans") == "11月21日"
    assert format_value("date", "2026-11-21", "es") == "21/11"
    assert format_value("number", "1200", "en") == "1,200"
