"""The shelter board in a real Chromium: live state, every language, safe text, catch-up."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from server.announcements import drafts
from server.announcements import service as announcements
from server.core import embedded
from server.core.security import board_token
from server.people import accounts
from translations import phrasebook

if TYPE_CHECKING:
    from playwright.sync_api import Dialog, Locator, Page

pytestmark = pytest.mark.slow

WAIT_MS = 20_000  # a worker translating through the phrasebook answers well within this
LIVE = re.compile(r"\blive\b")
RECONNECTING = re.compile(r"\breconnecting\b")


@dataclass(frozen=True)
class Site:
    """An operator token and the link a shelter TV opens."""

    token: str
    board_url: str


@pytest.fixture(scope="module")
def site(browser: Any, center: Any) -> Site:
    """An operator, a shelter and its board (the browser comes first so a skip starts nothing)."""
    with center.app.app_context():
        accounts.create_user("desk-browser", "operator", "operator-password")
        token = accounts.create_token("desk-browser")
        shelter = accounts.create_shelter("第二中学校", "Daini Chugakko")
        board = accounts.create_board(shelter.id, "体育館 TV")
        link = board_token(center.app.config["SECRET_KEY"], board.id, board.token_version)
        # A long dwell: these tests watch one announcement, the page must not turn under them.
        return Site(token, f"{center.url}/board/{board.id}?token={link}&dwell=600-600")


def expect(target: Locator) -> Any:
    """Playwright's auto-waiting assertions, imported late so a missing package only skips."""
    from playwright.sync_api import expect as pw_expect

    return pw_expect(target)


def open_live(page: Page, site: Site) -> None:
    """Open the board and wait until its socket is live."""
    page.goto(site.board_url)
    conn = page.locator("#conn")
    expect(conn).to_have_class(LIVE, timeout=WAIT_MS)
    expect(conn).to_have_text("受信中 Live")


def card(page: Page, announcement_id: int) -> Locator:
    """The card of one announcement."""
    return page.locator(f'article.card[data-announcement="{announcement_id}"]')


def text_of(page: Page, announcement_id: int, lang: str) -> Locator:
    """The text paragraph of one language block of one announcement."""
    return card(page, announcement_id).locator(f'div.lang[lang="{lang}"] > p.text')


def post(center: Any, site: Site, **body: Any) -> int:
    """Post an announcement through the HTTP API; return its id."""
    r = center.api("POST", "/api/v1/announcements", site.token, json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_board_shows_each_language_that_has_a_text(
    page: Page, site: Site, center: Any, screenshot: Callable[[str], Path]
) -> None:
    open_live(page, site)
    screenshot("live")

    text = "本日15時から体育館の入口で毛布を配ります。"
    easy = "きょう 15時から 体育館の 入口で 毛布を 配ります。"
    free = post(center, site, text=text, easy_text=easy, category="supplies")
    expect(text_of(page, free, "ja")).to_have_text(text, timeout=WAIT_MS)
    expect(text_of(page, free, "ja-x-easy")).to_have_text(easy, timeout=WAIT_MS)
    # No MT model is installed in the test center: the other languages wait on one line.
    blocks = card(page, free).locator("div.lang")
    assert sorted(blocks.evaluate_all("els => els.map(e => e.lang)")) == ["ja", "ja-x-easy"]
    expect(card(page, free).locator("p.waiting")).to_contain_text("翻訳待ち")

    template = phrasebook.load()["shelter.quiet_hours"]
    slots = {"time": "21:00"}
    vetted = post(center, site, template_id=template.id, slots=slots)
    config = page.evaluate("JSON.parse(document.body.dataset.config)")
    codes = [lang["code"] for lang in config["languages"]]
    assert set(codes) <= set(template.text), "the template should cover every board language"
    for code in codes:
        expect(text_of(page, vetted, code)).to_have_text(
            template.render(code, slots), timeout=WAIT_MS
        )
        if code != config["sourceLang"]:
            badge = "確認済み · vetted" if template.reviewed(code) else "下書き · draft"
            block = card(page, vetted).locator(f'div.lang[lang="{code}"]')
            expect(block.locator(".badge")).to_have_text(badge)
    screenshot("languages")


def test_markup_in_a_text_shows_as_text(
    page: Page, site: Site, center: Any, screenshot: Callable[[str], Path]
) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()  # an open dialog would block the page

    page.on("dialog", on_dialog)
    open_live(page, site)

    text = (
        '<script>window.tagengoPwned = "script"</script>'
        '<img src="x" onerror="window.tagengoPwned = \'img\'; alert(1)"> 給水所が開きました。'
    )
    easy = "<b>みず</b>が <img src=x onerror=alert(2)> もらえます。"
    aid = post(center, site, text=text, easy_text=easy, category="food_water")
    expect(text_of(page, aid, "ja")).to_have_count(1, timeout=WAIT_MS)
    expect(text_of(page, aid, "ja-x-easy")).to_have_count(1, timeout=WAIT_MS)
    assert text_of(page, aid, "ja").text_content() == text
    assert text_of(page, aid, "ja-x-easy").text_content() == easy
    assert page.locator("#announcements script, #announcements img, #announcements b").count() == 0
    assert page.evaluate("window.tagengoPwned") is None
    assert dialogs == []
    screenshot("escaped")


def kill_web(center: Any) -> None:
    """Kill the web process outright, as a power cut would."""
    proc = center.stack.procs["web"]
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)


