"""The daily situation report: HTML, CSV and a PDF whose text and pixels a test reads back."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from server.operations import situation

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")), reason="needs poppler-utils"
)


def _busy_day(client: Any, token_for: Any) -> dict[str, str]:
    director = token_for("chief", "director")
    op = token_for("op", "operator")
    client.post(
        "/api/v1/center/phase", headers=director, json={"phase": "activated", "reason": "震度6強"}
    )
    client.post(
        "/api/v1/announcements",
        headers=op,
        json={"text": "本日15時に給水車が来ます。", "category": "food_water"},
    )
    client.post(
        "/api/v1/announcements",
        headers=op,
        json={"text": "余震に注意してください。", "category": "safety"},
    )
    for lang, message in (("th", "น้ำดื่มอยู่ที่ไหน"), ("ne", "पानी कहाँ छ?")):
        client.post(
            "/api/v1/inquiries",
            headers=op,
            json={"message": message, "lang": lang, "category": "food_water"},
        )
    now = datetime.now(UTC)
    client.post(
        "/api/v1/shifts",
        headers=op,
        json={
            "label": "日勤",
            "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
            "staff": ["佐藤", "鈴木"],
            "volunteers": ["Maya"],
        },
    )
    return op


def test_the_report_counts_the_day(client: Any, token_for: Any) -> None:
    op = _busy_day(client, token_for)
    body = client.get("/api/v1/reports/situation", headers=op).get_json()
    assert body["day"] == situation.today().isoformat() and body["phase"] == "activated"
    ann = body["announcements"]
    assert ann["published"] == 2
    assert sorted(map(tuple, ann["by_category"])) == [("food_water", 1), ("safety", 1)]
    assert ["ja", "日本語", 2] in ann["by_language"] and ["th", "ไทย", 0] in ann["by_language"]
    assert body["inquiries"]["total"] == 2
    assert sorted(map(tuple, body["inquiries"]["by_language"])) == [("ne", 1), ("th", 1)]
    assert body["staffing"]["staff"] == 2 and body["staffing"]["volunteers"] == 1
    # Counts only: no resident's words in the report.
    assert "น้ำดื่ม" not in str(body) and "पानी" not in str(body)
    r = client.get("/api/v1/reports/situation?format=csv", headers=op)
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert ["announcements_by_category", "food_water", "1"] in rows
    assert ["inquiries_by_language", "th", "1"] in rows and ["staffing", "staff", "2"] in rows


def test_a_future_day_is_a_clear_error(client: Any, token_for: Any, sign_in: Any) -> None:
    op = token_for("op", "operator")
    tomorrow = (situation.today() + timedelta(days=1)).isoformat()
    for fmt in ("json", "csv", "pdf"):
        r = client.get(f"/api/v1/reports/situation?day={tomorrow}&format={fmt}", headers=op)
        assert r.status_code == 400
        assert r.get_json()["error"] == {
            "code": "future_day",
            "field": "day",
            "message": r.get_json()["error"]["message"],
        }
        assert "has not come yet" in r.get_json()["error"]["message"]
    r = client.get("/api/v1/reports/situation?day=3-12-2026", headers=op)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "day"
    sign_in("desk", "operator")
    r = client.get(f"/reports/situation.pdf?day={tomorrow}")
    assert r.status_code == 400 and "まだ来ていない日" in r.get_data(as_text=True)
    r = client.get(f"/reports/situation?day={tomorrow}")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "まだ来ていない日" in page


def test_the_console_page_and_csv(client: Any, token_for: Any, sign_in: Any) -> None:
    _busy_day(client, token_for)
    sign_in("desk", "operator")
    page = client.get("/reports/situation").get_data(as_text=True)
    assert "日報" in page and "発信 2 件" in page and "職員 2 人" in page
    r = client.get("/reports/situation.csv")
    assert r.mimetype == "text/csv" and "food_water" in r.get_data(as_text=True)


@needs_poppler
def test_the_pdf_shapes_every_script_with_the_vendored_fonts(
    client: Any, token_for: Any, tmp_path: Path
) -> None:
    op = _busy_day(client, token_for)
    r = client.get("/api/v1/reports/situation?format=pdf", headers=op)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    path = tmp_path / "situation.pdf"
    path.write_bytes(r.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "日報（状況報告）" in text and "災害多言語支援センター" in text
    assert "発信 2 件" in text and "職員 2 人" in text
    for native in ("ไทย", "नेपाली", "日本語", "한국어", "简体中文", "ဘာသာ"):
        assert native in text, native
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    for family in ("Noto-Sans-Thai", "Noto-Sans-Devanagari", "Noto-Sans-Myanmar", "Noto-Sans-JP"):
        assert family in fonts, fonts  # embedded from web/static/vendor, not a system font
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        check=True,
    )
    png = next(tmp_path.glob("p*.png"))
    from PIL import Image

    with Image.open(png) as image:
        grey = image.convert("L")
        dark = sum(1 for v in grey.tobytes() if v < 128)
    assert dark > 500  # the page has ink on it, not only a blank sheet
