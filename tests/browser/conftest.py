"""Fixtures for real-browser tests: Debian's Chromium driven by Playwright, screenshots kept.

Browsers cannot be downloaded here, so Playwright (whose wheel carries its own driver) drives
the system Chromium: `TAGENGO_TEST_CHROMIUM`, else /usr/bin/chromium. Without one, or without
the playwright package, these tests skip and say why.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("TAGENGO_TEST_CHROMIUM", "/usr/bin/chromium")
# The machine's network is closed: keep Chromium from reaching out, or waiting to, on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = os.path.join(os.path.dirname(__file__), "node_modules", "axe-core", "axe.min.js")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A headless Chromium for this module, or a skip saying what is missing."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install Debian's chromium "
            "or set TAGENGO_TEST_CHROMIUM to a Chromium binary"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is missing: pip install -e '.[test]'"
    )
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page (own cookies and storage) sized like a small shelter TV."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="ja-JP", timezone_id="Asia/Tokyo"
    )
    tab = context.new_page()
    # An uncaught exception in board.js fails the test that caused it.
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"board.js raised: {errors}"


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], Path]:
    """Save the whole page as test-artifacts/board-<name>.png and print the path."""

    def shoot(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"board-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        return path

    return shoot


DESK = {"width": 1440, "height": 900}
STAFF_PASSWORD = "a desk password for browser tests"


def signed_in(
    browser: Browser,
    center: Any,
    username: str,
    role: str = "operator",
    *,
    viewport: dict[str, int] | None = None,
    axe: bool = False,
) -> Page:
    """Sign a staff member of the live center in on a fresh page (the account is made if new).

    The page's uncaught script errors collect in ``page.errors``; close it with
    ``page.context.close()``. ``axe`` lets a test inject axe-core past the pages' CSP.
    """
    from server.core.extensions import db
    from server.models import User
    from server.people import accounts

    with center.app.app_context():
        db.session.remove()
        if db.session.query(User).filter_by(username=username).first() is None:
            accounts.create_user(username, role, STAFF_PASSWORD)
    context = browser.new_context(
        viewport=viewport or DESK, locale="ja-JP", timezone_id="Asia/Tokyo", bypass_csp=axe
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.errors = errors  # type: ignore[attr-defined]
    tab.goto(center.url + "/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", STAFF_PASSWORD)
    tab.press("input[name=password]", "Enter")
    tab.wait_for_url(lambda url: "/login" not in url)
    return tab


def run_axe(tab: Page) -> list[str]:
    """Run axe-core on the page; return its serious and critical violations, one line each."""
    tab.add_script_tag(path=AXE)
    result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(f"{n['target']} {n['failureSummary'][:160]!r}" for n in v["nodes"][:4])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
