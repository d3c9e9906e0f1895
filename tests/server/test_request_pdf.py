"""A delivered translation downloads as PDF: both texts in their scripts, languages, times,
who translated and who checked it; read back with pdftotext and pdffonts."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from server.people import accounts

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")), reason="needs poppler-utils"
)
THAI = "แจกน้ำที่ศูนย์พักพิง\nมีผ้าห่มด้วย"
NEPALI = "आश्रयस्थलमा पानी बाँडिन्छ।"


def bases(text: str) -> str:
    """The text without combining marks and spaces."""
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Mn")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _deliver(client: Any, lang: str, text: str) -> int:
    tokens = {}
    for name, role in (("city", "requester"), ("tr", "operator"), ("rev", "reviewer")):
        accounts.create_user(name, role, f"{name}-password-long")
        tokens[name] = accounts.create_token(name)
    r = client.post(
        "/api/v1/requests",
        json={
            "text": "避難所で水を配ります。\n毛布もあります。",
            "targets": [lang],
            "title": "給水",
        },
        headers=auth(tokens["city"]),
    )
    assert r.status_code == 201, r.get_json()
    rid, pid = r.get_json()["id"], r.get_json()["pieces"][0]["id"]
    for who, step, body in (
        ("tr", "claim", {}),
        ("tr", "submit", {"text": text}),
        ("rev", "check", {"action": "approve"}),
    ):
        r = client.post(f"/api/v1/pieces/{pid}/{step}", json=body, headers=auth(tokens[who]))
        assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "delivered"
    return int(rid)


def _read(client: Any, url: str, tmp_path: Path) -> tuple[str, str]:
    r = client.get(url)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    path = tmp_path / "delivery.pdf"
    path.write_bytes(r.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    return text, fonts


@pytest.mark.parametrize(
    ("lang", "text", "family"),
    [("th", THAI, "Noto-Sans-Thai"), ("ne", NEPALI, "Noto-Sans-Devanagari")],
)
def test_a_delivered_piece_downloads_as_pdf(
    app: Any, client: Any, tmp_path: Path, lang: str, text: str, family: str
) -> None:
    rid = _deliver(client, lang, text)
    r = client.post("/login", data={"username": "city", "password": "city-password-long"})
    assert r.status_code == 302
    page = client.get(f"/requests/{rid}").get_data(as_text=True)
    assert f"/requests/{rid}/{lang}.pdf" in page
    found, fonts = _read(client, f"/requests/{rid}/{lang}.pdf", tmp_path)
    # pdftotext puts some Thai marks back in a different order: compare the base letters.
    assert bases(text.split("\n")[0]) in bases(found), found
    assert "避難所で水を配ります。" in found and "給水" in found
    assert f"ja → {lang}" in found
    assert "確認者" in found and "rev" in found and "翻訳者" in found and "tr" in found
    assert "JST" in found  # times in Japan time, the zone shown
    assert family in fonts and "Noto-Sans-JP" in fonts, fonts
    assert client.get(f"/requests/{rid}/{lang}.exe").status_code == 404
