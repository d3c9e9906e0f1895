"""CAP 1.2 alerts and Atom feeds: the OASIS schema, Google Public Alerts' rules, every state."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from server.channels import alerts, cap
from server.core.extensions import db
from server.models import Announcement
from server.people import accounts
from server.translation import planning as translating

DATA = Path(__file__).resolve().parent.parent / "data"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2", "a": "http://www.w3.org/2005/Atom"}
CENTER = [
    "ja",
    "ja-x-easy",
    "en",
    "zh-Hans",
    "zh-Hant",
    "ko",
    "pt-BR",
    "es",
    "vi",
    "tl",
    "ne",
    "id",
    "th",
    "my",
]


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / "CAP-v1.2.xsd")))


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post(client: Any, token: str, **body: Any) -> dict[str, Any]:
    r = client.post("/api/v1/announcements", headers=auth(token), json=body)
    assert r.status_code == 201, r.get_data(as_text=True)
    return dict(r.get_json())


def translate(announcement_id: int, revision: int = 1) -> None:
    """Run the worker's own function (no broker here), as a Celery task would."""
    translating.translate_revision(announcement_id, revision)


def fetch_alert(client: Any, schema: etree.XMLSchema, path: str) -> etree._Element:
    r = client.get(path)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == "application/cap+xml"
    root = etree.fromstring(r.data)
    schema.assertValid(root)
    return root


def google_rules(root: etree._Element) -> None:
    """Google Public Alerts: one alert, one info per language, the required fields, no Unknown."""
    assert root.tag == CAP + "alert"
    infos = root.findall(CAP + "info")
    assert infos, "an alert needs at least one <info>"
    langs = [i.findtext(CAP + "language") for i in infos]
    assert len(langs) == len(set(langs)), f"one <info> per language, got {langs}"
    for info in infos:
        event = info.findtext(CAP + "event") or ""
        assert 0 < len(event) < 35, event
        assert info.findtext(CAP + "expires")
        assert info.findtext(CAP + "description")
        assert info.find(CAP + "area/" + CAP + "areaDesc") is not None
        assert info.findtext(CAP + "area/" + CAP + "areaDesc")
        for field in ("urgency", "severity", "certainty"):
            assert info.findtext(CAP + field) not in (None, "Unknown")
    for field in ("identifier", "sender"):
        assert not re.search(r"[\s,<&]", root.findtext(CAP + field) or " ")


