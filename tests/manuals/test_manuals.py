"""Tests for the operating manual data and its loader."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

import manuals
from manuals import loader

PACKAGE = Path(manuals.__file__).parent
SCHEMAS = PACKAGE / "schemas"
PHASE_ORDER = ["standby", "activated", "operating", "closing", "closed"]
TEAMS = {"general_affairs", "information", "translation", "shelter_rounds", "consultation"}
CATEGORIES = {
    "safety_confirmation",
    "shelter_life",
    "food_water",
    "medical",
    "lifelines",
    "transport",
    "housing",
    "residence_status",
    "work_money",
    "scams_crime",
    "mental_health",
    "language_help",
    "embassy",
    "other",
}
DOCUMENTS = {
    "phases.yaml": "phases",
    "teams.yaml": "teams",
    "inquiry_categories.yaml": "inquiry_categories",
    "forms/shelter_round_sheet.yaml": "form",
    "forms/registration_card.yaml": "form",
    "drills/earthquake_tsunami.yaml": "drill",
    "drills/typhoon_levels.yaml": "drill",
}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Start and end every test with nothing cached."""
    manuals.clear_cache()
    yield
    manuals.clear_cache()


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copy the manual data to tmp_path and point the loader at the copy."""
    root = tmp_path / "manuals"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(loader, "_root", lambda: root)
    return root


def edit(path: Path, change: Callable[[Any], None]) -> None:
    """Load a YAML file, apply change to it in place and write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def texts(node: Any) -> Iterator[dict[str, str]]:
    """Yield every bilingual {ja, en} mapping inside a document."""
    if isinstance(node, dict):
        if set(node) == {"ja", "en"}:
            yield node
        for value in node.values():
            yield from texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from texts(value)


# --- every file against its schema ---------------------------------------------------------


@pytest.mark.parametrize("schema", sorted(p.name for p in SCHEMAS.glob("*.json")))
def test_schemas_are_valid_draft_2020_12(schema: str) -> None:
    data = json.loads((SCHEMAS / schema).read_text(encoding="utf-8"))
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(data)


def strict_objects(node: Any, where: str) -> Iterator[str]:
    """Yield where a schema object with properties is not closed or lists no required keys."""
    if isinstance(node, dict):
        closed = node.get("additionalProperties") is False and node.get("required")
        if "properties" in node and node.get("type") == "object" and not closed:
            yield where
        for key, value in node.items():
            yield from strict_objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from strict_objects(value, f"{where}/{i}")


@pytest.mark.parametrize("schema", sorted(p.name for p in SCHEMAS.glob("*.json")))
def test_schemas_are_strict(schema: str) -> None:
    data = json.loads((SCHEMAS / schema).read_text(encoding="utf-8"))
    assert list(strict_objects(data, schema)) == []


def test_every_yaml_file_is_covered() -> None:
    found = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.yaml")}
    assert found == set(DOCUMENTS)


@pytest.mark.parametrize(("file", "kind"), sorted(DOCUMENTS.items()))
def test_every_file_validates_against_its_schema(file: str, kind: str) -> None:
    data = manuals.load_document(PACKAGE / file, kind, file)
    for pair in texts(data):
        assert JAPANESE.search(pair["ja"]), pair
        assert re.search(r"[A-Za-z]", pair["en"]), pair


def test_all_loaders_pass_their_cross_checks() -> None:
    assert manuals.load_teams()
    assert manuals.load_phases()
    assert manuals.load_inquiry_categories()
    for name in manuals.list_forms():
        assert manuals.load_form(name)["id"] == name
    for drill_id in manuals.list_drills():
        assert manuals.load_drill(drill_id)["id"] == drill_id


# --- phases and teams ----------------------------------------------------------------------


def test_phases_are_in_order() -> None:
    assert [p["id"] for p in manuals.load_phases()] == PHASE_ORDER


