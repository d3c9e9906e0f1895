"""Board link settings and the words a board shows around announcements."""

from __future__ import annotations

from typing import Any

import pytest

from manuals import loader as manuals
from server.core import validation
from server.core.security import board_token
from server.people import accounts
from server.web import board_settings
from translations import board_labels, languages

BOARD_LANGS = list(languages.CENTER_LANGUAGES)


def test_settings_come_from_the_link() -> None:
    got = board_settings.parse(
        {"langs": "VI, ne,en,vi", "only": "1", "dwell": "8-30", "drill": "0"}, BOARD_LANGS
    )
    assert got.langs == ("vi", "ne", "en") and got.only and got.dwell == (8, 30)
    assert got.drill is False
    assert board_settings.parse({}, BOARD_LANGS) == board_settings.BoardSettings()
    # A real shelter's TV shows drill content only when its link opts in.
    assert board_settings.parse({}, BOARD_LANGS).drill is False
    assert board_settings.parse({"drill": "1"}, BOARD_LANGS).drill is True


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"langs": "vi,xx"}, "langs"),
        ({"langs": "ar"}, "langs"),  # a known language this center does not translate into
        ({"only": "1"}, "only"),
        ({"langs": "vi", "only": "maybe"}, "only"),
        ({"dwell": "30-8"}, "dwell"),
        ({"dwell": "0-5"}, "dwell"),
        ({"dwell": "fast"}, "dwell"),
        ({"dwell": "5-601"}, "dwell"),
        ({"drill": "2"}, "drill"),
    ],
)
def test_a_bad_setting_names_its_parameter(args: dict[str, str], field: str) -> None:
    with pytest.raises(board_settings.SettingError) as caught:
        board_settings.parse(args, BOARD_LANGS)
    assert caught.value.field == field and field in str(caught.value)


def test_a_board_link_with_a_bad_setting_says_so(client: Any, app: Any) -> None:
    board = accounts.create_board(accounts.create_shelter("体育館").id, "TV")
    token = board_token(app.config["SECRET_KEY"], board.id, 1)
    bad = client.get(f"/board/{board.id}?token={token}&dwell=30-8")
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "dwell" in page and "MIN" in page and 'id="announcements"' not in page
    good = client.get(f"/board/{board.id}?token={token}&langs=vi,ne&only=1&dwell=2-9")
    assert good.status_code == 200
    html = good.get_data(as_text=True)
    assert "&#34;prefer&#34;: [&#34;vi&#34;, &#34;ne&#34;]" in html
    assert "&#34;dwellMin&#34;: 2, &#34;dwellMax&#34;: 9" in html
    # A wrong token is refused before any setting is read.
    assert client.get(f"/board/{board.id}?token=nope&dwell=30-8").status_code == 403


def test_the_offline_worker_is_served_for_the_board_scope(client: Any) -> None:
    r = client.get("/board/sw.js")
    assert r.status_code == 200 and "javascript" in r.mimetype
    assert b"caches.match" in r.data


def test_every_category_and_severity_has_a_word_in_every_center_language() -> None:
    words = board_labels.labels(languages.CENTER_LANGUAGES)
    assert set(words["category"]) == set(validation.CATEGORIES)
    assert set(words["severity"]) == set(validation.SEVERITIES)
    for kind in ("category", "severity", "ui"):
        for key, row in words[kind].items():
            for code in languages.CENTER_LANGUAGES:
                assert row[code].strip(), (kind, key, code)
                assert "_" not in row[code], (kind, key, code)  # never an internal key
            # Only names that are the same word everywhere may repeat the English one.
            if key not in ("tsunami",):
                assert row["ja"] != row["en"], (kind, key)


def test_the_manuals_titles_win_for_japanese_and_english() -> None:
    words = board_settings.labels(["ja", "en", "vi"])
    manual = {c["code"]: c["title"] for c in manuals.load_inquiry_categories()}
    shared = set(manual) & set(words["category"])
    assert {"food_water", "medical", "lifelines"} <= shared
    for code in shared:
        assert words["category"][code]["ja"] == manual[code]["ja"]
        assert words["category"][code]["en"] == manual[code]["en"]
    assert words["category"]["food_water"]["vi"] == board_labels.CATEGORY["food_water"]["vi"]
