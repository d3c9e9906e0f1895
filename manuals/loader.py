"""Load, validate and cache the manual documents shipped inside the package."""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, ParamSpec, TypeVar, cast

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from manuals import checks
from manuals.errors import ManualError, UnknownEntryError
from manuals.records import ChecklistItem, Drill, Form, InquiryCategory, Phase, Team
from manuals.yaml_loader import parse_yaml

P = ParamSpec("P")
T = TypeVar("T")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_cache_clears: list[Callable[[], None]] = []


def _root() -> Traversable:
    """Return the folder holding the manual files (package data, also inside a wheel)."""
    return files("manuals")


def _cached_copy(func: Callable[P, T]) -> Callable[P, T]:
    """Cache a loader and hand each caller its own deep copy."""
    memo = functools.cache(func)
    _cache_clears.append(memo.cache_clear)
    # Every loader takes only strings, so the arguments are always hashable.
    cached = cast(Callable[P, T], memo)

    # Callers (console, drill runner) may edit what they get; the cache must stay pristine.
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        return copy.deepcopy(cached(*args, **kwargs))

    return wrapper


def clear_cache() -> None:
    """Forget every loaded document so the next call reads the files again."""
    for cache_clear in _cache_clears:
        cache_clear()
    _validator.cache_clear()


@functools.cache
def _validator(kind: str) -> Draft202012Validator:
    """Return the validator for one document kind, checking the schema itself first."""
    source = _root() / "schemas" / f"{kind}.schema.json"
    schema = json.loads(source.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _format_path(parts: Any) -> str:
    """Render a jsonschema error path as $.injects[3].content.lang."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def load_document(source: Traversable, kind: str, file: str | None = None) -> Any:
    """Parse one YAML file and validate it against the schema of its kind."""
    file = file or source.name
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ManualError(file, "$", f"cannot read the file: {exc}") from exc
    try:
        data = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "$"
        raise ManualError(file, where, f"invalid YAML: {exc}") from exc
    validate_document(data, kind, file)
    return data


def validate_document(data: Any, kind: str, file: str) -> None:
    """Validate parsed data against the schema of its kind; raise ManualError naming the field."""
    validator = _validator(kind)
    errors = list(validator.iter_errors(data))
    error = best_match(errors)
    if error is not None:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ManualError(file, _format_path(error.absolute_path), error.message + more)


@_cached_copy
def load_teams() -> list[Team]:
    """Return the center's teams (班) and their duties."""
    data = load_document(_root() / "teams.yaml", "teams")
    teams = cast(list[Team], data["teams"])
    checks.check_teams("teams.yaml", teams)
    return teams


@_cached_copy
def load_phases() -> list[Phase]:
    """Return the center phases in order, from standby to closed."""
    data = load_document(_root() / "phases.yaml", "phases")
    phases = cast(list[Phase], data["phases"])
    checks.check_phases("phases.yaml", phases, {t["id"] for t in load_teams()})
    return phases


@_cached_copy
def load_inquiry_categories() -> list[InquiryCategory]:
    """Return the categories inquiries are sorted into."""
    data = load_document(_root() / "inquiry_categories.yaml", "inquiry_categories")
    categories = cast(list[InquiryCategory], data["categories"])
    checks.check_categories("inquiry_categories.yaml", categories, {t["id"] for t in load_teams()})
    return categories


def get_phase(phase: str) -> Phase:
    """Return one phase by id."""
    for candidate in load_phases():
        if candidate["id"] == phase:
            return candidate
    raise UnknownEntryError("phases.yaml", "$.phases", f"unknown phase {phase!r}")


def next_phases(phase: str) -> list[str]:
    """Return the phases the center may move to from this one."""
    return get_phase(phase)["next"]


def checklist(phase: str) -> list[ChecklistItem]:
    """Return the tasks to do in this phase, in the manual's order."""
    return get_phase(phase)["checklist"]


def _list_names(folder: str) -> list[str]:
    """Return the sorted stems of the YAML files in one sub-folder."""
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in (_root() / folder).iterdir()
        if entry.is_file() and entry.name.endswith(".yaml")
    )


def _entry(folder: str, name: str) -> Traversable:
    """Return the file for a form or drill id, refusing ids that are not plain names."""
    # The id may come from a URL; a strict pattern keeps it inside the folder.
    if not _NAME.match(name) or name not in _list_names(folder):
        raise UnknownEntryError(f"{folder}/", "$", f"no such entry {name!r}")
    return _root() / folder / f"{name}.yaml"


def list_forms() -> list[str]:
    """Return the ids of the forms, sorted."""
    return _list_names("forms")


@_cached_copy
def load_form(name: str) -> Form:
    """Return one form (shelter_round_sheet, registration_card) by id."""
    file = f"forms/{name}.yaml"
    form = cast(Form, load_document(_entry("forms", name), "form", file))
    checks.check_form(file, name, form)
    return form


def list_drills() -> list[str]:
    """Return the ids of the drill scenarios, sorted."""
    return _list_names("drills")


@_cached_copy
def load_drill(drill_id: str) -> Drill:
    """Return one drill scenario by id, with its injects in time order."""
    file = f"drills/{drill_id}.yaml"
    drill = cast(Drill, load_document(_entry("drills", drill_id), "drill", file))
    codes = {c["code"] for c in load_inquiry_categories()}
    checks.check_drill(file, drill_id, drill, load_phases(), codes)
    return drill
