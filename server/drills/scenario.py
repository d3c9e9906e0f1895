"""Drill scenarios: the bundled ones from ``manuals/drills/``, or an uploaded YAML file.

An upload goes through the same strict YAML loader and JSON schema as the bundled files, then
the same consistency checks (time order, known categories, allowed phase steps), so a refused
file says which field is wrong, e.g. ``injects[3].offset_minutes``.
"""

from __future__ import annotations

from typing import Any, cast

import yaml

from manuals import checks
from manuals import loader as manuals
from manuals.errors import ManualError, UnknownEntryError
from manuals.records import Drill
from manuals.yaml_loader import parse_yaml
from server.core.errors import ApiError

MAX_BYTES = 256 * 1024  # the largest bundled scenario is ~40 KiB
UPLOAD = "upload.yaml"


class ScenarioError(ApiError):
    """A scenario that cannot run; ``field`` names the wrong part (``injects[3].type``)."""

    def __init__(self, field: str | None, message: str, code: str = "invalid_scenario") -> None:
        super().__init__(400 if code != "too_large" else 413, code, message, field)


def _field(path: str) -> str | None:
    """Turn the manuals' ``$.injects[3].id`` into ``injects[3].id`` (None for the whole file)."""
    if not path.startswith("$"):
        return None  # "line 4": a YAML syntax error
    return path.removeprefix("$").removeprefix(".") or None


def list_bundled() -> list[Drill]:
    """Return every bundled scenario."""
    return [manuals.load_drill(name) for name in manuals.list_drills()]


def load_bundled(scenario_id: str) -> dict[str, Any]:
    """Return a bundled scenario by id, or raise ScenarioError (404) naming the id."""
    try:
        return cast(dict[str, Any], manuals.load_drill(scenario_id))
    except UnknownEntryError:
        raise ApiError(
            404, "unknown_scenario", f"no bundled scenario {scenario_id!r}", "scenario"
        ) from None


def parse_upload(data: bytes) -> dict[str, Any]:
    """Check an uploaded scenario file; raise ScenarioError naming the wrong field."""
    if len(data) > MAX_BYTES:
        raise ScenarioError("file", f"the file is larger than {MAX_BYTES // 1024} KiB", "too_large")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError("file", "the file is not UTF-8 text") from None
    try:
        parsed = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError("file", f"not valid YAML{where}: {exc}") from None
    if not isinstance(parsed, dict):
        raise ScenarioError("file", "the file must be a YAML mapping (id, title, injects, …)")
    try:
        manuals.validate_document(parsed, "drill", UPLOAD)
        drill = cast(Drill, parsed)
        codes = {c["code"] for c in manuals.load_inquiry_categories()}
        checks.check_drill(UPLOAD, drill["id"], drill, manuals.load_phases(), codes)
    except ManualError as exc:
        raise ScenarioError(_field(exc.path), f"{exc.path}: {exc.message}") from None
    return cast(dict[str, Any], parsed)
