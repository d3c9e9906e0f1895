"""The board on real screens: every announcement within one cycle, nothing covered, offline copy.

Four screen sizes of the issue (TV, small TV, portrait TV, tablet) page through the same ten
announcements at a one-second dwell; on every page the announcement text must lie inside the
stage, above the footer, and the glossary strip's words inside their box.
"""

from __future__ import annotations

import os
import re
import signal
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from server.core import embedded
from server.core.security import board_token
from server.people import accounts
from tests.browser.conftest import ARTIFACTS, AXE, run_axe

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow

WAIT_MS = 30_000
SIZES = {
    "tv-1920x1080": (1920, 1080),
    "tv-1280x720": (1280, 720),
    "portrait-1080x1920": (1080, 1920),
    "tablet-1024x768": (1024, 768),
    "phone-390x844": (390, 844),  # a reception phone or a volunteer's own, held upright
}
RLO = "\u202e"

# (template or None, body) — templates arrive in every language at once, free text waits for MT.
POSTS: list[dict[str, Any]] = [  # the API takes the category as given, not from the template
    {
        "template_id": "evacuation.order_level4",
        "category": "evacuation",
        "slots": {"place": "港町1丁目"},
        "severity": "Extreme",
        "urgency": "Immediate",
    },
    {
        "template_id": "lifelines.power_outage",
        "category": "lifelines",
        "slots": {"place": "本町"},
        "severity": "Severe",
    },
    {
        "template_id": "food_water.water_truck",
        "category": "food_water",
        "slots": {"place": "校庭", "time": "15:00"},
        "severity": "Moderate",
    },
    {
        "template_id": "medical.first_aid_station",
        "category": "medical",
        "slots": {"place": "市民センター 1階"},
        "severity": "Moderate",
    },
    {
        "template_id": "hygiene.portable_toilets",
        "category": "hygiene",
        "slots": {"place": "校庭の北側"},
        "severity": "Minor",
    },
    {
        "template_id": "lifelines.phone_charging",
        "category": "lifelines",
        "slots": {"place": "受付", "time": "20:00"},
        "severity": "Unknown",
    },
    {
        "template_id": "housing.temporary_housing_eligibility",
        "category": "housing",
        "severity": "Minor",
    },
    {
        "text": "余震が続いています。壊れた建物やブロック塀に近づかないでください。",
        "easy_text": "また 大きい 地震が 来るかも しれません。"
        "こわれた 家に 近づかないで ください。",
        "category": "safety",
        "severity": "Severe",
    },
    {
        "text": f"受付は体育館の入口です。{RLO}名前を書いてください。",
        "easy_text": f"うけつけは 体育館の 入口です。{RLO}なまえを かいて ください。",
        "category": "shelter",
        "severity": "Minor",
    },
    {
        "text": "【訓練】これは避難訓練のお知らせです。",
        "category": "evacuation",
        "severity": "Minor",
        "drill": True,
    },
]


@dataclass(frozen=True)
class Center:
    """The live center, an operator token, a board and the announcements it must show."""

    live: Any
    token: str
    board_id: int
    link: str
    cycle_id: int
    cycle_link: str
    ids: tuple[int, ...]

    def url(self, cycle: bool = False, **params: str) -> str:
        """The board link (or the one-language-at-a-time board's) with these settings."""
        # The tenth announcement is a drill's: these boards opt in unless a test says drill=0.
        params = {"drill": "1", **params}
        query = "".join(f"&{k}={v}" for k, v in params.items())
        board, link = (self.cycle_id, self.cycle_link) if cycle else (self.board_id, self.link)
        return f"{self.live.url}/board/{board}?token={link}{query}"


@pytest.fixture(scope="module")
def site(browser: Any, center: Any) -> Center:
    """A shelter, its board and ten announcements of every level (browser first: skip early)."""
    with center.app.app_context():
        accounts.create_user("desk-paging", "operator", "operator-password")
        token = accounts.create_token("desk-paging")
        shelter = accounts.create_shelter("第三体育館", "Daisan Taiikukan")
        board = accounts.create_board(shelter.id, "体育館 TV")
        tablet = accounts.create_board(shelter.id, "受付タブレット", "cycle")
        secret = center.app.config["SECRET_KEY"]
        link = board_token(secret, board.id, board.token_version)
        cycle_link = board_token(secret, tablet.id, tablet.token_version)
    ids = []
    for body in POSTS:
        r = center.api("POST", "/api/v1/announcements", token, json=body)
        assert r.status_code == 201, r.text
        ids.append(int(r.json()["id"]))
    return Center(center, token, board.id, link, tablet.id, cycle_link, tuple(ids))


