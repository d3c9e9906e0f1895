"""A registration card on a phone in Nepali, counted in the census, then purged by the worker.

Chromium at a phone's size (390×844) against a live center (web and worker processes): the
resident finds the card from the help page, fills it in Nepali (Devanagari in the vendored
fonts), sees the census count it; the daily purge, run by the real worker, empties the card's
personal fields and leaves the counts.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from server.core import tasks
from server.core.extensions import db
from server.models import Shelter, utcnow
from server.people import accounts
from server.shelters import census
from server.shelters.models import RegistrationCard

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.slow

WAIT_MS = 15_000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
NAME = "सीता कुमारी गुरुङ"
PHONE = "080-9876-5432"
WIDER_THAN_SCREEN = """async () => {
  await document.fonts.ready;
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .map((el) => `${el.tagName}.${el.className} ${el.getAttribute("name") || ""}`)
    .slice(0, 10);
}"""


def expect(target: Any) -> Any:
    """Playwright's auto-waiting assertions, imported late so a missing package only skips."""
    from playwright.sync_api import expect as pw_expect

    return pw_expect(target)


@pytest.fixture
def phone(browser: Any) -> Iterator[Page]:
    """A phone-sized page of its own; an uncaught script error fails the test."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="ne-NP",
        timezone_id="Asia/Tokyo",
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"the page raised: {errors}"


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"cards-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def the_card(center: Any) -> RegistrationCard:
    with center.app.app_context():
        db.session.remove()
        return db.session.scalars(select(RegistrationCard)).one()


def test_a_card_in_nepali_is_counted_then_purged_keeping_the_counts(
    center: Any, phone: Page
) -> None:
    page = phone
    with center.app.app_context():
        shelter_id = accounts.create_shelter("第二中学校", "Daini Chugakko").id
        accounts.create_user("desk-admin", "admin", "desk-admin-password")

    # From the help page (which a board's QR opens) to this shelter's card, in Nepali.
    page.goto(center.url + "/help?lang=ne")
    page.click("#card-link")
    page.get_by_role("link", name=re.compile("第二中学校")).click()
    expect(page.locator("h1")).to_have_text("विस्थापित दर्ता कार्ड")
    wide = page.evaluate(WIDER_THAN_SCREEN)
    assert wide == [], f"wider than the phone: {wide}"  # no sideways scrolling

    # A first try without the consent: refused in Nepali, nothing stored.
    page.fill("[name=name]", NAME)
    page.fill("[name=birth_date]", "1992-05-17")
    page.fill("[name=phone]", PHONE)
    page.check("input[name=languages_spoken][value=ne]")
    page.check("input[name=japanese_level][value=none]")
    page.check("input[name=foods_not_eaten][value=halal]")
    page.fill("[name=allergies]", "बदाम")
    page.check("input[name=needs_help_with][value=interpreting]")
    page.click("button[type=submit]")
    expect(page.locator("#err-consent_to_share")).to_have_text("कृपया यो भर्नुहोस्।")
    shoot(page, "refused-ne")
    with center.app.app_context():
        db.session.remove()
        assert db.session.scalars(select(RegistrationCard)).all() == []

    # The answers are still there; ticking the consent registers the card.
    expect(page.locator("[name=name]")).to_have_value(NAME)
    page.check("input[name=consent_to_share]")
    shoot(page, "filled-ne")
    page.click("button[type=submit]")
    expect(page.locator("#card-done")).to_contain_text("धन्यवाद", timeout=WAIT_MS)
    shoot(page, "done-ne")

    card = the_card(center)
    assert card.lang == "ne" and card.answers["name"] == NAME
    with center.app.app_context():
        db.session.remove()
        shelter = db.session.get(Shelter, shelter_id)
        counted = census.of(shelter)
        assert counted.languages == {"ne": 1}
        assert counted.diet == {"allergies": 1, "halal": 1}
        assert counted.care == {"interpreter": 1}
        assert shelter.foreign_count == 1

    # The staff's view (Japanese labels, audited), then the purge past the retention period,
    # run by the live worker from the task table.
    page.goto(center.url + "/login")
    page.fill("[name=username]", "desk-admin")
    page.fill("[name=password]", "desk-admin-password")
    page.press("[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"{center.url}/cards/{card.id}?lang=ja")
    expect(page.locator("main")).to_contain_text(NAME)
    expect(page.locator("main")).to_contain_text("ハラールでない食べ物")
    shoot(page, "staff-card")

    with center.app.app_context():
        db.session.remove()
        row = db.session.get(RegistrationCard, card.id)
        assert row is not None
        row.created_at = utcnow() - timedelta(days=120)
        db.session.commit()
        tasks.send(tasks.TaskName.PURGE_SHELTER_RECORDS)
    deadline = time.monotonic() + 30
    while the_card(center).purged_at is None and time.monotonic() < deadline:
        time.sleep(0.3)
    purged = the_card(center)
    assert purged.purged_at is not None, "the worker did not purge the card"
    assert "name" not in purged.answers and "phone" not in purged.answers
    assert "birth_date" not in purged.answers and "allergies" not in purged.answers
    assert purged.answers["japanese_level"] == "none" and purged.lang == "ne"
    with center.app.app_context():
        db.session.remove()
        kept = census.of(db.session.get(Shelter, shelter_id))
        assert kept.languages == {"ne": 1} and kept.diet == {"allergies": 1, "halal": 1}

    page.goto(f"{center.url}/cards/{card.id}?lang=ja")
    expect(page.locator("#card-purged")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(NAME)
    shoot(page, "staff-card-purged")
    page.goto(f"{center.url}/shelters/{shelter_id}?lang=ja")
    shoot(page, "shelter-census")

    # Nothing personal went through the broker or into the logs of either process.
    for log in center.logs.glob("*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        assert NAME not in text and PHONE not in text, log.name


PUBLISH_IS_ON_TOP = """() => {
  const button = document.querySelector("button[value=publish]");
  button.scrollIntoView({block: "center"});
  const r = button.getBoundingClientRect();
  return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === button;
}"""


def test_the_composer_fits_a_phone_and_nothing_covers_publish(center: Any, phone: Page) -> None:
    page = phone
    with center.app.app_context():
        accounts.create_user("phone-operator", "operator", "phone-operator-password")
        shelter_id = accounts.create_shelter("第三公民館", "Daisan Kominkan").id
    page.goto(center.url + "/login")
    page.fill("[name=username]", "phone-operator")
    page.fill("[name=password]", "phone-operator-password")
    page.press("[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/$"))
    for path in (
        "/announcements/new?lang=ja",
        f"/announcements/new?template=food_water.water_truck&shelter={shelter_id}&lang=ja",
    ):
        page.goto(center.url + path)
        wide = page.evaluate(WIDER_THAN_SCREEN)
        assert wide == [], f"{path}: wider than the phone: {wide}"
        assert page.evaluate(PUBLISH_IS_ON_TOP), f"{path}: something covers the publish button"
    shoot(page, "compose-phone")
