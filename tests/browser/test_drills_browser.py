"""A whole drill as its people see it, in four browser sessions on a live center with beat.

A director starts the bundled typhoon scenario; an operator answers the incoming news from
the console home; an evaluator rates two injects and downloads the after-action report; the
director resets the drill. A real shelter TV, open on its normal link all along, shows the
real announcement posted during the drill and never the drill's.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from server.core import database, embedded
from server.core.extensions import db
from server.core.security import board_token
from server.people import accounts
from tests.browser.test_board_paging import AXE, run_axe
from tests.conftest import LiveCenter

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.slow

WAIT_MS = 30_000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESK = {"width": 1440, "height": 900}
TABLET = {"width": 1024, "height": 768}
PASSWORD = "a-long-password"
# ×60: the typhoon's three hours take three minutes, so the run is still going (and its news
# still incoming) while the operator answers it on a loaded machine.
SPEED = "60"
# Every card the board ever draws, recorded before its own script runs.
WATCH_CARDS = """
window.__cards = new Set();
new MutationObserver(() => document.querySelectorAll('article.card[data-announcement]')
  .forEach(c => window.__cards.add(Number(c.dataset.announcement))))
  .observe(document, {childList: true, subtree: true});
"""


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as pw_expect

    return pw_expect(target)


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("document.fonts.ready.then(() => true)")  # CJK subsets load on demand
    path = ARTIFACTS / f"drill-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


@dataclass
class Site:
    live: LiveCenter
    director_token: str
    operator_token: str
    board_url: str


@pytest.fixture(scope="module")
def site(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, redis_url: str
) -> Iterator[Site]:
    """A live center whose beat ticks drills every second, its people and a real board."""
    base = tmp_path_factory.mktemp("drill-browser")
    db_url = f"sqlite:///{base / 'tagengo.db'}"
    database.upgrade(db_url)
    live = LiveCenter(base, db_url, redis_url)
    live.env["TAGENGO_DRILL_TICK_SECONDS"] = "1"
    live.start()
    (base / "beat").mkdir()
    live.stack.start("beat", embedded.beat_argv(base / "beat"), live.env, live.logs / "beat.log")
    try:
        with live.app.app_context():
            accounts.create_user("boss", "director", PASSWORD)
            accounts.create_user("desk", "operator", PASSWORD)
            accounts.create_user("eva", "evaluator", PASSWORD)
            shelter = accounts.create_shelter("第二中学校", "Daini Chugakko")
            board = accounts.create_board(shelter.id, "体育館 TV")
            link = board_token(live.app.config["SECRET_KEY"], board.id, board.token_version)
            board_url = f"{live.url}/board/{board.id}?token={link}"
            tokens = accounts.create_token("boss"), accounts.create_token("desk")
        yield Site(live, *tokens, board_url)
    finally:
        live.stack.stop()
        with live.app.app_context():
            db.engine.dispose()


@pytest.fixture
def contexts(browser: Browser) -> Iterator[dict[str, BrowserContext]]:
    """One browser session (cookies) per person; axe may be injected on the console pages."""
    made: dict[str, BrowserContext] = {}
    errors: list[str] = []
    for who in ("director", "operator", "evaluator", "board"):
        context = browser.new_context(
            viewport=DESK if who != "board" else {"width": 1280, "height": 720},
            locale="ja-JP",
            timezone_id="Asia/Tokyo",
            accept_downloads=True,
            bypass_csp=who != "board",
        )
        context.on("page", lambda p: p.on("pageerror", lambda exc: errors.append(str(exc))))
        made[who] = context
    yield made
    for context in made.values():
        context.close()
    assert not errors, f"a page script raised: {errors}"


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.press("[name=password]", "Enter")
    page.wait_for_load_state()


def wait_released(site: Site, drill_id: int, keys: tuple[str, ...]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = site.live.api("GET", f"/api/v1/drills/{drill_id}", site.director_token).json()
        done = {i["key"] for i in state["injects"] if i["status"] == "released"}
        if set(keys) <= done:
            return
        time.sleep(0.5)
    raise AssertionError(f"{keys} not released: {state}; logs in {site.live.logs}")


def assert_axe_clean(page: Page, where: str) -> None:
    found = run_axe(page)
    assert not found, (where, found)


def test_a_drill_from_start_to_reset(site: Site, contexts: dict[str, BrowserContext]) -> None:
    base = site.live.url
    axe = Path(AXE).exists()
    # A real shelter TV on its normal link, open from before the drill to after its reset.
    tv = contexts["board"].new_page()
    tv.add_init_script(WATCH_CARDS)
    tv.goto(site.board_url)
    tv.wait_for_function(
        "() => document.querySelector('#conn').classList.contains('live')", timeout=WAIT_MS
    )

    # The director starts the typhoon scenario from 訓練 / Drills.
    boss = contexts["director"].new_page()
    sign_in(boss, base, "boss")
    boss.click("header nav a[href='/drills']")
    row = boss.locator("tr", has=boss.locator("input[name=scenario][value=typhoon_levels]"))
    row.locator("select[name=speed]").select_option(SPEED)
    row.locator("button[type=submit]").click()
    boss.wait_for_url(re.compile(r"/drills/\d+$"))
    drill_id = int(boss.url.rsplit("/", 1)[1])
    expect(boss.locator("#drill-injects tr[data-key=ty01]")).to_be_visible()
    # ty02 is due 15 s in, so the page is normally drawn offering to fire it. When it is
    # released the page swaps its rows in place: the button goes, and nothing reloads the page.
    ty02 = boss.locator("tr[data-key=ty02]")
    fire = ty02.locator("form[action$='/ty02/fire']")
    drawn_scheduled = ty02.get_attribute("data-status") == "scheduled"
    if drawn_scheduled:  # not on a machine so slow that 15 s passed before the page was drawn
        expect(fire).to_have_count(1)
    boss.evaluate("window.__drawnOnce = true")
    wait_released(site, drill_id, ("ty01", "ty02"))
    expect(ty02.locator("[data-cell=released]")).not_to_be_empty(timeout=WAIT_MS)
    expect(fire).to_have_count(0, timeout=WAIT_MS)
    expect(boss.locator("tr[data-key=ty01] [data-cell=status]")).to_have_text("発出済み")
    assert boss.evaluate("window.__drawnOnce === true"), "the run page reloaded itself"
    shoot(boss, "run-desk")
    if axe:
        assert_axe_clean(boss, "run page")
    boss.set_viewport_size(TABLET)
    shoot(boss, "run-tablet")
    overflow = boss.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the run page scrolls sideways on a tablet by {overflow}px"
    boss.set_viewport_size(DESK)

    # Real work goes on during the drill.
    r = site.live.api(
        "POST",
        "/api/v1/announcements",
        site.operator_token,
        json={"text": "本物のお知らせ: 給水は15時から校庭で。", "category": "food_water"},
    )
    assert r.status_code == 201, r.text
    real_id = int(r.json()["id"])

    # The operator answers the typhoon news from the console home.
    desk = contexts["operator"].new_page()
    sign_in(desk, base, "desk")
    desk.goto(base + "/")
    news = desk.locator(".drill-news li", has=desk.locator("code", has_text="weather.typhoon"))
    expect(news).to_be_visible()
    news.locator("a.button").click()
    expect(desk.locator("input[name=template_id]")).to_have_value("weather.typhoon_approaching")
    expect(desk.locator("input[name=drill]")).to_be_checked()
    expect(desk.locator("input[name=drill_inject_id]")).to_have_count(1)
    expect(desk.locator("input[name=slot_date]")).to_have_value("2026-09-16")
    shoot(desk, "compose")
    desk.click("button[name=action][value=publish]")
    desk.wait_for_url(re.compile(r"/announcements/\d+$"))
    drill_announcement = int(desk.url.rsplit("/", 1)[1])
    wait_released(site, drill_id, ("ty04",))  # the Vietnamese trainees' question
    desk.goto(base + "/inquiries")
    expect(desk.locator("tbody tr", has=desk.locator("small", has_text="vi"))).to_have_count(1)
    shoot(desk, "desk")

    # An evaluator rates two injects and takes the after-action report away as a PDF.
    eva = contexts["evaluator"].new_page()
    sign_in(eva, base, "eva")
    eva.goto(f"{base}/drills/{drill_id}/evaluate")
    rated = {"ty01": ("met", ""), "ty04": ("partly", "ベトナム語の説明が遅れた。")}
    for key, (rating, note) in rated.items():
        card = eva.locator(f"#inject-{key}")
        card.locator(f"input[name=rating][value={rating}]").check()
        card.locator("textarea[name=note]").fill(note)
        card.locator("button[type=submit]").click()
        eva.wait_for_load_state()
        expect(eva.locator(f"#inject-{key} ul.ratings")).to_contain_text("達成")
    shoot(eva, "evaluate")
    if axe:
        assert_axe_clean(eva, "evaluate page")
    eva.goto(f"{base}/drills/{drill_id}/report")
    expect(eva.locator("main")).to_contain_text("ty04")
    shoot(eva, "report")
    if axe:
        assert_axe_clean(eva, "report")
    with eva.expect_download(timeout=120_000) as got:  # WeasyPrint on a loaded machine
        eva.click(f"a[href$='/drills/{drill_id}/report.pdf']", no_wait_after=True)
    pdf = Path(got.value.path())
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "ty01" in text and "ty04" in text and "一部達成" in text, text[:2000]

    # The director resets the drill after confirming; real work stays on the real board.
    boss.goto(f"{base}/drills/{drill_id}")
    boss.click(f"a[href='/drills/{drill_id}/reset']")
    expect(boss.locator("form input[name=confirm][value=yes]")).to_have_count(1)
    shoot(boss, "reset-confirm")
    boss.click("form:has(input[name=confirm]) button[type=submit]")
    boss.wait_for_url(re.compile(rf"/drills/{drill_id}$"))
    expect(boss.locator("#drill-status")).to_have_text("リセット済み")
    shoot(boss, "after-reset")
    gone = site.live.api("GET", f"/api/v1/announcements/{drill_announcement}", site.operator_token)
    assert gone.status_code == 404

    tv.wait_for_function(
        "id => window.tagengoBoard.pages().some(p => p.id === id)", arg=real_id, timeout=WAIT_MS
    )
    seen = set(tv.evaluate("[...window.__cards]")) | set(
        tv.evaluate("window.tagengoBoard.history()")
    )
    assert real_id in seen and drill_announcement not in seen
    tv.reload()  # its normal link, opened afresh after the reset
    tv.wait_for_function(
        "id => window.tagengoBoard.pages().some(p => p.id === id)", arg=real_id, timeout=WAIT_MS
    )
    assert drill_announcement not in tv.evaluate("window.tagengoBoard.history()")
    assert drill_announcement not in tv.evaluate("[...window.__cards]")
    assert "訓練" not in (tv.text_content("#announcements") or "")
