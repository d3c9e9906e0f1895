"""Printed channels: posters, shelter batches, the pointing board and the registration card."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.channels import alerts, posters, printing
from server.core.extensions import db
from server.core.security import board_token
from server.models import Announcement, AuditLog, Shelter, Translation
from server.people import accounts
from server.shelters import census
from server.shelters.words import CensusKind
from server.translation import planning as translating
from translations import board_labels

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PICTOGRAMS = ROOT / "web" / "static" / "pictograms"
needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("pdfinfo")),
    reason="needs poppler-utils (pdftotext, pdftoppm, pdfinfo)",
)
# WeasyPrint lays out CJK, Thai, Burmese and Devanagari pages: seconds per sheet.
slow = pytest.mark.slow
WATER_TRUCK = "food_water.water_truck"
SLOTS = {"place": "第一小学校", "time": "15:00"}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post(client: Any, token: str, **body: Any) -> int:
    r = client.post("/api/v1/announcements", headers=auth(token), json=body)
    assert r.status_code == 201, r.get_data(as_text=True)
    return int(r.get_json()["id"])


def water_truck(client: Any, token: str, **extra: Any) -> int:
    """A phrasebook announcement, translated by the worker's own function (no broker here)."""
    announcement_id = post(
        client,
        token,
        template_id=WATER_TRUCK,
        slots=SLOTS,
        category="food_water",
        severity="Severe",
        urgency="Immediate",
        **extra,
    )
    translating.translate_revision(announcement_id, 1)
    return announcement_id


def expected(lang: str) -> str:
    """The water truck's text in a language, as the worker wrote it (slots in local form)."""
    announcement = db.session.scalars(select(Announcement).order_by(Announcement.id)).first()
    assert announcement is not None
    return alerts.texts(announcement, announcement.revisions[-1])[lang]


def squash(text: str) -> str:
    """Drop white space: pdftotext breaks lines where the page does."""
    return re.sub(r"\s+", "", text)


def letters(text: str) -> str:
    """Keep letters and digits only: what pdftotext reliably reads back from shaped text.

    Poppler maps a shaped cluster's glyphs back to text imperfectly (Thai ำ comes back as า,
    Burmese and Devanagari vowel signs move or vanish), so the marks are left out; the base
    letters coming back in order still proves the text was shaped with an embedded font.
    """
    text = unicodedata.normalize("NFC", text).replace("\u0e33", "\u0e32")
    return "".join(c for c in text if unicodedata.category(c) in ("Lo", "Ll", "Lu", "Nd"))


def pdf_text(data: bytes, tmp_path: Path, name: str) -> tuple[str, Path]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text, path


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return {
        k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in out.stdout.splitlines())
    }


def screenshot(path: Path, name: str, dpi: int = 60) -> Path:
    """Render page 1 into test-artifacts/<name>.png (look at it: overflow, overlap, tiny type)."""
    ARTIFACTS.mkdir(exist_ok=True)
    stem = ARTIFACTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(path), stem],
        check=True,
    )
    return stem.with_suffix(".png")


def colours(png: Path) -> set[tuple[int, int, int]]:
    from PIL import Image

    with Image.open(png) as image:
        return {tuple(c) for _n, c in image.convert("RGB").getcolors(1 << 20) or []}


def hex_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@slow
@needs_poppler
def test_a_five_language_poster_prints_every_script(
    client: Any, operator_token: str, tmp_path: Path
) -> None:
    announcement_id = water_truck(client, operator_token)
    langs = ["en", "th", "my", "ne", "vi"]
    r = client.get(
        f"/api/v1/announcements/{announcement_id}/poster.pdf?langs={','.join(langs)}&size=A4",
        headers=auth(operator_token),
    )
    assert r.status_code == 200 and r.mimetype == "application/pdf", r.get_data(as_text=True)
    text, path = pdf_text(r.data, tmp_path, "poster")
    flat, read = squash(text), letters(text)
    assert "食料・給水" in text  # the Japanese title (the CAP event name)
    assert squash(expected("ja")) in flat
    for lang in langs:  # text comes back: shaped with the vendored fonts and embedded
        assert letters(expected(lang)) in read, lang
    assert "警戒レベル4" in flat  # Severe + Immediate, as a board shows it
    for lang in ("ja", *langs):
        assert letters(board_labels.SEVERITY["Severe"][lang]) in read, lang
    assert "第1版" in flat and "revision 1" in text and "JST" in text
    assert "/help" in text  # the QR code's address is printed beside it
    assert "not yet translated" not in text and "machine translation" not in text
    info = pdf_info(path)
    assert info["Pages"] == "1" and "(A4)" in info["Page size"]
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    for family in ("Noto-Sans-Thai", "Noto-Sans-Devanagari", "Noto-Sans-Myanmar", "Noto-Sans-JP"):
        assert family in fonts, fonts
    png = screenshot(path, "poster-a4-five-languages", dpi=80)
    band = hex_rgb(posters.palette()[4])
    assert band == (0xAA, 0x00, 0xAA)  # the board's --lv4, read from board.css
    assert band in colours(png)


