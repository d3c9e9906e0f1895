"""Cross-reference checks that JSON Schema cannot express."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from manuals.errors import ManualError
from manuals.records import (
    Drill,
    Form,
    InquiryCategory,
    InquiryContent,
    Phase,
    PhaseChangeContent,
    ShelterReportContent,
    Team,
)


def _unique(file: str, items: Iterable[tuple[str, str]]) -> None:
    """Fail on the first id seen twice; items are (path, id) pairs."""
    seen: set[str] = set()
    for path, ident in items:
        if ident in seen:
            raise ManualError(file, path, f"duplicate id {ident!r}")
        seen.add(ident)


def check_teams(file: str, teams: list[Team]) -> None:
    """Check team ids are unique."""
    _unique(file, ((f"$.teams[{i}].id", t["id"]) for i, t in enumerate(teams)))


def check_phases(file: str, phases: list[Phase], team_ids: set[str]) -> None:
    """Check phase ids, transitions and checklist references."""
    _unique(file, ((f"$.phases[{i}].id", p["id"]) for i, p in enumerate(phases)))
    ids = {p["id"] for p in phases}
    items = [
        (f"$.phases[{i}].checklist[{j}]", item)
        for i, phase in enumerate(phases)
        for j, item in enumerate(phase["checklist"])
    ]
    _unique(file, ((f"{path}.id", item["id"]) for path, item in items))
    for i, phase in enumerate(phases):
        for j, target in enumerate(phase["next"]):
            if target not in ids or target == phase["id"]:
                raise ManualError(file, f"$.phases[{i}].next[{j}]", f"bad next phase {target!r}")
    for path, item in items:
        if item["team"] not in team_ids:
            raise ManualError(file, f"{path}.team", f"unknown team {item['team']!r}")


def check_categories(file: str, categories: list[InquiryCategory], team_ids: set[str]) -> None:
    """Check category codes are unique and handled by known teams."""
    _unique(file, ((f"$.categories[{i}].code", c["code"]) for i, c in enumerate(categories)))
    for i, category in enumerate(categories):
        if category["team"] not in team_ids:
            raise ManualError(file, f"$.categories[{i}].team", f"unknown team {category['team']!r}")


def check_form(file: str, name: str, form: Form) -> None:
    """Check a form's id, field ids, choices and field dependencies."""
    if form["id"] != name:
        raise ManualError(file, "$.id", f"id {form['id']!r} must equal the file name {name!r}")
    _unique(file, ((f"$.sections[{i}].id", s["id"]) for i, s in enumerate(form["sections"])))
    fields = [
        (f"$.sections[{i}].fields[{j}]", field)
        for i, section in enumerate(form["sections"])
        for j, field in enumerate(section["fields"])
    ]
    _unique(file, ((f"{path}.id", field["id"]) for path, field in fields))
    choices: dict[str, set[str]] = {}
    for path, field in fields:
        options = field.get("choices", [])
        _unique(file, ((f"{path}.choices[{k}].id", c["id"]) for k, c in enumerate(options)))
        choices[field["id"]] = {c["id"] for c in options}
        dep = field.get("depends_on")
        # A field may only depend on a choice field that comes before it on the form.
        if dep is not None and dep["choice"] not in choices.get(dep["field"], set()):
            raise ManualError(
                file, f"{path}.depends_on", f"no earlier choice {dep['field']}={dep['choice']}"
            )


def check_drill(
    file: str, name: str, drill: Drill, phases: list[Phase], category_codes: set[str]
) -> None:
    """Check a drill's timeline, references and phase changes."""
    if drill["id"] != name:
        raise ManualError(file, "$.id", f"id {drill['id']!r} must equal the file name {name!r}")
    allowed = {p["id"]: set(p["next"]) for p in phases}
    if drill["start_phase"] not in allowed:
        raise ManualError(file, "$.start_phase", f"unknown phase {drill['start_phase']!r}")
    injects = drill["injects"]
    _unique(file, ((f"$.injects[{i}].id", inj["id"]) for i, inj in enumerate(injects)))
    phase, last = drill["start_phase"], 0
    for i, inject in enumerate(injects):
        path = f"$.injects[{i}]"
        offset = inject["offset_minutes"]
        if offset < last or offset > drill["duration_minutes"]:
            raise ManualError(file, f"{path}.offset_minutes", f"{offset} is out of order")
        last = offset
        if inject["type"] == "inquiry":
            code = cast(InquiryContent, inject["content"])["category"]
            if code not in category_codes:
                raise ManualError(file, f"{path}.content.category", f"unknown category {code!r}")
        elif inject["type"] == "phase_change":
            target = cast(PhaseChangeContent, inject["content"])["target"]
            if target not in allowed.get(phase, set()):
                raise ManualError(
                    file, f"{path}.content.target", f"cannot go from {phase!r} to {target!r}"
                )
            phase = target
        elif inject["type"] == "shelter_report":
            _check_counts(file, f"{path}.content", cast(ShelterReportContent, inject["content"]))


def _check_counts(file: str, path: str, report: ShelterReportContent) -> None:
    """Check a shelter report's breakdowns add up to its totals."""
    foreign = report["foreign_evacuees"]
    if foreign > report["total_evacuees"]:
        raise ManualError(file, f"{path}.foreign_evacuees", "exceeds total_evacuees")
    for key in ("by_language", "by_nationality"):
        counts = report.get(key)
        if isinstance(counts, dict) and sum(counts.values()) != foreign:
            raise ManualError(file, f"{path}.{key}", f"does not add up to {foreign}")
