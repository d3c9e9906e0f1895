"""A municipality's .docx request, end to end, in three browser sessions on a live center.

The requester sends a Word file; a remote translator (invited by link, in a second session)
claims it, starts from the machine's pre-fill (a tiny real ja→en model run by the worker's
drain) and sends it for checking; a reviewer approves it; the requester downloads a .docx.
Meanwhile an interpreter is dispatched, a clashing second dispatch is refused, and a request
past its deadline turns up as overdue on a queue page that is never reloaded.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from server.core.extensions import db
from server.models import MemoryEntry, utcnow
from server.people import accounts
from server.requests import documents
from server.requests import service as requests
from server.requests.models import RequestPiece, TranslationRequest
from server.roster import service as roster
from translations.mt import install
from translations.mt.tiny import build_tiny_package

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow

WAIT_MS = 20_000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as pw_expect

    return pw_expect(target)


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("document.fonts.ready.then(() => true)")  # CJK subsets load on demand
    path = ARTIFACTS / f"requests-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def word_file() -> bytes:
    """A .docx shaped as Word writes it: runs split inside a paragraph, proofing marks."""
    body = (
        '<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>避難所で</w:t></w:r><w:proofErr w:type="spellStart"/>'
        "<w:r><w:t>水を配ります。</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>毛布もあります。</w:t></w:r></w:p>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        skeleton = zipfile.ZipFile(io.BytesIO(documents.write_docx("x", "ja")))
        for name in ("[Content_Types].xml", "_rels/.rels"):
            archive.writestr(name, skeleton.read(name))
        archive.writestr(
            documents.DOCUMENT,
            f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}'
            "<w:sectPr/></w:body></w:document>",
        )
    return out.getvalue()


@pytest.fixture
def sessions(browser: Browser) -> Iterator[dict[str, Page]]:
    """Three people, each in a browser session (cookies) of their own."""
    pages: dict[str, Page] = {}
    contexts = []
    errors: list[str] = []
    for who in ("city", "desk", "remote"):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900},
            locale="ja-JP",
            timezone_id="Asia/Tokyo",
            accept_downloads=True,
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        pages[who] = page
    yield pages
    for context in contexts:
        context.close()
    assert not errors, f"a page script raised: {errors}"


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("[name=username]", username)
    page.fill("[name=password]", password)
    page.press("[name=password]", "Enter")
    page.wait_for_load_state()


def local_input(hours: float) -> str:
    from server.core.clock import center_tz

    return (utcnow() + timedelta(hours=hours)).astimezone(center_tz()).strftime("%Y-%m-%dT%H:%M")


def wait_for_prefill(center: Any, timeout: float = 30) -> RequestPiece:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with center.app.app_context():
            db.session.remove()
            piece = db.session.scalar(select(RequestPiece).order_by(RequestPiece.id))
            if piece is not None and piece.machine_method is not None:
                db.session.expunge(piece)
                return piece
        time.sleep(0.2)
    raise AssertionError("the machine pre-fill never arrived")


def test_a_docx_request_is_claimed_remotely_prefilled_checked_and_delivered(
    center: Any, sessions: dict[str, Page], tmp_path: Path
) -> None:
    base = center.url
    with center.app.app_context():
        install(
            build_tiny_package(tmp_path, "ja", "en", {"水": "water", "毛布": "blankets"}),
            Path(center.app.config["ARGOS_PACKAGES_DIR"]),
        )
        accounts.create_user("city", "requester", "city-password-1")
        accounts.create_user("boss", "admin", "boss-password-1")
        accounts.create_user("rev", "reviewer", "rev-password-1")
        maya = roster.create_person(
            roster.parse_person(
                {"name": "Maya Gurung", "kind": "interpreter", "languages": "ne:native,ja:fluent"}
            )
        )
        roster.add_shift(maya, utcnow(), utcnow() + timedelta(days=3))
        maya_id = maya.id
    city, desk, remote = sessions["city"], sessions["desk"], sessions["remote"]

    # The desk watches the queue; it is never reloaded below.
    sign_in(desk, base, "boss", "boss-password-1")
    desk.goto(base + "/requests/queue")
    expect(desk.locator("#socket-state")).to_have_text("● live", timeout=WAIT_MS)
    expect(desk.locator("tr[data-piece]")).to_have_count(0)

    # The requester sends a Word file into English.
    sign_in(city, base, "city", "city-password-1")
    expect(city).to_have_url(re.compile(r"/requests/mine$"))
    city.goto(base + "/requests/new")
    city.fill("[name=title]", "給水と毛布のお知らせ")
    city.fill("[name=purpose]", "市のウェブサイト")
    city.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "kyusui.docx",
                "mimeType": "application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document",
                "buffer": word_file(),
            }
        ],
    )
    city.check("input[name=targets][value=en]")
    shoot(city, "new")
    city.click("#request-form button[type=submit]")
    expect(city.locator("#source-text")).to_have_text("避難所で水を配ります。\n毛布もあります。")
    expect(city.locator("#piece-en")).to_contain_text("待機中")
    shoot(city, "sent")

    # It appears on the desk's queue at once, without a reload.
    expect(desk.locator("tr[data-piece]")).to_have_count(1, timeout=WAIT_MS)
    expect(desk.locator("tr[data-piece]")).to_contain_text("給水と毛布のお知らせ")
    shoot(desk, "queue-live")

    # Interpreters: the requester asks twice for overlapping times.
    for place, begin, end in (("第一小学校", 30, 32), ("市民センター", 31, 33)):
        city.goto(base + "/requests/interpreter/new")
        city.select_option("[name=lang]", "ne")
        city.fill("[name=place]", place)
        city.fill("[name=starts_at]", local_input(begin))
        city.fill("[name=ends_at]", local_input(end))
        city.click("#interpreter-form button[type=submit]")
        expect(city.locator(".flash.ok")).to_be_visible()
    desk.goto(base + "/interpreting")
    cards = desk.locator("section[data-interpreter]")
    expect(cards).to_have_count(2)
    cards.nth(0).locator("select[name=person_id]").select_option(str(maya_id))
    cards.nth(0).locator("button[type=submit]").click()
    expect(desk.locator(".flash.ok")).to_contain_text("派遣しました")
    expect(cards.nth(0).locator(".log")).to_contain_text("Maya Gurung")
    cards.nth(1).locator("select[name=person_id]").select_option(str(maya_id))
    cards.nth(1).locator("button[type=submit]").click()
    expect(desk.locator(".flash.error")).to_contain_text("重複")
    expect(cards.nth(1).locator(".log")).to_contain_text("まだ派遣していません")
    shoot(desk, "interpreting-clash")

    # The admin invites a remote translator of another association (広域支援).
    desk.goto(base + "/requests/invites")
    desk.fill("[name=organisation]", "福岡県国際交流センター")
    desk.check("input[name=languages][value=en]")
    desk.click("form.card button[type=submit]")
    link = desk.locator("#invite-link").input_value()
    assert "/invite/" in link

    remote.goto(link.replace(center.app.config["PUBLIC_URL"], base))
    expect(remote.locator("body")).to_contain_text("福岡県国際交流センター")
    remote.fill("[name=username]", "fukuoka-en")
    remote.fill("[name=password]", "remote-password-1")
    remote.click("#invite-form button[type=submit]")
    expect(remote).to_have_url(re.compile(r"/requests/queue$"))
    assert remote.goto(base + "/inquiries").status == 403  # no inquiries, no personal data
    assert remote.goto(base + "/roster").status == 403
    remote.goto(base + "/requests/queue")
    expect(remote.locator("nav")).not_to_contain_text("相談")

    # The machine's pre-fill arrives (the worker's drain, the tiny ja→en model).
    prefilled = wait_for_prefill(center)
    assert prefilled.machine_method == "machine" and "water" in (prefilled.machine_text or "")
    remote.locator("tr[data-piece] a.button").click()
    expect(remote.locator("#machine-text")).to_contain_text("water")
    expect(remote.locator("#glossary")).to_contain_text("避難所")
    remote.click("#claim")
    expect(remote.locator(".flash.ok")).to_be_visible()
    editor = remote.locator("#translation")
    assert "water" in editor.input_value()  # the editor starts from the machine's text
    shoot(remote, "work-prefilled")
    editor.fill("Water is handed out at the shelter.\nThere are blankets too.")
    remote.click("#submit")
    expect(remote.locator("#piece-status")).to_have_text("チェック中")

    # A reviewer checks it and delivers it.
    desk.click("header form.inline button[type=submit]")  # sign out the admin
    sign_in(desk, base, "rev", "rev-password-1")
    desk.goto(f"{base}/requests/pieces/{prefilled.id}")
    expect(desk.locator("#check textarea")).to_have_value(
        "Water is handed out at the shelter.\nThere are blankets too."
    )
    shoot(desk, "check")
    desk.click("#approve")
    expect(desk.locator("#piece-status")).to_have_text("納品済み")

    # The requester reads it and downloads a Word file.
    city.goto(base + "/requests/mine")
    city.locator("tr[data-request] a").first.click()
    expect(city.locator("#piece-en pre.delivered")).to_contain_text("There are blankets too.")
    shoot(city, "delivered")
    with city.expect_download() as download:
        city.click("#piece-en a.download[href$='.docx']")
    data = Path(download.value.path()).read_bytes()
    assert documents.read_docx(data, 1_000_000) == (
        "Water is handed out at the shelter.\nThere are blankets too."
    )
    with center.app.app_context():
        db.session.remove()
        remembered = {e.source_text: e.target_text for e in db.session.scalars(select(MemoryEntry))}
        assert remembered["毛布もあります。"] == "There are blankets too."

    # A request that runs past its deadline shows as overdue on a page nobody reloads.
    desk.goto(base + "/requests/queue")
    expect(desk.locator("#socket-state")).to_have_text("● live", timeout=WAIT_MS)
    with center.app.app_context():
        city_user = accounts.create_user("town", "requester", "town-password-1")[0]
        fields = requests.parse_request({"text": "断水のお知らせ", "targets": ["vi"]})
        late = requests.create(fields, city_user)
        expect(desk.locator("tr[data-piece]")).to_have_count(1, timeout=WAIT_MS)
        expect(desk.locator("tr.overdue")).to_have_count(0)
        db.session.get(TranslationRequest, late.id).deadline = utcnow() - timedelta(minutes=5)
        db.session.commit()
        assert requests.tick() == (0, 1)  # the beat task's run, here by hand
    expect(desk.locator("tr.overdue")).to_have_count(1, timeout=WAIT_MS)
    expect(desk.locator("tr.overdue")).to_contain_text("期限切れ")
    shoot(desk, "queue-overdue")