def active_ids(site: Center) -> set[int]:
    """Every active announcement of the center, from the API (other modules may have posted)."""
    r = site.live.api("GET", "/api/v1/announcements", site.token)
    assert r.status_code == 200, r.text
    data = r.json()
    items = data["announcements"] if isinstance(data, dict) else data
    return {int(a["id"]) for a in items if a["status"] == "active"}


def open_board(browser: Browser, size: tuple[int, int], url: str, axe: bool = False) -> Page:
    """Open a board in a fresh context of this size and wait until it is live.

    ``axe`` lets the test inject axe-core, which the pages' CSP (no inline script) would block.
    """
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]},
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        bypass_csp=axe,
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(url)
    tab.wait_for_function(
        "() => document.querySelector('#conn').classList.contains('live')", timeout=WAIT_MS
    )
    tab.errors = errors  # type: ignore[attr-defined]
    return tab


def wait_translated(tab: Page, ids: tuple[int, ...]) -> None:
    """Wait until every announcement is on the board and the templates have every language."""
    missing = """ids => {
      const b = window.tagengoBoard, cfg = JSON.parse(document.body.dataset.config);
      const out = ids.filter(id => !b.state[id]).map(id => id + ': not on the board');
      ids.slice(0, 7).filter(id => b.state[id]).forEach(id => cfg.languages.forEach(l => {
        const ev = b.state[id].langs[l.code];
        if (!ev || ev.status !== 'done') out.push(id + ' ' + l.code + ': ' + (ev && ev.status));
      }));
      return out;
    }"""
    # Polled from here with evaluate, the same reading the failure message shows. On a loaded
    # machine the worker took ~94 s for these (the old 90 s wait ended just before, "[]").
    started = time.monotonic()
    left = tab.evaluate(missing, list(ids))
    while left and time.monotonic() - started < 180:
        time.sleep(0.5)
        left = tab.evaluate(missing, list(ids))
    print(f"translated after {time.monotonic() - started:.1f} s")
    assert not left, f"not translated: {left}"


# Everything that must not happen on a page, measured in the browser.
PROBLEMS = """() => {
  const out = [];
  const vw = window.innerWidth;
  const stage = document.querySelector('#stage').getBoundingClientRect();
  const foot = document.querySelector('.board-foot').getBoundingClientRect();
  const head = document.querySelector('.board-head').getBoundingClientRect();
  if (foot.bottom > window.innerHeight + 1) out.push('footer below the screen');
  const s = document.querySelector('#stage');
  if (s.scrollHeight > s.clientHeight + 1)
    out.push('stage scrolls: ' + s.scrollHeight + ' > ' + s.clientHeight);
  const card = document.querySelector('#announcements article.card');
  if (!card) return ['no card shown'];
  for (const node of card.querySelectorAll('.card-head, .text, .lang-head, .waiting')) {
    const r = node.getBoundingClientRect();
    if (!r.height) continue;
    const what = node.className + ' of ' + card.dataset.announcement;
    if (r.bottom > foot.top + 0.5) out.push(what + ' under the footer: ' + r.bottom);
    if (r.bottom > stage.bottom + 0.5) out.push(what + ' clipped at the stage bottom');
    if (r.top < head.bottom - 0.5) out.push(what + ' under the header');
    if (r.right > vw + 0.5 || r.left < -0.5) out.push(what + ' off the side');
  }
  // The help text and its address stay whole inside the footer band.
  const help = document.querySelector('.help p').getBoundingClientRect();
  if (help.top < foot.top - 0.5 || help.bottom > foot.bottom + 0.5 || help.right > vw + 0.5)
    out.push('help text out of the footer: ' + [help.top, help.bottom, foot.top, foot.bottom]);
  const strip = document.querySelector('#glossary').getBoundingClientRect();
  for (const node of document.querySelectorAll('#glossary > span')) {
    const r = node.getBoundingClientRect();
    if (r.bottom > strip.bottom + 0.5 || r.right > strip.right + 0.5)
      out.push('glossary word out of its box: ' + node.textContent);
  }
  return out;
}"""


