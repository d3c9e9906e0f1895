"""A center from standby to closed in the console, checklists ticked, every step in the log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from manuals import loader
from server.core.extensions import db
from server.operations.models import ActivityEntry


def test_standby_to_closed_with_checklists_and_the_activity_log(client: Any, sign_in: Any) -> None:
    sign_in("chief", "director")
    path = ["activated", "operating", "closing", "closed"]
    ticked = []
    for phase in ["standby", *path]:
        items = loader.checklist(phase)
        # Tick the first item done and set the second aside, in the phase it belongs to.
        r = client.post(
            f"/center/checklist/{items[0]['id']}",
            data={"action": "done", "note": f"{phase} ok", "phase": phase},
        )
        assert r.status_code == 302
        client.post(
            f"/center/checklist/{items[1]['id']}",
            data={"action": "not_applicable", "reason": "訓練のため省略", "phase": phase},
        )
        ticked += [items[0]["id"], items[1]["id"]]
        page = client.get(f"/center?phase={phase}").get_data(as_text=True)
        assert f'id="item-{items[0]["id"]}" class="done"' in page
        assert f'id="item-{items[1]["id"]}" class="not_applicable"' in page
        if phase == "closed":
            break
        target = path[path.index(phase) + 1] if phase != "standby" else "activated"
        r = client.post("/center/phase", data={"phase": target, "reason": f"to {target}"})
        page = client.get(r.headers["Location"]).get_data(as_text=True)
        assert f'class="phase phase-{target}"' in page, target

    entries = list(db.session.scalars(select(ActivityEntry).order_by(ActivityEntry.id)))
    changes = [e.summary for e in entries if e.kind == "phase.changed"]
    assert changes == [
        "standby → activated: to activated",
        "activated → operating: to operating",
        "operating → closing: to closing",
        "closing → closed: to closed",
    ]
    refs = [e.ref for e in entries if e.kind.startswith("checklist.")]
    assert refs == [f"checklist:{i}" for i in ticked]
    # The log page shows them all, newest first, and the CSV holds them in order.
    page = client.get("/activity").get_data(as_text=True)
    assert page.index("closing → closed") < page.index("standby → activated")
    csv_text = client.get("/activity.csv").get_data(as_text=True)
    assert csv_text.count("phase.changed") == 4 and csv_text.count("checklist.") == 10
    # Closed is the end: no further move without forcing it.
    r = client.post("/center/phase", data={"phase": "standby", "reason": "next year"})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "段階を飛ばす変更です" in page and 'class="phase phase-closed"' in page
