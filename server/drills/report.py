"""The after-action report (AAR/IP) of a drill: timeline, measures against targets, ratings,
per-language translation times, lessons and the improvement plan; as a dict and as CSV.

The dict is plain JSON (times as ISO strings): the API returns it as it is, the console and
the PDF render it, the CSV flattens it. After a reset the measures come from the snapshot
taken before the drill's data was removed.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from server.core import clock
from server.core.extensions import db
from server.drills import evaluation, measures
from server.drills.models import Drill, DrillEvaluation
from server.models import User

CSV_COLUMNS = (
    "section",
    "inject",
    "kind",
    "released_at",
    "lateness_seconds",
    "target_minutes",
    "measure",
    "done_at",
    "minutes",
    "verdict",
    "detail",
    "ratings",
    "issue",
    "action",
    "owner",
    "due_date",
)


def _names(rows: list[DrillEvaluation]) -> dict[int, str]:
    ids = {r.evaluator_id for r in rows if r.evaluator_id is not None}
    return {u.id: u.username for u in (db.session.get(User, i) for i in ids) if u is not None}


def _rating(row: DrillEvaluation, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": row.id,
        "evaluator": names.get(row.evaluator_id or 0, "—"),
        "rating": row.rating,
        "note": row.note,
        "at": measures.iso(row.created_at),
    }


def _expected(entry: dict[str, Any]) -> dict[str, str]:
    action = entry.get("expected_action") or {}
    return {"ja": str(action.get("ja", "")), "en": str(action.get("en", ""))}


def _timeline(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for row in rows:
        m = row["measures"]
        if m["released_at"]:
            events.append(
                {"at": m["released_at"], "inject": row["inject"], "what": "released", "detail": ""}
            )
        for it in m["items"]:
            if it["at"]:
                events.append(
                    {
                        "at": it["at"],
                        "inject": row["inject"],
                        "what": it["key"],
                        "detail": it["detail"],
                    }
                )
    return sorted(events, key=lambda e: (datetime.fromisoformat(e["at"]), e["inject"]))


def build(drill: Drill) -> dict[str, Any]:
    """Everything the AAR/IP says about one drill."""
    found, measured_at = measures.current(drill)
    rows = []
    for inject in drill.injects:
        entry = measures.spec(drill, inject.inject_key)
        ratings = evaluation.current(inject)
        history = evaluation.history(inject)
        names = _names(history)
        rows.append(
            {
                "inject": inject.inject_key,
                "kind": inject.kind,
                "position": inject.position,
                "expected_action": _expected(entry),
                "target_minutes": inject.target_minutes,
                "measures": found["injects"].get(inject.inject_key) or measures.measure(inject),
                "ratings": [_rating(r, names) for r in ratings],
                "history": [_rating(r, names) for r in history],
            }
        )
    plan = [
        {
            "id": p.id,
            "issue": p.issue,
            "action": p.action,
            "owner": p.owner,
            "due_date": p.due_date.isoformat() if p.due_date else None,
        }
        for p in evaluation.improvements(drill)
    ]
    return {
        "drill": {
            "id": drill.id,
            "scenario_id": drill.scenario_id,
            "title": drill.title,
            "status": drill.status,
            "speed": drill.speed,
            "started_at": measures.iso(drill.started_at),
            "finished_at": measures.iso(drill.finished_at),
            "reset_at": measures.iso(drill.reset_at),
        },
        "zone": clock.zone_name(),
        "measured_at": measures.iso(measured_at),
        "timeline": _timeline(rows),
        "injects": rows,
        "languages": found["languages"],
        "strengths": drill.strengths or "",
        "improvements": drill.improvements or "",
        "plan": plan,
    }


def local(value: str | None) -> str:
    """An ISO time of the report in the center's zone, with the zone: ``2026-12-03 14:05 JST``."""
    return clock.format_local(datetime.fromisoformat(value)) if value else ""


def _cell(text: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_csv(report: dict[str, Any]) -> str:
    """One row per inject measure and one per improvement-plan row (times in the center's zone)."""
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    w.writeheader()
    for row in report["injects"]:
        m = row["measures"]
        ratings = " ".join(f"{r['evaluator']}:{r['rating']}" for r in row["ratings"])
        base = {
            "section": "inject",
            "inject": row["inject"],
            "kind": row["kind"],
            "released_at": local(m["released_at"]),
            "lateness_seconds": "" if m["lateness_seconds"] is None else m["lateness_seconds"],
            "target_minutes": row["target_minutes"],
            "ratings": _cell(ratings),
        }
        if not m["items"]:
            w.writerow({**base, "measure": "", "verdict": m["verdict"]})
        for it in m["items"]:
            w.writerow(
                {
                    **base,
                    "measure": it["key"],
                    "done_at": local(it["at"]),
                    "minutes": "" if it["minutes"] is None else it["minutes"],
                    "verdict": it["verdict"],
                    "detail": it["detail"],
                }
            )
    for lang in report["languages"]:
        w.writerow(
            {
                "section": "language",
                "measure": lang["lang"],
                "minutes": lang["median"],
                "detail": f"n={lang['count']} max={lang['max']}",
            }
        )
    for p in report["plan"]:
        w.writerow(
            {
                "section": "improvement",
                "issue": _cell(p["issue"]),
                "action": _cell(p["action"]),
                "owner": _cell(p["owner"]),
                "due_date": p["due_date"] or "",
            }
        )
    return out.getvalue()