def test_phase_transitions_are_consistent() -> None:
    phases = {p["id"]: p for p in manuals.load_phases()}
    for phase in phases.values():
        assert set(phase["next"]) <= set(phases), phase["id"]
        assert phase["id"] not in phase["next"]
    # The normal path forward is always allowed, and closed ends an activation.
    for here, there in itertools.pairwise(PHASE_ORDER):
        assert there in manuals.next_phases(here)
    assert manuals.next_phases("closed") == []
    assert manuals.next_phases("standby") == ["activated"]
    reached, todo = {"standby"}, ["standby"]
    while todo:
        for nxt in manuals.next_phases(todo.pop()):
            if nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    assert reached == set(PHASE_ORDER)


def test_active_phases_have_concrete_checklists() -> None:
    ids: list[str] = []
    for phase in manuals.load_phases():
        assert phase["entry_criteria"]
        if phase["active"]:
            assert len(manuals.checklist(phase["id"])) >= 6, phase["id"]
        for item in phase["checklist"]:
            assert item["team"] in TEAMS
            assert item["id"].startswith(phase["id"] + ".")
            ids.append(item["id"])
    assert len(ids) == len(set(ids))
    assert [p["id"] for p in manuals.load_phases() if p["active"]] == [
        "activated",
        "operating",
        "closing",
    ]


def test_activation_criteria_and_first_72_hours() -> None:
    criteria = " ".join(c["text"]["ja"] for c in manuals.get_phase("activated")["entry_criteria"])
    assert "震度5強" in criteria and "大津波警報" in criteria and "非常配備" in criteria
    focus = manuals.get_phase("operating")["focus"]
    assert focus[0]["from_hour"] == 0 and focus[0].get("until_hour") == 72


def test_teams_are_the_five_teams() -> None:
    teams = manuals.load_teams()
    assert {t["id"] for t in teams} == TEAMS
    assert all(len(t["duties"]) >= 3 for t in teams)


def test_returned_data_is_a_copy() -> None:
    first = manuals.load_phases()
    first[0]["next"].append("closed")
    manuals.checklist("standby").clear()
    assert manuals.next_phases("standby") == ["activated"]
    assert manuals.checklist("standby")


def test_unknown_phase_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        manuals.next_phases("evacuating")
    with pytest.raises(manuals.UnknownEntryError):
        manuals.checklist("evacuating")


# --- inquiry categories and forms ----------------------------------------------------------


def test_category_codes_are_unique_and_exactly_the_required_ones() -> None:
    categories = manuals.load_inquiry_categories()
    codes = [c["code"] for c in categories]
    assert len(codes) == len(set(codes)) == 14
    assert set(codes) == CATEGORIES
    for category in categories:
        assert 2 <= len(category["typical_questions"]) <= 3
        assert category["team"] in TEAMS


def fields(name: str) -> dict[str, Any]:
    """Return a form's fields by id."""
    form = manuals.load_form(name)
    return {f["id"]: f for s in form["sections"] for f in s["fields"]}


def test_shelter_round_sheet_fields() -> None:
    sheet = fields("shelter_round_sheet")
    assert sheet["foreign_by_language"]["type"] == "counts_by_language"
    assert sheet["foreign_by_nationality"]["type"] == "counts_by_nationality"
    diet = {c["id"] for c in sheet["diet_needs"]["choices"]}
    assert {"halal", "vegetarian", "vegan", "allergies"} <= diet
    assert sheet["diet_allergies"]["depends_on"] == {"field": "diet_needs", "choice": "allergies"}
    for needed in (
        "interpreter_needed",
        "medical_needs",
        "medicine_needed",
        "prayer_space_needed",
        "pregnant_or_infants",
        "information_needs",
        "issues_found",
        "followups",
    ):
        assert needed in sheet
    types = {f["type"] for f in sheet.values()}
    assert {"text", "integer", "boolean", "multi_choice", "date", "time"} <= types


