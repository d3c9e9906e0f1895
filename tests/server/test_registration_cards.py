"""Registration cards from a resident's phone: the form data's card in their language, checked,
counted in the census once, refused for a closed shelter, and nothing stored when refused."""

from __future__ import annotations

import html
import logging
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import Shelter
from server.people import accounts
from server.shelters import cards, census, registry
from server.shelters.models import RegistrationCard

NEPALI_NAME = "राम बहादुर थापा"


@pytest.fixture
def shelter(app: Any) -> int:
    return accounts.create_shelter("第一小学校", "Daiichi Shogakko").id


def card(**changes: Any) -> dict[str, Any]:
    """A card as a phone posts it without JavaScript."""
    base: dict[str, Any] = {
        "client_id": str(uuid.uuid4()),
        "name": NEPALI_NAME,
        "birth_date": "1990-04-01",
        "phone": "090-1234-5678",
        "languages_spoken": ["ne", "en"],
        "japanese_level": "simple",
        "foods_not_eaten": ["pork", "halal"],
        "allergies": "बदाम (ピーナッツ)",
        "medicine": "इन्सुलिन",
        "needs_help_with": ["interpreting", "housing"],
        "consent_to_share": "yes",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def stored() -> int:
    return db.session.scalar(select(func.count(RegistrationCard.id))) or 0


def page(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_card_is_rendered_in_nepali_from_the_form_data(client: Any, shelter: int) -> None:
    text = page(client.get(f"/help/card/{shelter}?lang=ne"))
    assert "विस्थापित दर्ता कार्ड" in text  # the title, from translations/forms
    assert "राहदानी वा रेसिडेन्स कार्डमा" in text  # the name field's help
    assert 'lang="ne"' in text and "नेपाली" in text  # languages in their own script
    assert 'name="birth_date"' in text and 'type="date"' in text
    assert 'name="client_id"' in text and 'name="website"' in text  # page id and honeypot
    assert 'name="shelter_name"' not in text  # filled in by the center, not asked
    assert "第一小学校" in text
    # The resident page links the card, and each shelter has a QR code of its own card.
    assert "/help/card" in page(client.get("/help?lang=ne"))
    qr = client.get(f"/help/card/{shelter}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"


def test_a_card_is_stored_once_and_counted_in_the_census(
    client: Any, shelter: int, caplog: pytest.LogCaptureFixture
) -> None:
    body = card()
    with caplog.at_level(logging.DEBUG):
        r = client.post(f"/help/card/{shelter}?lang=ne", data=body)
    assert r.status_code == 201
    assert "धन्यवाद" in page(r)
    assert client.post(f"/help/card/{shelter}?lang=ne", data=body).status_code == 201
    assert stored() == 1  # the same page sent twice is one card
    item = db.session.scalars(select(RegistrationCard)).one()
    assert item.lang == "ne" and item.answers["name"] == NEPALI_NAME
    assert item.answers["shelter_name"] == "第一小学校" and item.answers["registered_on"]
    counted = census.of(db.session.get(Shelter, shelter))
    assert counted.languages == {"ne": 1}
    assert counted.diet == {"allergies": 1, "halal": 1, "no_pork": 1}
    assert counted.care == {"interpreter": 1, "medicine": 1}
    assert db.session.get(Shelter, shelter).foreign_count == 1
    # Nothing personal reaches the logs.
    assert NEPALI_NAME not in caplog.text and "1234" not in caplog.text

    client.post(f"/help/card/{shelter}?lang=vi", data=card(name="Nguyen Van An", phone=""))
    counted = census.of(db.session.get(Shelter, shelter))
    assert counted.languages == {"ne": 1, "vi": 1} and counted.diet["no_pork"] == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "यो भर्नुहोस्"),
        ({"japanese_level": "perfect"}, "japanese_level", "सूचीबाट छान्नुहोस्"),
        ({"foods_not_eaten": ["pork", "snails"]}, "foods_not_eaten", "सूचीबाट छान्नुहोस्"),
        ({"name": "x" * 501}, "name", "500"),
        ({"family_count": "three"}, "family_count", "पूर्ण संख्या"),
        ({"birth_date": "1990-13-45"}, "birth_date", "मिति"),
        ({"consent_to_share": None}, "consent_to_share", "यो भर्नुहोस्"),
        ({"pregnant": "maybe"}, "pregnant", "बाकस"),
    ],
)
def test_bad_answers_are_refused_in_nepali_and_nothing_is_stored(
    client: Any, shelter: int, changes: dict[str, Any], field: str, message: str
) -> None:
    r = client.post(f"/help/card/{shelter}?lang=ne", data=card(**changes))
    assert r.status_code == 400
    text = page(r)
    assert f'id="err-{field}"' in text and message in text
    assert stored() == 0
    assert census.of(db.session.get(Shelter, shelter)).languages == {}
    if changes.get("name", "") != "":
        assert 'value="1990-04-01"' in text or field == "birth_date"  # answers kept for fixing


def test_a_closed_shelter_refuses_the_card_in_the_residents_language(
    client: Any, shelter: int
) -> None:
    item = db.session.get(Shelter, shelter)
    registry.set_status(item, "closed", None)
    db.session.commit()
    assert client.get(f"/help/card/{shelter}?lang=ne").status_code == 409
    r = client.post(f"/help/card/{shelter}?lang=ne", data=card())
    assert r.status_code == 409 and "यो आश्रयस्थल बन्द छ" in page(r)
    assert stored() == 0
    listing = page(client.get("/help/card?lang=ne"))
    assert "第一小学校" not in listing


def test_an_unknown_shelter_and_a_bot_are_refused(client: Any, shelter: int) -> None:
    assert client.post("/help/card/9999", data=card()).status_code == 404
    assert client.post(f"/help/card/{shelter}", data=card(website="http://spam")).status_code == 400
    assert client.post(f"/help/card/{shelter}", data=card(client_id="x")).status_code == 400
    assert stored() == 0


def test_possible_duplicates_share_a_key_but_stay_apart(app: Any, shelter: int) -> None:
    item = db.session.get(Shelter, shelter)
    first, _ = cards.submit(item, str(uuid.uuid4()), "ne", card_answers(name="Ram Bahadur Thapa"))
    same_person, _ = cards.submit(
        item, str(uuid.uuid4()), "en", card_answers(name="  RAM bahadur  THAPA", phone="")
    )
    same_phone, _ = cards.submit(
        item, str(uuid.uuid4()), "ne", card_answers(name="Sita", phone="+81 90 1234 5678")
    )
    other, _ = cards.submit(item, str(uuid.uuid4()), "ne", card_answers(name="Gita", phone=""))
    assert [(c.id, why) for c, why in cards.duplicates(first)] == [
        (same_person.id, "name"),
        (same_phone.id, "phone"),
    ]
    assert cards.with_duplicates() == {first.id, same_person.id, same_phone.id}
    assert other.id not in cards.with_duplicates()
    assert stored() == 4  # never merged


def card_answers(**changes: Any) -> dict[str, Any]:
    """The answers of ``card()`` in the domain's types."""
    raw = card(**changes)
    raw.pop("client_id")
    raw["consent_to_share"] = True
    return {k: v for k, v in raw.items() if v != ""}