@slow
@needs_poppler
def test_an_a3_poster_and_a_shelter_census_choose_the_languages(
    client: Any, operator_token: str, tmp_path: Path
) -> None:
    shelter = accounts.create_shelter("第一小学校", "Daiichi Shogakko", "七尾市本町1-1")
    census.replace(shelter, {CensusKind.LANGUAGE: {"ko": 9, "zh-Hans": 4, "ne": 12}})
    db.session.commit()
    assert posters.shelter_languages(shelter) == ["ne", "ko", "zh-Hans"]
    announcement_id = water_truck(client, operator_token)
    r = client.get(
        f"/api/v1/announcements/{announcement_id}/poster.pdf?shelter={shelter.id}&size=a3",
        headers=auth(operator_token),
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    text, path = pdf_text(r.data, tmp_path, "a3")
    read = letters(text)
    for lang in ("ne", "ko", "zh-Hans"):
        assert letters(expected(lang)) in read, lang
    assert letters(expected("en")) not in read  # not one of this shelter's languages
    assert "第一小学校" in text
    info = pdf_info(path)
    assert info["Pages"] == "1" and "(A3)" in info["Page size"], info
    screenshot(path, "poster-a3-shelter-census", dpi=50)


@slow
@needs_poppler
def test_only_texts_that_exist_are_printed_and_machine_text_is_marked(
    client: Any, operator_token: str, tmp_path: Path
) -> None:
    announcement_id = post(
        client,
        operator_token,
        text="避難訓練です。午前10時に体育館へ集まってください。",
        category="evacuation",
        severity="Extreme",
        urgency="Immediate",
        drill=True,
    )
    db.session.add(
        Translation(
            announcement_id=announcement_id,
            revision=1,
            lang="en",
            status="done",
            method="machine",
            reviewed=False,
            text="This is an evacuation drill. Please gather in the gym at 10 a.m.",
        )
    )
    db.session.commit()
    r = client.get(
        f"/api/v1/announcements/{announcement_id}/poster.pdf?langs=en,th",
        headers=auth(operator_token),
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    text, path = pdf_text(r.data, tmp_path, "drill")
    flat = squash(text)
    assert "Pleasegatherinthegymat10a.m." in flat
    assert "機械翻訳" in text and "machine translation" in text
    assert "not yet translated" in text and "ไทย" in text  # named, never a placeholder text
    assert "訓練" in text and "DRILL" in text
    assert "警戒レベル5" in flat
    png = screenshot(path, "poster-a4-drill-untranslated", dpi=50)
    assert hex_rgb(posters.palette()[5]) in colours(png)


@slow
@needs_poppler
def test_the_batch_prints_one_page_per_open_shelter_in_its_languages(
    client: Any, operator_token: str, tmp_path: Path
) -> None:
    north = accounts.create_shelter("北中学校", "Kita Chugakko", "七尾市北1")
    south = accounts.create_shelter("南公民館", "Minami Kominkan", "七尾市南2")
    closed = accounts.create_shelter("旧体育館", "Kyu Taiikukan", "七尾市東3")
    closed.is_open = False
    census.replace(north, {CensusKind.LANGUAGE: {"th": 3, "vi": 5}})
    census.replace(south, {CensusKind.LANGUAGE: {"my": 7}})
    db.session.commit()
    announcement_id = water_truck(client, operator_token)
    r = client.get(
        f"/api/v1/posters/shelters.pdf?announcement={announcement_id}",
        headers=auth(operator_token),
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    text, path = pdf_text(r.data, tmp_path, "batch")
    open_count = db.session.query(Shelter).filter(Shelter.is_open).count()
    assert pdf_info(path)["Pages"] == str(open_count) == "2"
    pages = [letters(page) for page in text.split("\f")]
    assert "北中学校" in pages[0] and letters(expected("th")) in pages[0]
    assert letters(expected("vi")) in pages[0] and letters(expected("my")) not in pages[0]
    assert "南公民館" in pages[1] and letters(expected("my")) in pages[1]
    assert "旧体育館" not in text
    screenshot(path, "poster-batch-page1", dpi=50)


@slow
@needs_poppler
def test_the_pointing_board_and_the_blank_card_pair_japanese_with_a_language(
    client: Any, operator_token: str, tmp_path: Path
) -> None:
    r = client.get("/api/v1/print/pointing-board.pdf?lang=ne", headers=auth(operator_token))
    assert r.status_code == 200, r.get_data(as_text=True)
    text, path = pdf_text(r.data, tmp_path, "board")
    read = letters(text)
    for phrase in ("トイレはどこですか。", "शौचालय कहाँ छ?", "मलाई पिउने पानी चाहियो।", "はい", "हो"):
        assert letters(phrase) in read, phrase
    assert "指さしボード" in text and "draft" in text
    screenshot(path, "pointing-board-ne", dpi=60)

    r = client.get("/api/v1/print/registration-card.pdf?lang=my", headers=auth(operator_token))
    assert r.status_code == 200, r.get_data(as_text=True)
    text, path = pdf_text(r.data, tmp_path, "card")
    assert "避難者登録カード" in text and "氏名" in text
    assert re.search("[\u1000-\u109f]{3}", text)  # Burmese labels came back as text
    screenshot(path, "registration-card-my", dpi=60)


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("langs=en,vi,ne,th,my,ko", 400, "too_many_languages"),
        ("langs=en,xx", 400, "unknown_language"),
        ("langs=fr", 400, "unknown_language"),  # in the registry, not a language of this center
        ("size=B5", 400, "invalid"),
        ("shelter=999", 404, "not_found"),
        ("shelter=abc", 400, "invalid"),
    ],
)
def test_bad_poster_requests_get_the_api_error_shape(
    client: Any, operator_token: str, query: str, status: int, code: str
) -> None:
    announcement_id = post(
        client, operator_token, text="本日15時に給水車が来ます。", category="food_water"
    )
    before = db.session.query(AuditLog).count()
    r = client.get(
        f"/api/v1/announcements/{announcement_id}/poster.pdf?{query}", headers=auth(operator_token)
    )
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.get_json()["error"]["code"] == code
    assert db.session.query(AuditLog).count() == before


def test_unknown_things_and_readers_are_refused(client: Any, operator_token: str) -> None:
    headers = auth(operator_token)
    assert client.get("/api/v1/announcements/4242/poster.pdf", headers=headers).status_code == 404
    r = client.get("/api/v1/posters/shelters.pdf?announcement=4242", headers=headers)
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    r = client.get("/api/v1/posters/shelters.pdf", headers=headers)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "announcement"
    for sheet in ("pointing-board", "registration-card"):
        for lang in ("xx", "ja", ""):
            r = client.get(f"/api/v1/print/{sheet}.pdf?lang={lang}", headers=headers)
            assert r.status_code == 400 and r.get_json()["error"]["field"] == "lang", lang
    accounts.create_user("rev", "reviewer", "reviewer-password")
    reviewer = auth(accounts.create_token("rev"))
    r = client.get("/api/v1/print/pointing-board.pdf?lang=ne", headers=reviewer)
    assert r.status_code == 403


def test_the_console_offers_posters_and_explains_bad_input(
    client: Any, operator_token: str
) -> None:
    announcement_id = post(
        client, operator_token, text="本日15時に給水車が来ます。", category="food_water"
    )
    accounts.create_user("op", "operator", "operator-password")
    client.post("/login", data={"username": "op", "password": "operator-password"})
    page = client.get(f"/announcements/{announcement_id}").get_data(as_text=True)
    assert f"/announcements/{announcement_id}/poster.pdf" in page and 'name="langs"' in page
    listing = client.get("/print?lang=en").get_data(as_text=True)
    assert "/print/pointing-board.pdf" in listing and "/posters/shelters.pdf" in listing
    r = client.get(
        f"/announcements/{announcement_id}/poster.pdf?"
        + "&".join(f"langs={c}" for c in ("en", "vi", "ne", "th", "my", "ko"))
    )
    assert r.status_code == 302
    shown = client.get(r.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "at most five languages" in shown
    r = client.get("/print/pointing-board.pdf?lang=xx")
    assert r.status_code == 302 and r.headers["Location"].endswith("/print")


def test_one_alert_level_mapping_serves_boards_and_posters(client: Any, app: Any) -> None:
    assert board_labels.level("Extreme", "Immediate") == 5
    assert board_labels.level("Extreme", "Expected") == 4
    assert board_labels.level("Severe", "Immediate") == 4
    assert board_labels.level("Severe", "Future") == 3
    assert board_labels.level("Moderate", "Immediate") == 2
    assert board_labels.level("Minor", "Immediate") == board_labels.level("Unknown", "") == 1
    board_js = (ROOT / "web" / "static" / "board.js").read_text()
    assert "cfg.levels" in board_js and '"Extreme"' not in board_js
    board = accounts.create_board(accounts.create_shelter("体育館").id, "TV")
    token = board_token(app.config["SECRET_KEY"], board.id, 1)
    page = client.get(f"/board/{board.id}?token={token}").get_data(as_text=True)
    config = json.loads(html.unescape(page.split('data-config="', 1)[1].split('"', 1)[0]))
    assert config["levels"] == {k: list(v) for k, v in board_labels.LEVELS.items()}


def test_the_pointing_board_is_complete_in_every_center_language() -> None:
    from translations.languages import CENTER_LANGUAGES

    data = printing.pointing_phrases()
    phrases = [p for g in data["groups"] for p in g["phrases"]]
    assert len(phrases) == 24 and data["status"] == "draft"
    for item in [*data["groups"], *phrases]:
        texts = item.get("text") or item["title"]
        assert sorted(texts) == sorted(CENTER_LANGUAGES), item
        assert all(str(t).strip() for t in texts.values()), item
    for row in [*data["answers"].values(), data["instruction"]]:
        assert sorted(row) == sorted(CENTER_LANGUAGES)
    named = {g["pictogram"] for g in data["groups"]} | {
        p["pictogram"] for p in phrases if "pictogram" in p
    }
    assert named <= {p.stem for p in PICTOGRAMS.glob("*.svg")}


def test_every_pictogram_is_our_own_titled_svg_without_text() -> None:
    from lxml import etree

    wanted = {"water", "food", "toilet", "medical", "shelter", "phone", "danger", "halal"}
    found = {p.stem for p in PICTOGRAMS.glob("*.svg")}
    assert wanted | {"vegetarian"} <= found
    svg = "{http://www.w3.org/2000/svg}"
    for path in PICTOGRAMS.glob("*.svg"):
        root = etree.parse(str(path)).getroot()
        assert root.tag == svg + "svg" and root.get("viewBox") == "0 0 100 100", path
        assert (root.findtext(svg + "title") or "").strip(), path
        assert root.find(f".//{svg}text") is None, path  # no words: it must read in any language


@needs_poppler
@slow
def test_a_phrasebook_sentence_prints_as_a_poster_before_any_announcement(
    client: Any, operator_token: str, tmp_path: Path
) -> None:
    water_truck(client, operator_token)  # the board's text of the same sentence, to compare
    slots = "&".join(f"slot.{k}={v}" for k, v in SLOTS.items())
    before = db.session.query(Announcement).count()
    r = client.get(
        f"/api/v1/print/phrasebook.pdf?template={WATER_TRUCK}&{slots}&langs=en,ne&severity=Severe",
        headers=auth(operator_token),
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    text, path = pdf_text(r.data, tmp_path, "phrasebook")
    read = letters(text)
    for lang in ("ja", "en", "ne"):
        assert letters(expected(lang)) in read, lang  # the same sentence the board would show
    assert "定型文" in text and "phrasebook sheet" in text
    assert db.session.query(Announcement).count() == before  # printing publishes nothing
    screenshot(path, "poster-phrasebook-sheet", dpi=60)


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("template=no.such", 404, "template"),
        (f"template={WATER_TRUCK}&slot.time=15:00", 400, "slot.place"),
        (f"template={WATER_TRUCK}&slot.place=x&slot.time=25:99", 400, "slot.time"),
        (f"template={WATER_TRUCK}&slot.place=x&slot.time=15:00&severity=Unknown", 400, "severity"),
        (f"template={WATER_TRUCK}&slot.place=x&slot.time=15:00&langs=en,xx", 400, "langs"),
    ],
)
def test_bad_phrasebook_sheets_are_refused_with_the_field(
    client: Any, operator_token: str, query: str, status: int, field: str
) -> None:
    r = client.get(f"/api/v1/print/phrasebook.pdf?{query}", headers=auth(operator_token))
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.get_json()["error"]["field"] == field


def test_the_console_picks_a_sentence_then_asks_for_its_values(
    client: Any, operator_token: str
) -> None:
    accounts.create_user("op", "operator", "operator-password")
    client.post("/login", data={"username": "op", "password": "operator-password"})
    page = client.get(f"/print?lang=en&template={WATER_TRUCK}").get_data(as_text=True)
    assert 'name="slot.place"' in page and 'name="slot.time"' in page
    assert "/print/phrasebook.pdf" in page
    r = client.get(f"/print/phrasebook.pdf?template={WATER_TRUCK}&slot.time=15:00")
    assert r.status_code == 302 and "template=" in r.headers["Location"]
    shown = client.get(r.headers["Location"] + "&lang=en").get_data(as_text=True)
    assert "A value of the sentence is missing or wrong" in shown