def test_registration_card_flags_personal_data() -> None:
    card = fields("registration_card")
    for personal in (
        "name",
        "nationality",
        "address",
        "phone",
        "family_members",
        "allergies",
        "chronic_illness",
        "medicine",
    ):
        assert card[personal]["personal"] is True, personal
    for statistic in ("languages_spoken", "japanese_level", "consent_to_share"):
        assert card[statistic]["personal"] is False, statistic
    langs = {c["id"] for c in card["languages_spoken"]["choices"]} - {"other"}
    assert langs <= manuals.CENTER_LANGUAGES
    for needed in ("reason", "embassy_contact_wanted", "foods_not_eaten", "needs_help_with"):
        assert needed in card


def test_unknown_form_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        manuals.load_form("../phases")


# --- drills --------------------------------------------------------------------------------


def test_drills_are_listed() -> None:
    assert manuals.list_drills() == ["earthquake_tsunami", "typhoon_levels"]
    with pytest.raises(manuals.UnknownEntryError):
        manuals.load_drill("volcano")


@pytest.mark.parametrize("drill_id", ["earthquake_tsunami", "typhoon_levels"])
def test_drill_injects_are_consistent(drill_id: str) -> None:
    drill = manuals.load_drill(drill_id)
    injects = drill["injects"]
    assert len(injects) >= 12
    offsets = [i["offset_minutes"] for i in injects]
    assert offsets == sorted(offsets) and offsets[-1] <= drill["duration_minutes"]
    assert len({i["id"] for i in injects}) == len(injects)
    assert {i["type"] for i in injects} == {
        "news",
        "inquiry",
        "shelter_report",
        "phase_change",
        "translation_request",
    }
    phase = drill["start_phase"]
    langs: set[str] = set()
    for inject in injects:
        content: Any = inject["content"]
        if inject["type"] == "inquiry":
            assert content["lang"] in manuals.CENTER_LANGUAGES
            assert content["category"] in CATEGORIES
            langs.add(content["lang"])
        elif inject["type"] == "phase_change":
            assert content["target"] in PHASE_ORDER
            assert content["target"] in manuals.next_phases(phase)
            phase = content["target"]
        elif inject["type"] == "shelter_report":
            assert sum(content["by_language"].values()) == content["foreign_evacuees"]
    assert len(langs) >= 8


def news(drill_id: str) -> list[str]:
    """Return the Japanese text of a drill's news injects, in order."""
    contents: list[Any] = [
        i["content"] for i in manuals.load_drill(drill_id)["injects"] if i["type"] == "news"
    ]
    return [c["ja"] for c in contents]


def test_earthquake_drill_covers_two_hours_and_the_tsunami() -> None:
    assert 110 <= manuals.load_drill("earthquake_tsunami")["duration_minutes"] <= 130
    assert any("大津波警報" in text for text in news("earthquake_tsunami"))


def test_typhoon_drill_escalates_through_levels_and_lifts() -> None:
    steps = ["警戒レベル3 高齢者等避難", "警戒レベル4 避難指示", "警戒レベル5 緊急安全確保", "解除"]
    lines = news("typhoon_levels")
    firsts = [next(n for n, text in enumerate(lines) if step in text) for step in steps]
    assert firsts == sorted(firsts)


def test_center_languages_match_schema_and_registry() -> None:
    schema = json.loads((SCHEMAS / "drill.schema.json").read_text(encoding="utf-8"))
    assert set(schema["$defs"]["lang"]["enum"]) == manuals.CENTER_LANGUAGES
    languages = pytest.importorskip("translations.languages")
    assert set(languages.BY_CODE) >= manuals.CENTER_LANGUAGES


def test_drill_templates_exist_in_the_phrasebook() -> None:
    book = PACKAGE.parent / "translations" / "phrasebook"
    files = sorted(book.glob("*.yaml")) if book.is_dir() else []
    if not files:
        pytest.skip("no phrasebook data in this checkout")
    slot_types = pytest.importorskip("translations.slots")
    slots: dict[str, dict[str, str]] = {}
    for file in files:
        for template in yaml.safe_load(file.read_text(encoding="utf-8"))["templates"]:
            slots[template["id"]] = template.get("slots") or {}
    for drill_id in manuals.list_drills():
        for inject in manuals.load_drill(drill_id)["injects"]:
            content: Any = inject["content"]
            ref = content.get("phrasebook")
            if ref:
                assert ref["template"] in slots, (drill_id, inject["id"], ref["template"])
                values = ref.get("slots", {})
                assert set(values) == set(slots[ref["template"]]), inject["id"]
                for name, value in values.items():
                    slot_types.parse(name, slots[ref["template"]][name], value)


