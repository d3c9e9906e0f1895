"""The after-action report: HTML, CSV and a PDF read back; lessons and the improvement plan."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from server.core.extensions import db
from server.drills import evaluation, report
from server.drills.models import Drill, DrillImprovement
from tests import pdfpages
from tests.server.drills.eval_data import answered_drill, sign_in, user

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")), reason="needs poppler-utils"
)


def _evaluated() -> Drill:
    """The answered drill, rated, with lessons and an improvement plan row."""
    drill = answered_drill()
    eva = user("eva", "evaluator")
    evaluation.rate(drill, "n1", {"rating": "partly", "note": "ベトナム語が目標を超えた"}, eva)
    evaluation.rate(drill, "q1", {"rating": "met"}, eva)
    evaluation.set_lessons(
        drill, {"strengths": "定型文をすぐに使えた", "improvements": "<script>x</script>"}, eva
    )
    evaluation.add_improvement(
        drill,
        {
            "issue": "ベトナム語の掲示が遅い",
            "action": "Recruit two Vietnamese reviewers",
            "owner": "情報班",
            "due_date": (drill.started_at + timedelta(days=30)).date().isoformat(),
        },
        eva,
    )
    return drill


def test_the_report_holds_timeline_measures_ratings_and_plan(app: Any) -> None:
    aar = report.build(_evaluated())
    assert aar["zone"] == "Asia/Tokyo"
    kinds = [(e["inject"], e["what"]) for e in aar["timeline"]]
    assert kinds[0] == ("n1", "released") and ("n1", "published") in kinds
    assert ("x1", "released") not in kinds
    times = [e["at"] for e in aar["timeline"]]
    assert times == sorted(times)
    n1 = next(r for r in aar["injects"] if r["inject"] == "n1")
    assert n1["expected_action"]["ja"] == "n1 の期待される対応を行う"
    assert n1["ratings"][0]["rating"] == "partly" and n1["ratings"][0]["evaluator"] == "eva"
    assert aar["languages"][1] == {"lang": "vi", "count": 1, "median": 12.0, "max": 12.0}
    assert aar["plan"][0]["owner"] == "情報班" and aar["strengths"] == "定型文をすぐに使えた"


def test_the_csv_has_a_row_per_measure_per_language_and_per_plan_row(app: Any) -> None:
    text = report.to_csv(report.build(_evaluated()))
    rows = list(csv.DictReader(io.StringIO(text)))
    n1 = [r for r in rows if r["inject"] == "n1"]
    assert [r["measure"] for r in n1] == ["published", "on_boards"]
    assert (
        n1[1]["verdict"] == "over"
        and n1[1]["minutes"] == "12.0"
        and n1[0]["ratings"] == "eva:partly"
    )
    assert n1[0]["released_at"].endswith(" JST")
    assert next(r for r in rows if r["inject"] == "x1")["verdict"] == "not_released"
    langs = {r["measure"]: r["minutes"] for r in rows if r["section"] == "language"}
    assert langs == {"en": "6.0", "vi": "12.0"}
    plan = [r for r in rows if r["section"] == "improvement"]
    assert plan[0]["issue"] == "ベトナム語の掲示が遅い" and plan[0]["owner"] == "情報班"


def test_plan_text_that_looks_like_a_formula_stays_text_in_the_csv(app: Any) -> None:
    drill = answered_drill()
    eva = user("eva", "evaluator")
    evaluation.add_improvement(
        drill,
        {
            "issue": "=HYPERLINK(1)",
            "action": "@x",
            "owner": "-1",
            "due_date": drill.started_at.date().isoformat(),
        },
        eva,
    )
    rows = list(csv.DictReader(io.StringIO(report.to_csv(report.build(drill)))))
    plan = next(r for r in rows if r["section"] == "improvement")
    assert (plan["issue"], plan["action"], plan["owner"]) == ("'=HYPERLINK(1)", "'@x", "'-1")


def test_the_console_report_page_and_its_forms(client: Any) -> None:
    drill = _evaluated()
    drill.injects[1].lateness_seconds = -30.0  # released early by the controller
    db.session.commit()
    sign_in(client, "chief", "director")
    page = client.get(f"/drills/{drill.id}/report?lang=en").get_data(as_text=True)
    assert "30 s early" in page and "2 s late" in page
    for text in ("Timeline", "Improvement plan", "Recruit two Vietnamese reviewers", "vi", "JST"):
        assert text in page, text
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    r = client.post(
        f"/drills/{drill.id}/report/plan",
        data={"issue": "i", "action": "a", "owner": "o", "due_date": "2019-01-01"},
    )
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "before the drill" in page
    for bad in ("31/12/2027", "", "2099-01-01"):
        client.post(
            f"/drills/{drill.id}/report/plan",
            data={"issue": "i", "action": "a", "owner": "o", "due_date": bad},
        )
    client.post(
        f"/drills/{drill.id}/report/plan",
        data={"issue": "i", "action": "a", "owner": "", "due_date": "2027-01-01"},
    )
    assert len(db.session.scalars(db.select(DrillImprovement)).all()) == 1  # nothing bad stored
    row = db.session.scalar(db.select(DrillImprovement))
    assert row is not None
    r = client.post(f"/drills/{drill.id}/report/plan/{row.id}/remove")
    assert r.status_code == 302 and db.session.scalar(db.select(DrillImprovement)) is None
    r = client.post(
        f"/drills/{drill.id}/report/lessons", data={"strengths": "速かった", "improvements": ""}
    )
    db.session.expire_all()
    assert db.session.get(Drill, drill.id).strengths == "速かった"  # type: ignore[union-attr]
    csv_page = client.get(f"/drills/{drill.id}/report.csv")
    assert csv_page.mimetype == "text/csv" and "on_boards" in csv_page.get_data(as_text=True)


def test_readers_who_may_not_edit_change_nothing(client: Any) -> None:
    drill = _evaluated()
    sign_in(client, "op", "operator")
    assert "Improvement plan" in client.get(f"/drills/{drill.id}/report?lang=en").get_data(
        as_text=True
    )
    r = client.post(f"/drills/{drill.id}/report/lessons", data={"strengths": "x"})
    assert r.status_code == 403
    r = client.post(
        f"/drills/{drill.id}/report/plan",
        data={"issue": "i", "action": "a", "owner": "o", "due_date": "2027-01-01"},
    )
    assert r.status_code == 403 and len(db.session.scalars(db.select(DrillImprovement)).all()) == 1


@needs_poppler
def test_the_pdf_reads_back(client: Any, tmp_path: Path) -> None:
    drill = _evaluated()
    sign_in(client, "eva2", "evaluator")
    r = client.get(f"/drills/{drill.id}/report.pdf?lang=en")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    path = tmp_path / "aar.pdf"
    path.write_bytes(r.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for heading in ("After-action report", "Timeline", "Translation times per language"):
        assert heading in text, heading
    assert "Improvement plan" in text and "Strengths" in text
    assert "n1" in text and "q1" in text and "partly met" in text
    assert "ベトナム語の掲示が遅い" in text and "情報班" in text  # an IP row, Japanese text
    assert "評価テスト訓練" in text and "<script>x</script>" in text  # escaped, shown as text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "Noto-Sans-JP" in fonts, fonts
    png = pdfpages.first_page(path, "drill-aar")
    assert pdfpages.ink(png) > 500  # the page has ink on it
    print(f"\nAAR page 1: {png}")