def test_phrasebook_announcement_is_one_valid_alert_with_an_info_per_language(
    client: Any, operator_token: str, schema: etree.XMLSchema
) -> None:
    shelter = accounts.create_shelter("第一小学校", "Daiichi Shogakko", "七尾市本町1-1")
    created = post(
        client,
        operator_token,
        template_id="food_water.water_truck",
        slots={"place": "第一小学校", "time": "15:00"},
        category="food_water",
        severity="Severe",
        urgency="Immediate",
        shelter_ids=[shelter.id],
    )
    path = f"/api/v1/cap/alerts/{created['id']}.xml"
    before = fetch_alert(client, schema, path)  # published, no worker has run yet
    assert before.findtext(CAP + "msgType") == "Alert"
    assert before.find(CAP + "references") is None
    assert [i.findtext(CAP + "language") for i in before.findall(CAP + "info")] == ["ja"]
    translate(created["id"])
    root = fetch_alert(client, schema, path)
    google_rules(root)
    assert root.findtext(CAP + "status") == "Actual"
    assert root.findtext(CAP + "scope") == "Public"
    # The languages arrived after publishing: new content is a new message, never a changed
    # one under the old identifier, and it references every message before it.
    assert root.findtext(CAP + "msgType") == "Update"
    references = (root.findtext(CAP + "references") or "").split(" ")
    first = ",".join(before.findtext(CAP + f) or "" for f in ("sender", "identifier", "sent"))
    assert references[0] == first
    assert len(references) == 13  # published + 12 languages before the last one stored
    assert len({r.split(",")[1] for r in references} | {root.findtext(CAP + "identifier")}) == 14
    assert root.findtext(CAP + "sender") == "tagengo@127.0.0.1:8080"
    infos = {i.findtext(CAP + "language"): i for i in root.findall(CAP + "info")}
    assert list(infos) == CENTER  # source first, every language the phrasebook gave
    from translations import phrasebook

    template = phrasebook.load()["food_water.water_truck"]
    for lang, info in infos.items():
        expected = template.render(lang, {"place": "第一小学校", "time": "15:00"})
        assert info.findtext(CAP + "description") == expected
        assert info.findtext(CAP + "category") == "Infra"
        assert info.findtext(CAP + "severity") == "Severe"
        assert info.findtext(CAP + "urgency") == "Immediate"
        assert info.findtext(CAP + "event") == alerts.event_name("food_water", lang)
    assert infos["vi"].findtext(CAP + "event") == "Thực phẩm và nước uống"
    # Japanese readers get the Japanese name, the others the romaji one with the Japanese.
    assert infos["ja"].findtext(f"{CAP}area/{CAP}areaDesc") == "第一小学校 七尾市本町1-1"
    assert (
        infos["en"].findtext(f"{CAP}area/{CAP}areaDesc")
        == "Daiichi Shogakko (第一小学校) 七尾市本町1-1"
    )
    assert infos["en"].find(f"{CAP}area/{CAP}circle") is None  # no coordinates known
    params = {
        p.findtext(CAP + "valueName"): p.findtext(CAP + "value")
        for p in infos["en"].findall(CAP + "parameter")
    }
    assert params == {"tagengo:translation": "phrasebook", "tagengo:reviewed": "false"}
    # One language alone, for relays that carry a single language.
    one = fetch_alert(client, schema, f"/api/v1/cap/alerts/{created['id']}.xml?lang=zh-hant")
    assert [i.findtext(CAP + "language") for i in one.findall(CAP + "info")] == ["zh-Hant"]
    assert one.findtext(CAP + "identifier") == f"{root.findtext(CAP + 'identifier')}:zh-Hant"


def test_untranslated_languages_are_left_out_not_invented(
    client: Any, operator_token: str, schema: etree.XMLSchema
) -> None:
    created = post(
        client,
        operator_token,
        text="本日15時に給水車が来ます。",
        easy_text="きょう 15時に 水の 車が 来ます。",
        severity="Unknown",
        certainty="Unknown",
    )
    root = fetch_alert(client, schema, f"/api/v1/cap/alerts/{created['id']}.xml")
    google_rules(root)
    infos = root.findall(CAP + "info")
    assert [i.findtext(CAP + "language") for i in infos] == ["ja", "ja-x-easy"]
    assert infos[1].findtext(CAP + "description") == "きょう 15時に 水の 車が 来ます。"
    # Unknown is sent as a definite value, and the message says so.
    assert infos[0].findtext(CAP + "severity") == "Moderate"
    assert infos[0].findtext(CAP + "certainty") == "Possible"
    assert "Unknown" in (root.findtext(CAP + "note") or "")
    # Expires: the default span after sending when the operator gave none.
    sent = datetime.fromisoformat(root.findtext(CAP + "sent") or "")
    expires = datetime.fromisoformat(infos[0].findtext(CAP + "expires") or "")
    assert expires - sent == timedelta(hours=24)
    r = client.get(f"/api/v1/cap/alerts/{created['id']}.xml?lang=vi")
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "no_text"


