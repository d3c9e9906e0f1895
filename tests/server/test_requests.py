"""Translation requests through the API: intake (text, .txt, .docx), claims, checks, delivery.

Every bad input the issue lists is refused with a clear 4xx and leaves nothing behind.
"""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import MachineJob, MemoryEntry, utcnow
from server.people import accounts
from server.requests import documents, metrics
from server.requests import service as requests
from server.requests.models import PieceEvent, RequestPiece, TranslationRequest
from server.translation import machine_jobs
from translations.mt import install
from translations.mt.tiny import build_tiny_package

TEXT = "避難所で水を配ります。\n毛布もあります。"


@pytest.fixture
def tokens(app: Any) -> dict[str, str]:
    out = {}
    for name, role in (
        ("city", "requester"),
        ("remote1", "remote"),
        ("remote2", "remote"),
        ("rev", "reviewer"),
        ("op", "operator"),
    ):
        user, _ = accounts.create_user(name, role, f"{name}-password-long")
        if role == "remote":
            user.languages = "en,vi"
            db.session.commit()
        out[name] = accounts.create_token(name)
    return out


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def stored() -> int:
    return db.session.scalar(select(func.count(TranslationRequest.id))) or 0


def docx_bytes(*paragraphs: str) -> bytes:
    return documents.write_docx("\n".join(paragraphs), "ja")


def send(client: Any, token: str, **data: Any) -> Any:
    return client.post("/api/v1/requests", json=data, headers=auth(token))


def upload(client: Any, token: str, name: str, body: bytes, **form: Any) -> Any:
    data = {"targets": ["en", "vi"], **form, "file": (io.BytesIO(body), name)}
    return client.post(
        "/api/v1/requests", data=data, headers=auth(token), content_type="multipart/form-data"
    )


def test_a_docx_request_becomes_one_piece_per_language(client: Any, tokens: dict[str, str]) -> None:
    r = upload(
        client,
        tokens["city"],
        "notice.docx",
        docx_bytes("避難所で水を配ります。", "毛布もあります。"),
    )
    assert r.status_code == 201, r.json
    body = r.json
    assert body["source_text"] == TEXT
    assert body["filename"] == "notice.docx"
    assert [p["lang"] for p in body["pieces"]] == ["en", "vi"]
    assert all(p["status"] == "waiting" and not p["overdue"] for p in body["pieces"])
    # Default deadline: two hours.
    deadline = db.session.get(TranslationRequest, body["id"]).deadline
    assert timedelta(minutes=119) < deadline - utcnow() <= timedelta(minutes=120)


def test_a_txt_file_in_shift_jis_is_read(client: Any, tokens: dict[str, str]) -> None:
    r = upload(client, tokens["city"], "memo.txt", "給水のお知らせ".encode("cp932"))
    assert r.status_code == 201, r.json
    assert r.json["source_text"] == "給水のお知らせ"


@pytest.mark.parametrize(
    ("name", "body", "status", "code"),
    [
        ("notice.docx", b"this is not a zip at all", 400, "not_docx"),
        ("notice.docx", b"PK\x03\x04 broken zip", 400, "not_docx"),
        ("notice.doc", b"\xd0\xcf\x11\xe0 old word", 400, "unsupported_file"),
        ("notice.pdf", b"%PDF-1.7", 400, "unsupported_file"),
    ],
)
def test_a_file_that_is_not_a_docx_is_refused(
    client: Any, tokens: dict[str, str], name: str, body: bytes, status: int, code: str
) -> None:
    r = upload(client, tokens["city"], name, body)
    assert (r.status_code, r.json["error"]["code"], r.json["error"]["field"]) == (
        status,
        code,
        "file",
    )
    assert stored() == 0


def test_a_zip_that_is_not_word_is_refused(client: Any, tokens: dict[str, str]) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    r = upload(client, tokens["city"], "notice.docx", out.getvalue())
    assert (r.status_code, r.json["error"]["code"]) == (400, "not_docx")
    assert stored() == 0


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    app: Any, client: Any, tokens: dict[str, str]
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(documents.DOCUMENT, b"<" + b"0" * (9 * 1024 * 1024))
    body = out.getvalue()
    assert len(body) < 64 * 1024  # small on the wire, 9 MB inflated
    r = upload(client, tokens["city"], "bomb.docx", body)
    assert (r.status_code, r.json["error"]["code"]) == (413, "zip_bomb")
    assert stored() == 0


def test_a_zip_bomb_that_lies_about_its_size_is_cut_off() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(documents.DOCUMENT, b"0" * 50_000)
    data = bytearray(out.getvalue())
    # Patch the central directory's uncompressed size (offset 24 of its record) to 10 bytes.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(documents.DocumentError) as caught:
        documents.read_docx(bytes(data), max_unzipped=1000)
    assert caught.value.code in ("zip_bomb", "not_docx")


