"""A round team on a phone: two rounds with needs, one kept offline and sent on reconnect.

Chromium at a phone's size (390×844) against a live center (web and worker processes).
The offline round must reach the center exactly once, even when the phone sends it again.
The announcement published from a need then shows on that shelter's board, and not on
another shelter's board that demonstrably received later news.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.core.security import board_token
from server.models import Announcement
from server.people import accounts
from server.shelters.models import Need, Round

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.slow

WAIT_MS = 15_000
OUTBOX = "tagengo.rounds.outbox"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def expect(target: Any) -> Any:
    """Playwright's auto-waiting assertions, imported late so a missing package only skips."""
    from playwright.sync_api import expect as pw_expect

    return pw_expect(target)


@pytest.fixture
def phone(browser: Any) -> Iterator[tuple[BrowserContext, Page]]:
    """A phone-sized page of its own; an uncaught script error fails the test."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield context, tab
    context.close()
    assert not errors, f"rounds.js raised: {errors}"


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"rounds-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def counts(center: Any) -> tuple[int, int]:
    """Rounds and needs in the center's database, read afresh."""
    with center.app.app_context():
        db.session.remove()
        return (
            db.session.scalar(select(func.count(Round.id))) or 0,
            db.session.scalar(select(func.count(Need.id))) or 0,
        )


def fill_round(page: Page, total: str, vi: str, need_category: str, note: str) -> None:
    """Fill the sheet the way a round team does, with one need."""
    page.fill("[name=visit_date]", "2026-12-03")
    page.fill("[name=visit_time]", "10:15")
    page.fill("[name=visitors]", "情報班 2名")
    page.fill("[name=total_evacuees]", total)
    page.fill("[name=foreign_evacuees]", vi)
    page.fill("[name='foreign_by_language.vi']", vi)
    page.check("input[name=interpreter_needed][value=yes]")
    page.check("input[name=diet_needs][value=halal]")
    page.check("input[name=medical_needs][value=no]")
    page.check("input[name=multilingual_notices_posted][value=no]")
    page.select_option("[name=need-0-category]", need_category)
    page.select_option("[name=need-0-lang]", "vi")
    page.select_option("[name=need-0-urgency]", "high")
    page.fill("[name=need-0-count]", vi)
    page.fill("[name=need-0-note]", note)


def open_board(browser: Browser, center: Any, shelter_id: int) -> Page:
    """Give a shelter a board and open it on a TV-sized page until it is live."""
    with center.app.app_context():
        board = accounts.create_board(shelter_id, "体育館 TV")
        token = board_token(center.app.config["SECRET_KEY"], board.id, board.token_version)
    tv = browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="ja-JP", timezone_id="Asia/Tokyo"
    ).new_page()
    tv.goto(f"{center.url}/board/{board.id}?token={token}")
    tv.wait_for_function(
        "() => document.querySelector('#conn').classList.contains('live')", timeout=WAIT_MS
    )
    return tv


def on_board(tv: Page, announcement_id: int, lang: str = "ja") -> str | None:
    """The text of one language of an announcement as the board holds it, or None."""
    return tv.evaluate(  # type: ignore[no-any-return]
        """([id, lang]) => {
          const a = window.tagengoBoard.state[id];
          return a && a.langs[lang] && a.langs[lang].status === 'done' ? a.langs[lang].text : null;
        }""",
        [announcement_id, lang],
    )