def test_revision_is_an_update_and_retraction_a_cancel_referencing_all_before(
    client: Any, operator_token: str, schema: etree.XMLSchema
) -> None:
    created = post(client, operator_token, text="給水は15時からです。", category="food_water")
    path = f"/api/v1/cap/alerts/{created['id']}.xml"
    first = fetch_alert(client, schema, path)
    r = client.patch(
        f"/api/v1/announcements/{created['id']}",
        headers=auth(operator_token),
        json={"text": "給水は16時からに変わりました。"},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    second = fetch_alert(client, schema, path)
    google_rules(second)
    assert second.findtext(CAP + "msgType") == "Update"
    assert second.findtext(CAP + "identifier") != first.findtext(CAP + "identifier")
    ref_first = ",".join(first.findtext(CAP + f) or "" for f in ("sender", "identifier", "sent"))
    assert second.findtext(CAP + "references") == ref_first
    assert second.findtext(f"{CAP}info/{CAP}description") == "給水は16時からに変わりました。"

    r = client.post(f"/api/v1/announcements/{created['id']}/retract", headers=auth(operator_token))
    assert r.status_code == 200, r.get_data(as_text=True)
    third = fetch_alert(client, schema, path)
    assert third.findtext(CAP + "msgType") == "Cancel"
    ref_second = ",".join(second.findtext(CAP + f) or "" for f in ("sender", "identifier", "sent"))
    assert (third.findtext(CAP + "references") or "").split(" ") == [ref_first, ref_second]
    # The withdrawn text is not served again; relays match the alert by its references.
    assert third.findall(CAP + "info") == []
    assert "給水" not in client.get(path).get_data(as_text=True)
    feed = client.get("/api/v1/cap/feed/en.atom").get_data(as_text=True)
    assert "[Cancel]" in feed and "給水" not in feed
    one = fetch_alert(client, schema, path + "?lang=en")
    assert one.findtext(CAP + "msgType") == "Cancel"
    # Stable: asking again gives the same bytes.
    assert client.get(path).data == client.get(path).data


def test_drill_is_an_exercise_and_stays_out_of_the_real_feed(
    client: Any, operator_token: str, schema: etree.XMLSchema
) -> None:
    real = post(client, operator_token, text="避難所を開設しました。", category="shelter")
    drill = post(client, operator_token, text="訓練：津波警報が出ました。", drill=True)
    root = fetch_alert(client, schema, f"/api/v1/cap/alerts/{drill['id']}.xml")
    assert root.findtext(CAP + "status") == "Exercise"

    def links(path: str) -> list[str]:
        r = client.get(path)
        assert r.status_code == 200
        assert r.mimetype == "application/atom+xml"
        feed = etree.fromstring(r.data)
        return [str(e.get("href")) for e in feed.iterfind("a:entry/a:link", NS)]

    assert links("/api/v1/cap/feed.atom") == [
        f"http://127.0.0.1:8080/api/v1/cap/alerts/{real['id']}.xml"
    ]
    assert links("/api/v1/cap/exercise/feed.atom") == [
        f"http://127.0.0.1:8080/api/v1/cap/alerts/{drill['id']}.xml"
    ]


def test_feeds_carry_current_alerts_per_language_and_recent_cancels(
    client: Any, operator_token: str, app: Any
) -> None:
    kept = post(
        client,
        operator_token,
        template_id="food_water.water_truck",
        slots={"place": "市民会館", "time": "10:00"},
        category="food_water",
    )
    translate(kept["id"])
    expired = post(
        client,
        operator_token,
        text="停電は復旧しました。",
        expires_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat(),
    )
    withdrawn = post(client, operator_token, text="誤って送信しました。")
    client.post(f"/api/v1/announcements/{withdrawn['id']}/retract", headers=auth(operator_token))
    row = db.session.get(Announcement, expired["id"])
    row.expires_at = datetime.now(UTC) - timedelta(minutes=1)  # time passes
    db.session.commit()

    feed = etree.fromstring(client.get("/api/v1/cap/feed.atom").data)
    entries = feed.findall("a:entry", NS)
    titles = [e.findtext("a:title", namespaces=NS) or "" for e in entries]
    assert len(entries) == 2, titles
    assert titles[0].startswith("[Cancel] ")  # a cancel first: relays must take it down
    assert titles[1].startswith("食料・給水: ")
    assert feed.findtext("a:updated", namespaces=NS)
    assert feed.find("a:link[@rel='self']", NS).get("href").endswith("/api/v1/cap/feed.atom")

    th = etree.fromstring(client.get("/api/v1/cap/feed/th.atom").data)
    th_entries = th.findall("a:entry", NS)
    # The cancel (every feed: any relay may hold the alert) and the one alert with a Thai text.
    assert len(th_entries) == 2
    assert (th_entries[0].findtext("a:title", namespaces=NS) or "").startswith("[Cancel] ")
    entry = th_entries[1]
    assert entry.get("{http://www.w3.org/XML/1998/namespace}lang") == "th"
    assert entry.findtext("a:summary", namespaces=NS) == alerts_text(kept["id"], "th")
    assert entry.find("a:link", NS).get("href").endswith(f"/alerts/{kept['id']}.xml?lang=th")

    r = client.get("/api/v1/cap/feed/xx-nope.atom")
    assert r.status_code == 404
    assert r.get_json()["error"] == {
        "code": "unknown_language",
        "message": "no language 'xx-nope' in the registry",
        "field": "lang",
    }
    r = client.get("/api/v1/cap/alerts/99999.xml")
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"


def alerts_text(announcement_id: int, lang: str) -> str:
    from translations import phrasebook

    row = db.session.get(Announcement, announcement_id)
    values = row.revisions[-1].slots
    return phrasebook.load()["food_water.water_truck"].render(lang, values)


def test_feed_over_900_kb_keeps_the_most_urgent_and_says_how_many_it_left_out(
    client: Any, operator_token: str
) -> None:
    long_text = "給水所の場所と時間のお知らせです。" * 290  # ~4,900 characters, ~15 KB each
    ids = []
    for i in range(70):
        severity = "Extreme" if i % 10 == 0 else "Minor"
        ids.append(post(client, operator_token, text=long_text, severity=severity)["id"])
    r = client.get("/api/v1/cap/feed.atom")
    assert r.status_code == 200
    assert len(r.data) <= 900_000
    omitted = int(r.headers["X-Tagengo-Omitted"])
    feed = etree.fromstring(r.data)
    kept = feed.findall("a:entry", NS)
    assert omitted > 0 and len(kept) + omitted == 70
    # Everything that was left out is less severe than everything kept.
    extreme = {f"/alerts/{ids[i]}.xml" for i in range(0, 70, 10)}
    hrefs = [e.find("a:link", NS).get("href") for e in kept]
    assert {h[h.index("/alerts/") :] for h in hrefs[:7]} == extreme


def test_etag_and_if_none_match(client: Any, operator_token: str) -> None:
    post(client, operator_token, text="物資を配ります。", category="supplies")
    first = client.get("/api/v1/cap/feed.atom")
    etag = first.headers["ETag"]
    assert etag
    again = client.get("/api/v1/cap/feed.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    post(client, operator_token, text="夕食を配ります。", category="food_water")
    changed = client.get("/api/v1/cap/feed.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_circle_from_shelter_coordinates_when_the_registry_has_them(
    client: Any, operator_token: str, schema: etree.XMLSchema
) -> None:
    shelter = accounts.create_shelter("市民会館", "Shimin Kaikan")
    created = post(client, operator_token, text="避難所を開設しました。", shelter_ids=[shelter.id])
    announcement = db.session.get(Announcement, created["id"])
    # Today's shelter table has no coordinate columns; a registry that adds them is used.
    shelter.latitude = 37.0432  # type: ignore[attr-defined]
    shelter.longitude = 136.9674  # type: ignore[attr-defined]
    areas = alerts.areas(announcement, "en")
    assert areas == (cap.Area("Shimin Kaikan (市民会館)", ("37.043200,136.967400 0.5",)),)
    message = alerts.current(announcement)
    message = replace(message, infos=tuple(replace(i, areas=areas) for i in message.infos))
    schema.assertValid(etree.fromstring(cap.to_xml(message)))


def test_every_category_has_a_short_event_name_in_every_center_language() -> None:
    from server.core.validation import CATEGORIES

    for category in CATEGORIES:
        assert alerts.CATEGORY[category] in cap.CATEGORIES
        names = alerts.event_names()[category]
        assert set(names) == set(CENTER), category
        for lang, name in names.items():
            assert 0 < len(name) < 35, (category, lang, name)


def test_builder_refuses_what_cap_or_relays_would_refuse() -> None:
    now = datetime.now(UTC)
    info = cap.Info(
        language="ja-x-easy",
        category="Safety",
        event="x",
        urgency="Expected",
        severity="Moderate",
        certainty="Observed",
        expires=now,
        sender_name="c",
        description="d",
        areas=(cap.Area("a"),),
    )
    good = cap.Alert("id-1", "s@x", now, "Actual", "Alert", (info,))
    assert b"<language>ja-x-easy</language>" in cap.to_xml(good)
    bad = [
        cap.Alert("id 1", "s@x", now, "Actual", "Alert", (info,)),
        cap.Alert("id-1", "s,x", now, "Actual", "Alert", (info,)),
        cap.Alert("id-1", "s@x", now, "Actual", "Update", (info,)),
        cap.Alert("id-1", "s@x", now, "Actual", "Alert", (info, info)),
        cap.Alert("id-1", "s@x", now, "Actual", "Alert", (replace(info, severity="Unknown"),)),
        cap.Alert("id-1", "s@x", now, "Actual", "Alert", (replace(info, areas=()),)),
        cap.Alert("id-1", "s@x", now, "Actual", "Alert", (replace(info, language="ja_JP"),)),
    ]
    for alert in bad:
        with pytest.raises(cap.CapError):
            cap.to_xml(alert)


def _key_and_cert(folder: Path) -> tuple[Path, Path]:
    """Make an RSA key and a self-signed certificate, as a center would with openssl."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tagengo test center")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(exist_ok=True)
    key_file, cert_file = folder / "cap-key.pem", folder / "cap-cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def test_alerts_are_signed_with_the_configured_key_and_verify(
    app: Any, client: Any, operator_token: str, schema: etree.XMLSchema, tmp_path: Path
) -> None:
    from signxml import InvalidSignature, XMLVerifier

    created = post(client, operator_token, text="避難所を開設しました。", category="shelter")
    path = f"/api/v1/cap/alerts/{created['id']}.xml"
    assert b"xmldsig" not in client.get(path).data  # unsigned unless a key is configured
    key_file, cert_file = _key_and_cert(tmp_path)
    app.config["CAP_SIGNING_KEY_FILE"] = str(key_file)
    app.config["CAP_SIGNING_CERT_FILE"] = str(cert_file)
    signed = client.get(path).data
    root = etree.fromstring(signed)
    schema.assertValid(root)  # CAP 1.2 allows the enveloped signature after the infos
    assert root[-1].tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"
    result = XMLVerifier().verify(signed, x509_cert=cert_file.read_text())
    assert result.signed_xml is not None
    assert result.signed_xml.findtext(f"{CAP}info/{CAP}description") == "避難所を開設しました。"
    tampered = signed.replace("避難所を開設しました。".encode(), "避難所を閉鎖しました。".encode())
    with pytest.raises(InvalidSignature):
        XMLVerifier().verify(tampered, x509_cert=cert_file.read_text())
    # Another center's certificate does not verify this center's alert.
    _other_key, other_cert = _key_and_cert(tmp_path / "other")
    with pytest.raises(InvalidSignature):
        XMLVerifier().verify(signed, x509_cert=other_cert.read_text())


def test_a_bad_signing_key_stops_the_app_at_start(tmp_path: Path) -> None:
    from server import create_app
    from server.channels import signing

    key_file, cert_file = _key_and_cert(tmp_path)
    other_key, _other_cert = _key_and_cert(tmp_path / "other")
    (tmp_path / "junk.pem").write_text("not a key")
    for key, cert, message in (
        (key_file, tmp_path / "missing.pem", "cannot read"),
        (tmp_path / "junk.pem", cert_file, "must be PEM"),
        (other_key, cert_file, "not the signing key's certificate"),
    ):
        with pytest.raises(signing.SigningError, match=message):
            create_app(
                {
                    "SECRET_KEY": "x",
                    "DATA_DIR": str(tmp_path),
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}",
                    "CAP_SIGNING_KEY_FILE": str(key),
                    "CAP_SIGNING_CERT_FILE": str(cert),
                }
            )


def test_a_sender_cap_would_refuse_stops_the_app_at_start(tmp_path: Path) -> None:
    from server import create_app

    with pytest.raises(ValueError, match="TAGENGO_CAP_SENDER"):
        create_app(
            {
                "SECRET_KEY": "x",
                "DATA_DIR": str(tmp_path),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}",
                "CAP_SENDER": "city hall, disaster desk",
            }
        )
