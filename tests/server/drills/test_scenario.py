"""Scenario files: the bundled ones load, bad uploads are refused naming the field."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from server.drills import scenario
from server.drills.scenario import ScenarioError


def _edited(flood_bytes: bytes, change: Any) -> bytes:
    data = yaml.safe_load(flood_bytes.decode("utf-8"))
    change(data)
    return yaml.safe_dump(data, allow_unicode=True).encode("utf-8")


def test_bundled_scenarios_have_a_translation_request() -> None:
    for item in scenario.list_bundled():
        kinds = {i["type"] for i in item["injects"]}
        assert "translation_request" in kinds, item["id"]
        assert scenario.load_bundled(item["id"])["id"] == item["id"]


def test_the_test_scenario_has_every_kind(flood_bytes: bytes) -> None:
    parsed = scenario.parse_upload(flood_bytes)
    assert {i["type"] for i in parsed["injects"]} == {
        "news",
        "inquiry",
        "shelter_report",
        "phase_change",
        "translation_request",
    }


def _set(path: list[Any], value: Any) -> Any:
    def change(data: Any) -> None:
        for key in path[:-1]:
            data = data[key]
        data[path[-1]] = value

    return change


def _drop(path: list[Any]) -> Any:
    def change(data: Any) -> None:
        for key in path[:-1]:
            data = data[key]
        del data[path[-1]]

    return change


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (_set(["injects", 3, "offset_minutes"], "twenty"), "injects[3].offset_minutes"),
        (_drop(["injects", 2, "target_minutes"]), "injects[2]"),
        (_set(["injects", 1, "type"], "earthquake"), "injects[1].type"),
        (_set(["injects", 4, "content", "targets"], ["xx"]), "injects[4].content.targets[0]"),
        (_set(["injects", 5, "offset_minutes"], 1), "injects[5].offset_minutes"),  # out of order
        (_set(["injects", 2, "content", "category"], "weather"), "injects[2].content.category"),
        (_set(["start_phase"], "nowhere"), "start_phase"),
        (_drop(["title"]), None),
    ],
)
def test_a_bad_scenario_names_the_wrong_field(
    flood_bytes: bytes, change: Any, field: str | None
) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario.parse_upload(_edited(flood_bytes, change))
    assert caught.value.status == 400
    assert caught.value.field == field, caught.value.message


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"id: [unclosed", "invalid_scenario"),  # not YAML
        (b"- a list\n- not a scenario\n", "invalid_scenario"),
        (b"\xff\xfe not utf-8", "invalid_scenario"),
        (b"id: x\n" + b"#" * (scenario.MAX_BYTES + 1), "too_large"),
        (b"id: x\nid: y\n", "invalid_scenario"),  # duplicate key: the strict loader refuses it
    ],
)
def test_a_file_that_is_not_a_scenario_is_refused(data: bytes, code: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario.parse_upload(data)
    assert caught.value.code == code and caught.value.field == "file"