@pytest.mark.parametrize("name", list(SIZES))
def test_every_announcement_shows_within_one_cycle(
    browser: Browser, site: Center, name: str
) -> None:
    tab = open_board(browser, SIZES[name], site.url(dwell="2-2"))
    try:
        wait_translated(tab, site.ids)
        expected = active_ids(site)
        assert set(site.ids) <= expected
        tab.wait_for_timeout(300)  # let a last re-plan settle
        plan = tab.evaluate("window.tagengoBoard.pages()")
        assert {p["id"] for p in plan} == expected
        start = tab.evaluate("window.tagengoBoard.turns()")
        turns, shot, checked = start, 0, 0
        # Check each page seen; the board's own record says which pages one cycle turned to.
        while turns < start + len(plan):
            problems = tab.evaluate(PROBLEMS)
            assert problems == [], f"{name}: {problems}"
            checked += 1
            pager = tab.locator("#pager").text_content() or ""
            assert re.fullmatch(rf"\d+ / {len(expected)}", pager), pager
            if shot < 2:
                ARTIFACTS.mkdir(exist_ok=True)
                tab.screenshot(path=str(ARTIFACTS / f"board-{name}-page{shot + 1}.png"))
                shot += 1
            tab.wait_for_function(
                "t => window.tagengoBoard.turns() > t", arg=turns, timeout=WAIT_MS
            )
            turns = tab.evaluate("window.tagengoBoard.turns()")
        cycle = tab.evaluate("window.tagengoBoard.history()")[start : start + len(plan)]
        assert set(cycle) == expected, f"{name}: not shown {expected - set(cycle)}"
        assert checked >= len(plan) // 2, f"{name}: only {checked} pages checked"
        # Urgency order: the level-5 evacuation order leads the cycle.
        assert plan[0]["id"] == site.ids[0]
        assert tab.errors == []  # type: ignore[attr-defined]
    finally:
        tab.context.close()


def test_labels_colours_and_bidi(browser: Browser, site: Center) -> None:
    tab = open_board(browser, SIZES["tv-1920x1080"], site.url(dwell="600-600"))
    try:
        wait_translated(tab, site.ids)
        first = tab.locator("#announcements article.card")
        assert first.get_attribute("data-level") == "5"
        # Level 5 is the palette's black, with an icon and a word, never the colour alone.
        band = tab.evaluate(
            "getComputedStyle(document.querySelector('.card-head')).backgroundColor"
        )
        assert band == "rgb(12, 0, 12)"
        assert first.locator(".card-head svg.lv-icon").count() == 1
        assert first.locator('.card-head .sev[lang="ja"]').text_content() == "最重要"
        config = tab.evaluate("JSON.parse(document.body.dataset.config)")
        for lang in config["languages"]:
            if lang["code"] == "ja":
                continue
            block = first.locator(f'div.lang[lang="{lang["code"]}"]')
            cat = block.locator(".lang-cat").text_content() or ""
            assert cat and cat != "evacuation", (lang["code"], cat)
            assert cat == config["labels"]["category"]["evacuation"][lang["code"]]
        # Every user or machine text is isolated from the line around it.
        isolation = tab.evaluate(
            "[...document.querySelectorAll('#announcements .text')].map(e => "
            "[e.getAttribute('dir'), getComputedStyle(e).unicodeBidi, e.lang])"
        )
        assert isolation and all(
            d == "auto" and u == "isolate" and lang for d, u, lang in isolation
        )
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "board-labels.png"))
    finally:
        tab.context.close()


def test_dwell_grows_with_the_text_within_the_links_bounds(browser: Browser, site: Center) -> None:
    tab = open_board(browser, SIZES["tv-1920x1080"], site.url(dwell="3-600", drill="0"))
    try:
        wait_translated(tab, site.ids[:9])
        dwell = {p["id"]: p["dwell"] for p in tab.evaluate("window.tagengoBoard.pages()")}
        assert site.ids[9] not in dwell  # drill=0: the drill announcement stays off this screen
        toilets, housing = site.ids[4], site.ids[6]  # a short sentence and a long one
        assert 3000 <= dwell[toilets] < dwell[housing] <= 600_000
    finally:
        tab.context.close()
    tab = open_board(browser, SIZES["tv-1920x1080"], site.url(dwell="5-9"))
    try:
        wait_translated(tab, site.ids)
        dwell = {p["id"]: p["dwell"] for p in tab.evaluate("window.tagengoBoard.pages()")}
        assert all(5000 <= d <= 9000 for d in dwell.values()), dwell
        assert dwell[site.ids[6]] == 9000  # the long text is held at the upper bound
    finally:
        tab.context.close()