def test_a_round_kept_offline_is_sent_on_reconnect_and_recorded_once(
    browser: Browser, center: Any, phone: tuple[BrowserContext, Page]
) -> None:
    context, page = phone
    with center.app.app_context():
        accounts.create_user("round-team", "operator", "round-team-password")
        shelter_id = accounts.create_shelter("第三小学校", "Daisan Shogakko").id
        other_id = accounts.create_shelter("市民会館", "Shimin Kaikan").id
    page.goto(center.url + "/login")
    page.fill("[name=username]", "round-team")
    page.fill("[name=password]", "round-team-password")
    page.press("[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/$"))

    # First round, online: recorded at once, its page shows the need.
    page.goto(f"{center.url}/rounds/new?shelter={shelter_id}")
    expect(page.locator("h1")).to_have_text("避難所巡回シート")
    shoot(page, "sheet")
    fill_round(page, "120", "8", "food_water", "給水の時間が分からない")
    page.click("button[type=submit].big")
    expect(page.locator("#round-saved")).to_be_visible(timeout=WAIT_MS)
    assert counts(center) == (1, 1)

    # Second round: the network is gone when the team taps "record".
    page.goto(f"{center.url}/rounds/new?shelter={shelter_id}")
    fill_round(page, "125", "9", "medical", "薬が足りない")
    context.set_offline(True)
    page.click("button[type=submit].big")
    box = page.locator("#round-outbox")
    expect(box).to_contain_text("1件", timeout=WAIT_MS)
    kept = page.evaluate(f"localStorage.getItem('{OUTBOX}')")
    shoot(page, "kept-offline")
    assert counts(center) == (1, 1)

    # The network is back: the kept round is sent by itself.
    context.set_offline(False)
    expect(box).to_contain_text("送信しました", timeout=WAIT_MS)
    assert page.evaluate(f"localStorage.getItem('{OUTBOX}')") == "[]"
    assert counts(center) == (2, 2)
    shoot(page, "sent-on-reconnect")

    # The phone sends the same round again (a retry after a lost answer): still once.
    page.evaluate(f"localStorage.setItem('{OUTBOX}', {kept!r})")
    page.reload()
    expect(box).to_contain_text("送信しました", timeout=WAIT_MS)
    assert counts(center) == (2, 2)

    with center.app.app_context():
        db.session.remove()
        rounds = db.session.scalars(select(Round).order_by(Round.id)).all()
        assert [r.answers["total_evacuees"] for r in rounds] == [120, 125]
        assert sorted(n.category for n in db.session.scalars(select(Need))) == [
            "food_water",
            "medical",
        ]

    page.goto(center.url + "/needs")
    expect(page.locator("tr[data-need]")).to_have_count(4)  # two needs, by shelter and by language
    shoot(page, "needs-board")
    page.goto(f"{center.url}/shelters/{shelter_id}")
    expect(page.locator("#headcount")).to_have_text("125")
    shoot(page, "shelter")

    # At the desk (a wide screen): the food-and-water need, a suggested sentence, one click
    # to the composer aimed at that shelter, published and linked to the need.
    page.set_viewport_size({"width": 1280, "height": 900})
    with center.app.app_context():
        db.session.remove()
        need_id = db.session.scalar(select(Need.id).where(Need.category == "food_water"))
    page.goto(f"{center.url}/needs/{need_id}")
    shoot(page, "need")
    page.locator("a.button.primary", has_text="この避難所に知らせる").first.click()
    expect(page.locator(f"input[name=shelter_ids][value='{shelter_id}']")).to_be_checked()
    expect(page.locator("input[name=target][value=chosen]")).to_be_checked()
    # The composer names the need's shelter in the place slot by itself.
    expect(page.locator("input[name=slot_place]")).to_have_value("第三小学校")
    for slot in page.locator("input[name^=slot_]").all():
        kind = slot.get_attribute("type")
        if not slot.input_value():
            slot.fill("15:00" if kind == "time" else "2026-12-04" if kind == "date" else "1")
    shoot(page, "compose-from-need")
    page.click("button[value=publish]")
    page.wait_for_url(re.compile(r"/announcements/\d+$"))
    with center.app.app_context():
        db.session.remove()
        need = db.session.get(Need, need_id)
        assert need is not None and need.announcement_id is not None
        announcement = db.session.get(Announcement, need.announcement_id)
        assert announcement is not None and announcement.shelter_ids == [shelter_id]
        assert not announcement.target_all and need.status == "in_progress"

    # Its board shows it (the English names the shelter in romaji, the Japanese kept); the
    # other shelter's board never gets it, though it gets news posted after it.
    mine, other = open_board(browser, center, shelter_id), open_board(browser, center, other_id)
    try:
        expect(mine.locator("#announcements")).to_contain_text("第三小学校", timeout=WAIT_MS)
        mine.wait_for_function(
            "id => { const a = window.tagengoBoard.state[id];"
            " return a && a.langs.en && a.langs.en.status === 'done'; }",
            arg=announcement.id,
            timeout=WAIT_MS,
        )
        assert "Daisan Shogakko (第三小学校)" in (on_board(mine, announcement.id, "en") or "")
        with center.app.app_context():
            token = accounts.create_token("round-team")
        r = center.api(
            "POST",
            "/api/v1/announcements",
            token,
            json={"text": "本日18時から全避難所で夕食を配ります。", "category": "food_water"},
        )
        assert r.status_code == 201, r.text
        everywhere = int(r.json()["id"])
        other.wait_for_function(
            "id => !!window.tagengoBoard.state[id]", arg=everywhere, timeout=WAIT_MS
        )
        mine.wait_for_function(
            "id => !!window.tagengoBoard.state[id]", arg=everywhere, timeout=WAIT_MS
        )
        assert on_board(other, announcement.id) is None
        assert other.evaluate("id => !(id in window.tagengoBoard.state)", announcement.id), (
            "the other shelter's board holds the announcement"
        )
        expect(other.locator("#announcements")).not_to_contain_text("第三小学校")
        for name, tv in (("board-that-shelter", mine), ("board-other-shelter", other)):
            tv.screenshot(path=str(ARTIFACTS / f"rounds-{name}.png"))
    finally:
        mine.context.close()
        other.context.close()