def restart_web(center: Any) -> None:
    """Start the web process again on the same port and wait until it is healthy."""
    proc = center.stack.start("web", embedded.web_argv(), center.env, center.logs / "web.log")
    embedded.wait_for_health(center.url, 60, proc)


def test_board_reconnects_and_catches_up(
    page: Page, site: Site, center: Any, screenshot: Callable[[str], Path]
) -> None:
    open_live(page, site)
    conn = page.locator("#conn")
    text = "停電のため、今夜は体育館の照明を22時に消します。"
    easy = "電気が ありません。 今夜 22時に 体育館の 電気を 消します。"
    kill_web(center)
    try:
        expect(conn).to_have_class(RECONNECTING, timeout=WAIT_MS)
        expect(conn).to_have_text("再接続中… Reconnecting…")
        # Posted with no web process up: committed, pushed into Redis and handed to Celery,
        # so the board can only learn of it from the feed once the web process is back.
        with center.app.app_context():
            draft = drafts.parse_draft({"text": text, "easy_text": easy, "category": "lifelines"})
            aid = announcements.create(draft, None).id
        expect(card(page, aid)).to_have_count(0)
        screenshot("reconnecting")
    finally:
        if center.stack.procs["web"].poll() is not None:
            restart_web(center)
    expect(conn).to_have_class(LIVE, timeout=WAIT_MS)
    expect(text_of(page, aid, "ja")).to_have_text(text, timeout=WAIT_MS)
    expect(text_of(page, aid, "ja-x-easy")).to_have_text(easy, timeout=WAIT_MS)
    screenshot("caught-up")


def test_a_language_that_overtakes_its_announcement_is_kept(
    page: Page, site: Site, center: Any, screenshot: Callable[[str], Path]
) -> None:
    """A board that connects while a language changes: the language arrives live before the
    feed brings its announcement (seen once in CI). It must show when the announcement does."""
    from sqlalchemy import select

    from server.core.extensions import db
    from server.models import Translation

    template = phrasebook.load()["shelter.quiet_hours"]
    aid = post(center, site, template_id=template.id, slots={"time": "22:00"})
    with center.app.app_context():
        accounts.create_user("board-reviewer", "reviewer", "reviewer-password")
        reviewer = accounts.create_token("board-reviewer")
    done = None
    for _ in range(200):  # the worker stores the phrasebook's English
        with center.app.app_context():
            db.session.remove()
            done = db.session.scalar(
                select(Translation.id).where(
                    Translation.announcement_id == aid,
                    Translation.lang == "en",
                    Translation.status == "done",
                )
            )
        if done is not None:
            break
        page.wait_for_timeout(100)
    assert done is not None, "the worker never stored the English"
    held: list[Any] = []
    page.route("**/api/v1/boards/*/feed*", lambda route: held.append(route))  # it waits
    open_live(page, site)
    page.wait_for_timeout(200)
    assert len(held) == 1 and "since=0" in held[0].request.url
    english = "Quiet hours start at 22:00 tonight (corrected by the desk)."
    r = center.api(
        "POST",
        f"/api/v1/translations/{done}/review",
        reviewer,
        json={"action": "correct", "text": english},
    )
    assert r.status_code == 200, r.text
    # The correction is on the board before the announcement it belongs to.
    page.wait_for_function(
        "seq => window.tagengoBoard.lastSeq() >= seq", arg=r.json()["event_seq"], timeout=WAIT_MS
    )
    assert page.evaluate(f"!window.tagengoBoard.state[{aid}]")
    held[0].continue_()
    page.unroute("**/api/v1/boards/*/feed*")
    expect(text_of(page, aid, "ja")).to_have_text(template.render("ja", {"time": "22:00"}))
    expect(text_of(page, aid, "en")).to_have_text(english, timeout=WAIT_MS)
    screenshot("language-before-announcement")
