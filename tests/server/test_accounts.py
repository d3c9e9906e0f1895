"""Accounts: one-time passwords changed at first sign-in, the admin's user pages, the CLI, audit."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from server.cli import main as cli
from server.core.extensions import db
from server.models import AuditLog, User
from server.people import accounts

NEW = "a-new-long-password"


def login(client: Any, username: str, password: str) -> Any:
    return client.post("/login", data={"username": username, "password": password})


def audit_actions(user: User) -> list[str]:
    rows = db.session.scalars(
        select(AuditLog).where(AuditLog.object_type == "user", AuditLog.object_id == user.id)
    )
    return [r.action for r in rows]


def test_first_admin_must_change_the_one_time_password(client: Any) -> None:
    made = accounts.first_admin()
    assert made is not None
    admin, one_time = made
    assert admin.must_change_password
    assert login(client, "admin", one_time).status_code == 302
    for page in ("/", "/users", "/inquiries", "/shelters", "/reports"):
        r = client.get(page)
        assert r.status_code == 302 and r.headers["Location"].endswith("/account/password"), page
    form = client.get("/account/password").get_data(as_text=True)
    assert "ワンタイムパスワード" in form
    # Clear errors, nothing changed.
    r = client.post(
        "/account/password",
        data={"current_password": one_time, "new_password": "short", "new_password_again": "short"},
    )
    assert r.status_code == 400 and "10文字以上" in r.get_data(as_text=True)
    r = client.post(
        "/account/password?lang=en",
        data={"current_password": "wrong-password", "new_password": NEW, "new_password_again": NEW},
    )
    assert r.status_code == 400 and "The current password is wrong." in r.get_data(as_text=True)
    r = client.post(
        "/account/password",
        data={"current_password": one_time, "new_password": NEW, "new_password_again": NEW + "x"},
    )
    assert r.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, admin.id).must_change_password
    r = client.post(
        "/account/password",
        data={"current_password": one_time, "new_password": NEW, "new_password_again": NEW},
    )
    assert r.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert login(client, "admin", one_time).status_code == 401  # the one-time one is gone
    assert login(client, "admin", NEW).status_code == 302
    assert audit_actions(admin) == ["user.create", "user.password"]


def test_password_rules() -> None:
    with pytest.raises(accounts.AccountError, match="at least 10"):
        accounts.check_password("123456789", "someone")
    with pytest.raises(accounts.AccountError, match="user name"):
        accounts.check_password("Volunteer-1", "volunteer-1")
    with pytest.raises(accounts.AccountError, match="at most"):
        accounts.check_password("x" * 257, "someone")
    accounts.check_password("correct horse", "someone")


def test_admin_creates_edits_disables_and_resets(client: Any, app: Any) -> None:
    boss, _pw = accounts.create_user("boss", "admin", "admin-password")
    login(client, "boss", "admin-password")
    r = client.post("/users", data={"username": "lan", "role": "operator", "languages": "ja, VI"})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    page = r.get_data(as_text=True)
    one_time = page.split('id="one-time-password">')[1].split("<")[0]
    lan = db.session.scalar(select(User).where(User.username == "lan"))
    assert lan is not None and lan.languages == "ja,vi" and lan.must_change_password
    # Bad input: a readable error, nothing stored.
    r = client.post("/users", data={"username": "x", "role": "operator", "languages": "klingon"})
    assert r.status_code == 400 and "klingon" in r.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "x")) is None
    listing = client.get("/users").get_data(as_text=True)
    assert "lan" in listing and "オペレーター" in listing and "ワンタイムパスワード" in listing

    r = client.post(f"/users/{lan.id}", data={"role": "reviewer", "languages": "ja,vi,en"})
    assert r.status_code == 302
    db.session.expire_all()
    lan = db.session.get(User, lan.id)
    assert lan.role == "reviewer" and lan.languages == "ja,vi,en"
    # A refused change changes nothing (not even the valid half of the form).
    r = client.post(f"/users/{lan.id}", data={"role": "operator", "languages": "zz"})
    assert r.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, lan.id).role == "reviewer"

    # The last active admin cannot be demoted or disabled; nobody disables themselves.
    r = client.post(f"/users/{boss.id}", data={"role": "operator", "languages": "ja"})
    assert r.status_code == 400 and "最後の有効な管理者" in r.get_data(as_text=True)
    client.post(f"/users/{boss.id}/active", data={"active": "0"})
    db.session.expire_all()
    assert db.session.get(User, boss.id).active

    token = accounts.create_token("lan")
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/announcements", headers=headers).status_code == 200
    assert client.post(f"/users/{lan.id}/active", data={"active": "0"}).status_code == 302
    assert api.get("/api/v1/announcements", headers=headers).status_code == 401
    assert login(app.test_client(), "lan", one_time).status_code == 401
    client.post(f"/users/{lan.id}/active", data={"active": "1"})

    # Reset needs the confirmation box; the new one-time password must be changed.
    client.post(f"/users/{lan.id}/reset-password", data={})
    db.session.expire_all()
    assert not any(a == "user.reset_password" for a in audit_actions(lan))
    r = client.post(f"/users/{lan.id}/reset-password", data={"confirm": "yes"})
    fresh = r.get_data(as_text=True).split('id="one-time-password">')[1].split("<")[0]
    assert fresh != one_time
    other = app.test_client()
    assert login(other, "lan", one_time).status_code == 401
    assert login(other, "lan", fresh).status_code == 302
    assert other.get("/").headers["Location"].endswith("/account/password")

    assert audit_actions(lan) == [
        "user.create",
        "user.role",
        "user.languages",
        "user.disable",
        "user.enable",
        "user.reset_password",
    ]
    rows = db.session.scalars(select(AuditLog).where(AuditLog.object_id == lan.id))
    assert {r.user_id for r in rows} == {boss.id}
    history = client.get(f"/users/{lan.id}").get_data(as_text=True)
    assert "operator → reviewer" in history and "JST" in history


def test_only_admins_manage_users(client: Any) -> None:
    accounts.create_user("op", "operator", "operator-password")
    login(client, "op", "operator-password")
    assert client.get("/users").status_code == 403
    assert client.post("/users", data={"username": "x", "role": "admin"}).status_code == 403
    assert db.session.scalar(select(User).where(User.username == "x")) is None


def test_cli_users_list_disable_reset_set_role(app: Any) -> None:
    env = {
        "TAGENGO_DATABASE_URL": app.config["DATABASE_URL"],
        "TAGENGO_SECRET_KEY": app.config["SECRET_KEY"],
        "TAGENGO_DATA_DIR": app.config["DATA_DIR"],
    }
    runner = CliRunner()
    made = runner.invoke(cli, ["users", "create", "kim", "--languages", "ja,ko"], env=env)
    assert made.exit_code == 0, made.output
    assert "One-time password" in made.output
    listed = runner.invoke(cli, ["users", "list"], env=env)
    assert "kim\toperator\tja,ko\tactive (one-time password)" in listed.output
    assert runner.invoke(cli, ["users", "set-role", "kim", "reviewer"], env=env).exit_code == 0
    assert runner.invoke(cli, ["users", "disable", "kim"], env=env).exit_code == 0
    reset = runner.invoke(cli, ["users", "reset-password", "kim"], env=env)
    assert reset.exit_code == 0 and "One-time password" in reset.output
    listed = runner.invoke(cli, ["users", "list"], env=env)
    assert "kim\treviewer\tja,ko\tdisabled" in listed.output
    missing = runner.invoke(cli, ["users", "disable", "nobody"], env=env)
    assert missing.exit_code != 0 and "No user nobody." in missing.output
    db.session.expire_all()
    kim = db.session.scalar(select(User).where(User.username == "kim"))
    assert kim is not None and not kim.active and kim.must_change_password
    assert audit_actions(kim) == [
        "user.create",
        "user.role",
        "user.disable",
        "user.reset_password",
    ]


def test_login_message_is_translated(client: Any) -> None:
    r = client.get("/inquiries", follow_redirects=True)
    assert "このページを見るにはサインインしてください。" in r.get_data(as_text=True)
    r = client.get("/inquiries?lang=en", follow_redirects=True)
    assert "Please sign in to see this page." in r.get_data(as_text=True)
