"""The console in a real Chromium at desk size: the first sign-in, the live language table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from server.people import accounts
from tests.browser.conftest import ARTIFACTS

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