def test_one_language_at_a_time_skips_languages_without_text(
    browser: Browser, site: Center
) -> None:
    url = site.url(cycle=True, dwell="1-1", langs="vi,ne,en", only="1")
    tab = open_board(browser, SIZES["tablet-1024x768"], url)
    try:
        wait_translated(tab, site.ids)
        plan = tab.evaluate("window.tagengoBoard.pages()")
        # A page per language that has a text, in the chosen order, and no other language.
        evacuation = [p["langs"] for p in plan if p["id"] == site.ids[0]]
        assert evacuation == [["vi"], ["ne"], ["en"]]
        assert {c for p in plan for c in p["langs"]} == {"vi", "ne", "en"}
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "board-cycle-tablet.png"))
        # Free text has no vi/ne/en yet: one page, the waiting line names each language once.
        free = site.ids[7]
        tab.wait_for_function(
            "id => document.querySelector('#announcements .card')?.dataset.announcement == id",
            arg=str(free),
            timeout=WAIT_MS,
        )
        waiting = tab.locator("#announcements .waiting .waiting-lang")
        assert sorted(waiting.evaluate_all("els => els.map(e => e.lang)")) == ["en", "ne", "vi"]
        assert tab.locator("#announcements .lang:not(.source) .text.muted").count() == 0
    finally:
        tab.context.close()


def test_news_shows_at_once_and_a_reload_offline_keeps_the_announcements(
    browser: Browser, site: Center
) -> None:
    tab = open_board(browser, SIZES["tv-1280x720"], site.url(dwell="600-600"))
    try:
        wait_translated(tab, site.ids)
        tab.wait_for_function("() => window.tagengoBoard.offline.ready", timeout=WAIT_MS)
        r = site.live.api(
            "POST",
            "/api/v1/announcements",
            site.token,
            json={
                "text": "体育館の暖房を22時に止めます。",
                "category": "shelter",
                "severity": "Minor",
            },
        )
        assert r.status_code == 201, r.text
        news = int(r.json()["id"])
        card = tab.locator(f'#announcements article.card[data-announcement="{news}"]')
        card.wait_for(timeout=WAIT_MS)
        assert "fresh" in (card.get_attribute("class") or "")
        assert card.locator(".new-tag").count() == 1
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "board-news.png"))
        kill_web(site.live)
        try:
            tab.reload()
            tab.wait_for_function(
                "() => document.querySelector('#conn').classList.contains('reconnecting')",
                timeout=WAIT_MS,
            )
            plan = tab.evaluate("window.tagengoBoard.pages()")
            assert news in {p["id"] for p in plan} and set(site.ids[:7]) <= {p["id"] for p in plan}
            assert tab.locator("#announcements article.card").count() == 1
            assert "min ago" in (tab.locator("#age").text_content() or "")
            tab.screenshot(path=str(ARTIFACTS / "board-offline-reload.png"))
        finally:
            restart_web(site.live)
    finally:
        tab.context.close()


def kill_web(live: Any) -> None:
    proc = live.stack.procs["web"]
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)


def restart_web(live: Any) -> None:
    proc = live.stack.start("web", embedded.web_argv(), live.env, live.logs / "web.log")
    embedded.wait_for_health(live.url, 60, proc)


def test_axe_finds_nothing_serious_on_the_board_and_resident_pages(
    browser: Browser, site: Center
) -> None:
    if not os.path.exists(AXE):
        pytest.skip("axe-core is missing: npm install --prefix tests/browser (see .ci/run)")
    tab = open_board(browser, SIZES["tv-1920x1080"], site.url(dwell="600-600"), axe=True)
    try:
        wait_translated(tab, site.ids)
        found = {"board": run_axe(tab)}
        for path in ("/help?lang=vi", "/help?lang=ne", "/help/glossary?lang=en&q=避難所"):
            tab.goto(site.live.url + path)
            found[path] = run_axe(tab)
        assert all(not v for v in found.values()), found
    finally:
        tab.context.close()