def test_a_file_over_the_size_limit_is_refused(
    app: Any, client: Any, tokens: dict[str, str]
) -> None:
    app.config["REQUEST_FILE_MAX_BYTES"] = 1000
    r = upload(client, tokens["city"], "long.txt", "あ".encode() * 400)
    assert (r.status_code, r.json["error"]["code"]) == (413, "too_large")
    big = upload(client, tokens["city"], "huge.txt", b"a" * 200_000)
    assert big.status_code == 413
    assert stored() == 0


def test_a_deadline_in_the_past_is_refused(client: Any, tokens: dict[str, str]) -> None:
    past = (utcnow() - timedelta(minutes=5)).isoformat()
    r = send(client, tokens["city"], text=TEXT, targets=["en"], deadline=past)
    assert (r.status_code, r.json["error"]["field"]) == (400, "deadline")
    assert "future" in r.json["error"]["message"]
    assert stored() == 0


@pytest.mark.parametrize("lang", ["xx", "fr", "ja-x-klingon"])
def test_a_language_the_center_does_not_list_is_refused(
    client: Any, tokens: dict[str, str], lang: str
) -> None:
    r = send(client, tokens["city"], text=TEXT, targets=["en", lang])
    assert (r.status_code, r.json["error"]["code"], r.json["error"]["field"]) == (
        400,
        "unknown_language",
        "targets",
    )
    assert stored() == 0


def test_no_text_and_no_targets_are_refused(client: Any, tokens: dict[str, str]) -> None:
    assert send(client, tokens["city"], targets=["en"]).json["error"]["field"] == "text"
    assert send(client, tokens["city"], text=TEXT, targets=[]).json["error"]["field"] == "targets"
    assert stored() == 0


def new_request(client: Any, tokens: dict[str, str], **extra: Any) -> dict[str, Any]:
    r = send(client, tokens["city"], text=TEXT, targets=["en"], purpose="市のお知らせ", **extra)
    assert r.status_code == 201, r.json
    return dict(r.json)


def step(client: Any, token: str, piece_id: int, name: str, **body: Any) -> Any:
    return client.post(f"/api/v1/pieces/{piece_id}/{name}", json=body, headers=auth(token))


def test_a_claimed_piece_cannot_be_claimed_again(client: Any, tokens: dict[str, str]) -> None:
    piece = new_request(client, tokens)["pieces"][0]
    first = step(client, tokens["remote1"], piece["id"], "claim")
    assert (first.status_code, first.json["status"]) == (200, "claimed")
    second = step(client, tokens["remote2"], piece["id"], "claim")
    assert (second.status_code, second.json["error"]["code"]) == (409, "claimed")
    assert "remote1" in second.json["error"]["message"]
    row = db.session.get(RequestPiece, piece["id"])
    db.session.refresh(row)
    assert row.translator_id != accounts_id("remote2")
    # Only the holder may write; the other's save changes nothing.
    assert step(client, tokens["remote2"], piece["id"], "save", text="x").status_code == 409


def accounts_id(username: str) -> int:
    from server.models import User

    return int(db.session.scalar(select(User.id).where(User.username == username)))


def test_an_abandoned_claim_lapses_and_is_released(client: Any, tokens: dict[str, str]) -> None:
    piece = new_request(client, tokens)["pieces"][0]
    assert step(client, tokens["remote1"], piece["id"], "claim").status_code == 200
    row = db.session.get(RequestPiece, piece["id"])
    row.claimed_until = utcnow() - timedelta(seconds=1)  # nobody saved for the claim's time
    db.session.commit()
    # Checked on write: a lapsed claim is free to the next translator...
    taken = step(client, tokens["remote2"], piece["id"], "claim")
    assert (taken.status_code, taken.json["translator_id"]) == (200, accounts_id("remote2"))
    # ...and by the beat tick, which returns it to the queue.
    row = db.session.get(RequestPiece, piece["id"])
    db.session.refresh(row)
    row.claimed_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert requests.tick() == (1, 0)
    db.session.refresh(row)
    assert (row.status, row.translator_id) == ("waiting", None)
    actions = [e.action for e in db.session.scalars(select(PieceEvent).order_by(PieceEvent.id))]
    assert actions == ["claim", "claim", "lapse"]


