"""The console in a real Chromium at desk size: the first sign-in, the live language table."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from server.people import accounts
from tests.browser.conftest import ARTIFACTS
from translations import phrasebook

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.slow

DESK = {"width": 1440, "height": 900}
WAIT_MS = 20_000


def expect(target: Locator | Page) -> Any:
    """Playwright's auto-waiting assertions, imported late so a missing package only skips."""
    from playwright.sync_api import expect as pw_expect

    return pw_expect(target)


@pytest.fixture
def desk(browser: Any) -> Iterator[Page]:
    """A desk-sized page with its own cookies; an uncaught script error fails the test."""
    context = browser.new_context(viewport=DESK, locale="ja-JP", timezone_id="Asia/Tokyo")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"console page raised: {errors}"


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"console-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def test_first_admin_changes_the_one_time_password(desk: Page, center: Any) -> None:
    with center.app.app_context():
        made = accounts.first_admin()
    assert made is not None, "the center of this module must start without users"
    one_time = made[1]
    desk.goto(center.url + "/")
    expect(desk.locator("p.flash")).to_contain_text("サインインしてください")
    desk.fill("input[name=username]", "admin")
    desk.fill("input[name=password]", one_time)
    desk.click("button.primary")
    expect(desk).to_have_url(re.compile(r"/account/password$"))
    expect(desk.locator("main")).to_contain_text("ワンタイムパスワード")
    shoot(desk, "first-sign-in")
    # Other pages send the admin back until the password is changed.
    desk.goto(center.url + "/shelters")
    expect(desk).to_have_url(re.compile(r"/account/password$"))
    desk.fill("input[name=current_password]", one_time)
    desk.fill("input[name=new_password]", "short-pw1")  # 9 characters: the browser says no
    desk.fill("input[name=new_password_again]", "short-pw1")
    desk.click("button.primary")
    expect(desk).to_have_url(re.compile(r"/account/password$"))
    desk.fill("input[name=new_password]", "a new desk password")
    desk.fill("input[name=new_password_again]", "a new desk password, typo")
    desk.click("button.primary")
    expect(desk.locator("p.flash.error")).to_contain_text("一致しません")
    shoot(desk, "password-mismatch")
    desk.fill("input[name=current_password]", one_time)
    desk.fill("input[name=new_password]", "a new desk password")
    desk.fill("input[name=new_password_again]", "a new desk password")
    desk.click("button.primary")
    expect(desk.locator("p.flash.ok")).to_contain_text("パスワードを変更しました")
    expect(desk.locator("h1")).to_have_text("お知らせ一覧")
    desk.goto(center.url + "/users")
    expect(desk.locator("table.list")).to_contain_text("管理者")
    shoot(desk, "users")
    # The one-time password no longer opens the console.
    desk.click("header form button")
    desk.fill("input[name=username]", "admin")
    desk.fill("input[name=password]", one_time)
    desk.click("button.primary")
    expect(desk.locator("p.flash.error")).to_be_visible()


def test_live_table_is_right_without_a_reload(desk: Page, center: Any) -> None:
    """Languages finished after the page was drawn but before its socket subscribed still show.

    The worker is stopped while the page is drawn (every language queued) and the Socket.IO
    client is held back until the worker has finished them all: their events are gone before
    the page subscribes, so only reading the state after connecting can show them.
    """
    with center.app.app_context():
        accounts.create_user("desk-live", "operator", "operator-password")
        token = accounts.create_token("desk-live")
    worker = center.stack.procs["worker"]
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(timeout=60)
    template = phrasebook.load()["shelter.quiet_hours"]
    r = center.api(
        "POST",
        "/api/v1/announcements",
        token,
        json={"template_id": template.id, "slots": {"time": "21:00"}, "category": "shelter"},
    )
    assert r.status_code == 201, r.text
    announcement_id = r.json()["id"]

    desk.goto(center.url + "/login")
    desk.fill("input[name=username]", "desk-live")
    desk.fill("input[name=password]", "operator-password")
    desk.click("button.primary")
    held: list[Any] = []
    desk.route("**/socket.io.min.js", lambda route: held.append(route))
    desk.goto(f"{center.url}/announcements/{announcement_id}", wait_until="commit")
    statuses = desk.locator("#live tbody td.status")
    expect(statuses.first).to_have_text("待機中")
    count = statuses.count()
    assert count == 13
    assert statuses.all_inner_texts() == ["待機中"] * count

    center.start_worker()
    center.wait_for_worker()
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        state = center.api("GET", f"/api/v1/announcements/{announcement_id}", token).json()
        if all(t["status"] == "done" for t in state["translations"]):
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"the worker did not finish: {state['translations']}")
    desk.wait_for_timeout(100)  # let the held request reach the route handler
    assert held, "the page should be waiting for its Socket.IO client"
    for route in held:
        route.continue_()
    expect(desk.locator("#socket-state")).to_have_text("● 受信中", timeout=WAIT_MS)
    expect(desk.locator("#live")).to_have_attribute("data-synced", "1", timeout=WAIT_MS)
    for i in range(count):
        expect(statuses.nth(i)).to_have_text("完了")
    texts = desk.locator("#live tbody td.text").all_inner_texts()
    assert template.render("en", template.parse_slots({"time": "21:00"})) in texts
    shoot(desk, "live-table")