# --- broken documents ----------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    """Write a YAML document to tmp_path and return its path."""
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_field_names_the_field(tmp_path: Path) -> None:
    data = yaml.safe_load((PACKAGE / "drills/typhoon_levels.yaml").read_text(encoding="utf-8"))
    del data["injects"][2]["target_minutes"]
    path = write(tmp_path, yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(manuals.ManualError) as caught:
        manuals.load_document(path, "drill")
    assert caught.value.file == "broken.yaml"
    assert caught.value.path == "$.injects[2]"
    assert "target_minutes" in caught.value.message


def test_wrong_value_names_the_path(tmp_path: Path) -> None:
    data = yaml.safe_load((PACKAGE / "drills/earthquake_tsunami.yaml").read_text(encoding="utf-8"))
    data["injects"][3]["content"]["lang"] = "vn"
    path = write(tmp_path, yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(manuals.ManualError, match=r"injects\[3\]\.content\.lang"):
        manuals.load_document(path, "drill")


def test_extra_field_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "teams:\n  - id: x\n    name: {ja: 班, en: Team}\n    colour: red\n")
    with pytest.raises(manuals.ManualError) as caught:
        manuals.load_document(path, "teams")
    assert "colour" in str(caught.value)


def test_choice_field_without_choices(tmp_path: Path) -> None:
    data = yaml.safe_load((PACKAGE / "forms/registration_card.yaml").read_text(encoding="utf-8"))
    field = next(f for f in data["sections"][1]["fields"] if f["id"] == "japanese_level")
    del field["choices"]
    path = write(tmp_path, yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(manuals.ManualError, match="choices"):
        manuals.load_document(path, "form")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("teams:\n  - id: a\n    id: b\n", "duplicate key 'id'"),
        ("categories:\n  - NO: 1\n", "not a string"),
        ("teams: [\n", "invalid YAML"),
    ],
)
def test_bad_yaml_is_a_manual_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(manuals.ManualError, match=message):
        manuals.load_document(write(tmp_path, text), "teams")


def test_unknown_next_phase_is_reported(tree: Path) -> None:
    edit(tree / "phases.yaml", lambda d: d["phases"][0]["next"].append("evacuating"))
    with pytest.raises(manuals.ManualError) as caught:
        manuals.load_phases()
    assert (caught.value.file, caught.value.path) == ("phases.yaml", "$.phases[0].next[1]")


def test_unknown_team_is_reported(tree: Path) -> None:
    edit(tree / "inquiry_categories.yaml", lambda d: d["categories"][5].update(team="press"))
    with pytest.raises(manuals.ManualError, match=r"categories\[5\]\.team"):
        manuals.load_inquiry_categories()


def test_unsorted_injects_are_reported(tree: Path) -> None:
    edit(tree / "drills/typhoon_levels.yaml", lambda d: d["injects"][4].update(offset_minutes=1))
    with pytest.raises(manuals.ManualError, match=r"injects\[4\]\.offset_minutes"):
        manuals.load_drill("typhoon_levels")


def test_unknown_category_and_bad_phase_change_are_reported(tree: Path) -> None:
    path = tree / "drills/earthquake_tsunami.yaml"
    edit(path, lambda d: d["injects"][3]["content"].update(category="weather"))
    with pytest.raises(manuals.ManualError, match=r"injects\[3\]\.content\.category"):
        manuals.load_drill("earthquake_tsunami")
    manuals.clear_cache()
    edit(path, lambda d: d["injects"][2]["content"].update(target="closed"))
    with pytest.raises(manuals.ManualError, match="cannot go from 'standby' to 'closed'"):
        manuals.load_drill("earthquake_tsunami")