def test_translate_check_deliver_and_remember(client: Any, tokens: dict[str, str]) -> None:
    req = new_request(client, tokens)
    pid = req["pieces"][0]["id"]
    assert step(client, tokens["remote1"], pid, "claim").status_code == 200
    done = step(
        client,
        tokens["remote1"],
        pid,
        "submit",
        text="Water is handed out at the shelter.\nBlankets too.",
    )
    assert done.json["status"] == "checking"
    own = step(client, tokens["remote1"], pid, "check", action="approve")
    assert (own.status_code, own.json["error"]["code"]) == (409, "own_work")
    requester = step(client, tokens["city"], pid, "check", action="approve")
    assert requester.status_code == 403
    ok = step(
        client,
        tokens["rev"],
        pid,
        "check",
        action="approve",
        text="Water is handed out at the shelter.\nThere are blankets too.",
    )
    assert (ok.status_code, ok.json["status"]) == (200, "delivered")
    # The pair, and each aligned line, are in the translation memory.
    memory = {e.source_text: e.target_text for e in db.session.scalars(select(MemoryEntry))}
    assert memory[TEXT].endswith("There are blankets too.")
    assert memory["毛布もあります。"] == "There are blankets too."
    seen = client.get(f"/api/v1/requests/{req['id']}", headers=auth(tokens["city"])).json
    assert seen["pieces"][0]["text"].startswith("Water is handed out")
    stats = {m.lang: m for m in metrics.per_language()}["en"]
    assert (stats.pieces, stats.delivered, stats.on_time, stats.due) == (1, 1, 1, 1)
    assert stats.median_claim_minutes is not None and stats.median_deliver_minutes is not None


def test_a_remote_account_cannot_open_inquiries_or_staff_routes(
    client: Any, tokens: dict[str, str]
) -> None:
    from server.inquiries import service as inquiries

    fields = inquiries.parse({"message": "水はどこ?", "lang": "ja", "name": "A"}, "api")
    inquiry = inquiries.create(fields, "api")[0]
    for path in (
        f"/api/v1/inquiries/{inquiry.id}",
        "/api/v1/inquiries",
        "/api/v1/shelters",
        "/api/v1/requests/metrics",
    ):
        r = client.get(path, headers=auth(tokens["remote1"]))
        assert r.status_code == 403, path
        assert r.json["error"]["code"] == "forbidden"
    assert client.get("/api/v1/requests/queue", headers=auth(tokens["remote1"])).status_code == 200
    # A requester may not claim, and may not read someone else's request.
    piece = new_request(client, tokens)["pieces"][0]
    assert step(client, tokens["city"], piece["id"], "claim").status_code == 403


def test_a_remote_account_on_the_console_sees_only_the_queue(
    app: Any, tokens: dict[str, str]
) -> None:
    from server.inquiries import service as inquiries

    inquiry = inquiries.create(inquiries.parse({"message": "水", "lang": "ja"}, "api"), "api")[0]
    browser = app.test_client()
    browser.post("/login", data={"username": "remote1", "password": "remote1-password-long"})
    assert browser.get(f"/inquiries/{inquiry.id}").status_code == 403
    for path in ("/inquiries", "/roster", "/shelters", "/requests/metrics", "/requests/invites"):
        assert browser.get(path).status_code == 403, path
    assert browser.get("/").headers["Location"].endswith("/requests/queue")
    page = browser.get("/requests/queue")
    assert page.status_code == 200 and "相談" not in page.get_data(as_text=True)


def test_overdue_pieces_are_marked_and_told_once(client: Any, tokens: dict[str, str]) -> None:
    req = new_request(client, tokens)
    row = db.session.get(TranslationRequest, req["id"])
    row.deadline = utcnow() - timedelta(minutes=3)
    db.session.commit()
    queue = client.get("/api/v1/requests/queue", headers=auth(tokens["op"])).json["pieces"]
    assert [p["overdue"] for p in queue] == [True]
    assert requests.tick() == (0, 1)
    assert requests.tick() == (0, 0)  # consoles were told once


@pytest.fixture
def tiny_ja_en(app: Any, tmp_path: Path) -> None:
    folder = Path(app.config["ARGOS_PACKAGES_DIR"])
    install(build_tiny_package(tmp_path, "ja", "en", {"水": "water", "毛布": "blanket"}), folder)


def test_the_machine_pre_fills_a_piece_through_the_drain(
    client: Any, tokens: dict[str, str], tiny_ja_en: None
) -> None:
    req = new_request(client, tokens)
    pid = req["pieces"][0]["id"]
    job = db.session.scalar(select(MachineJob))
    assert (job.kind, job.ref_id, job.target_lang) == ("request", pid, "en")
    assert req["pieces"][0]["machine_method"] is None  # still waiting for the drain
    assert machine_jobs.translate_machine("ja", "en") == 1
    db.session.expire_all()
    piece = db.session.get(RequestPiece, pid)
    assert piece.machine_method == "machine"
    assert "water" in (piece.machine_text or "")
    assert db.session.scalar(select(MachineJob)) is None


def test_without_a_model_the_pre_fill_says_why(client: Any, tokens: dict[str, str]) -> None:
    piece = new_request(client, tokens)["pieces"][0]
    assert piece["machine_method"] == "none"
    assert "no model" in piece["machine_note"] or "engine" in piece["machine_note"]
    assert db.session.scalar(select(MachineJob)) is None
