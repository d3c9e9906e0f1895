"""The closure report of an activation, and checklists that start afresh with each activation."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.core.extensions import db
from server.inquiries import translate
from server.models import Inquiry
from server.operations.models import PhaseChange
from server.translation import planning
from tests import pdfpages

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")), reason="needs poppler-utils"
)
LESSON = "ネパール語の通訳が初日に足りなかった。登録名簿を平常時に更新しておく。"


def _move(client: Any, director: dict[str, str], *phases: str, force: bool = False) -> None:
    for phase in phases:
        r = client.post(
            "/api/v1/center/phase",
            headers=director,
            json={"phase": phase, "reason": f"→ {phase}", "force": force},
        )
        assert r.status_code in (200, 201), r.get_json()


def _tick(client: Any, headers: dict[str, str], item: str, note: str = "") -> Any:
    return client.post(
        f"/api/v1/checklists/items/{item}", headers=headers, json={"state": "done", "note": note}
    )


def _activation(client: Any, token_for: Any) -> tuple[dict[str, str], dict[str, str]]:
    """An activation with a phrasebook announcement on the boards and an answered inquiry."""
    director = token_for("chief", "director")
    op = token_for("op", "operator")
    _move(client, director, "activated")
    r = client.post(
        "/api/v1/announcements",
        headers=op,
        json={
            "template_id": "tsunami.major_warning",
            "slots": {"place": "沿岸部"},
            "category": "tsunami",
            "severity": "Extreme",
        },
    )
    assert r.status_code == 201, r.get_json()
    planning.translate_revision(r.get_json()["id"], 1)
    r = client.post(
        "/api/v1/inquiries",
        headers=op,
        json={"message": "น้ำดื่มอยู่ที่ไหน", "lang": "th", "category": "food_water"},
    )
    inquiry_id = r.get_json()["id"]
    r = client.post(
        f"/api/v1/inquiries/{inquiry_id}/replies",
        headers=op,
        json={"template_id": "consultation.any_question"},
    )
    assert r.status_code == 201, r.get_json()
    translate.translate_reply(r.get_json()["id"])
    assert db.session.get(Inquiry, inquiry_id).status == "answered"
    assert _tick(client, op, "activated.log", "時系列を記録").status_code == 200
    return director, op


def test_a_center_never_activated_gets_a_clear_message(
    client: Any, token_for: Any, sign_in: Any
) -> None:
    op = token_for("op", "operator")
    r = client.get("/api/v1/reports/closure", headers=op)
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "never_activated"
    sign_in("desk", "operator")
    page = client.get("/reports/closure").get_data(as_text=True)
    assert "一度も設置されていない" in page
    r = client.get("/reports/closure.pdf")
    assert r.status_code == 404


def test_checklists_start_afresh_with_each_activation(client: Any, token_for: Any) -> None:
    director = token_for("chief", "director")
    op = token_for("op", "operator")
    assert _tick(client, op, "standby.drill").status_code == 200  # before any activation
    _move(client, director, "activated")
    assert _tick(client, op, "activated.decide", "市と協議済み").status_code == 200
    r = _tick(client, op, "activated.decide")
    assert r.status_code == 409  # once per activation
    _move(client, director, "closing", "closed")
    _move(client, director, "activated", force=True)  # the next disaster
    items = client.get("/api/v1/checklists/activated", headers=op).get_json()
    decide = next(i for i in items if i["id"] == "activated.decide")
    assert decide["state"] == "open"
    assert _tick(client, op, "activated.decide", "二度目").status_code == 200
    first, second = db.session.scalars(
        select(PhaseChange.id).where(PhaseChange.to_phase == "activated").order_by(PhaseChange.id)
    ).all()
    old = client.get(f"/api/v1/reports/closure?activation={first}", headers=op).get_json()
    assert old["closed_at"] is not None
    assert [(m["item"], m["note"]) for m in old["checklist"]] == [
        ("activated.decide", "市と協議済み")
    ]
    assert [p["phase"] for p in old["phases"]] == ["activated", "closing"]
    new = client.get("/api/v1/reports/closure", headers=op).get_json()
    assert new["activation_id"] == second and new["closed_at"] is None
    assert [(m["item"], m["note"]) for m in new["checklist"]] == [("activated.decide", "二度目")]
    r = client.get("/api/v1/reports/closure?activation=999", headers=op)
    assert r.status_code == 404 and r.get_json()["error"]["field"] == "activation"


def test_the_report_counts_the_activation_and_times_the_responses(
    client: Any, token_for: Any
) -> None:
    _director, op = _activation(client, token_for)
    body = client.get("/api/v1/reports/closure", headers=op).get_json()
    ann = body["announcements"]
    assert ann["published"] == 1 and ann["by_category"] == [["tsunami", 1]]
    assert ann["by_severity"] == [["Extreme", 1]]
    assert ann["all_languages"]["n"] == 1 and ann["all_languages"]["median"] is not None
    assert ann["never_complete"] == 0
    per_lang = dict((lang, stats) for lang, stats in ann["per_language"])
    assert {"en", "th", "ne"} <= set(per_lang) and per_lang["th"]["n"] == 1
    inq = body["inquiries"]
    assert inq["received"] == 1 and inq["replies"] == 1 and inq["first_reply"]["n"] == 1
    assert {"ja", "th", "en"} <= set(body["languages_served"])
    # Counts only: no resident's words.
    assert "น้ำดื่ม" not in str(body)
    r = client.get("/api/v1/reports/closure?format=csv", headers=op)
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert ["announcements_by_category", "tsunami", "1"] in rows
    assert ["inquiries", "received", "1"] in rows and ["checklist", "activated.log", "done"] in rows


def test_lessons_are_saved_and_logged(client: Any, token_for: Any, sign_in: Any) -> None:
    director = token_for("chief", "director")
    _move(client, director, "activated")
    r = client.put("/api/v1/reports/closure/lessons", headers=director, json={"lessons": LESSON})
    assert r.status_code == 200 and r.get_json()["lessons"] == LESSON
    r = client.put(
        "/api/v1/reports/closure/lessons", headers=director, json={"lessons": "x" * 20_001}
    )
    assert r.status_code == 413
    assert client.get("/api/v1/reports/closure", headers=director).get_json()["lessons"] == LESSON
    log = client.get("/api/v1/activity?kind=closure.lessons_saved", headers=director).get_json()
    assert len(log) == 1
    sign_in("desk", "operator")
    client.post("/reports/closure/lessons", data={"lessons": "<b>見直す</b>"})
    page = client.get("/reports/closure").get_data(as_text=True)
    assert "&lt;b&gt;見直す&lt;/b&gt;" in page and "閉所報告" in page


@needs_poppler
def test_the_pdf_reads_back_with_headings_counts_and_lessons(
    client: Any, token_for: Any, tmp_path: Path
) -> None:
    director, op = _activation(client, token_for)
    client.put("/api/v1/reports/closure/lessons", headers=director, json={"lessons": LESSON})
    _move(client, director, "closing", "closed")
    r = client.get("/api/v1/reports/closure?format=pdf", headers=op)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    path = tmp_path / "closure.pdf"
    path.write_bytes(r.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for heading in ("閉所報告", "災害多言語支援センター", "段階", "件数", "対応時間", "教訓"):
        assert heading in text, heading
    assert LESSON[:20] in text.replace("\n", "").replace(" ", "")
    assert "発信した情報" in text and "市と協議" not in text
    png = pdfpages.first_page(path, "closure")
    assert pdfpages.ink(png) > 500
