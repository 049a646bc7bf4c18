"""Accounts over HTTP, as an attacker and as their owners would use them: sessions that end,
accounts disabled and re-enabled, passwords set, reset and changed, tokens that expire, login
throttling per address and per account, and the audit log of it all."""

from __future__ import annotations

import base64
import datetime as dt
import zlib

import pytest

from server import throttle
from tests.conftest import PASSWORD, create_account, csrf, log_in, make_app, token_for

NEW_PASSWORD = "a fresh long passphrase"


@pytest.fixture
def site(csrf_app):
    return csrf_app


@pytest.fixture
def boss(organiser):
    """A national organiser (username "organiser"), logged in."""
    return organiser


class Clock:
    """Moves the server's clock (server/throttle.now) for idle and lifetime tests."""

    def __init__(self, monkeypatch):
        self.now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        monkeypatch.setattr(throttle, "now", lambda: self.now)

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


def session_cookie(client) -> str:
    cookie = client.get_cookie("loa_session")
    assert cookie is not None
    return cookie.value


def cookie_payload(value: str) -> str:
    """What a signed Flask session cookie carries (readable by anyone who holds it)."""
    body = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return (zlib.decompress(raw) if value.startswith(".") else raw).decode()


def stats(client, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/v1/stats", headers=headers)


def post_page(client, url, page="/organiser/users", **fields):
    token = csrf(client.get(page).get_data(as_text=True))
    return client.post(url, data={**fields, "csrf_token": token})


def api_login(client, username, password=PASSWORD, **extra):
    body = {"username": username, "password": password, **extra}
    return client.post("/api/v1/auth/login", json=body)


def user_id(app, username):
    from server.accounts import get

    with app.app_context():
        return get(username).id


# -- sessions that end ---------------------------------------------------------------------------


def test_logout_ends_the_session_on_the_server(site, boss):
    saved = session_cookie(boss)
    assert stats(boss).status_code == 200
    post_page(boss, "/organiser/logout")
    thief = site.test_client()
    thief.set_cookie("loa_session", saved)  # the cookie as it was before logout
    assert thief.get("/organiser/users").status_code == 302
    assert stats(thief).status_code == 401


def test_the_cookie_carries_no_part_of_the_password_hash(site, boss):
    from server.accounts import get

    with site.app_context():
        password_hash = get("organiser").password_hash
    payload = cookie_payload(session_cookie(boss))
    assert "sid" in payload
    for start in range(0, len(password_hash) - 8):
        assert password_hash[start : start + 8] not in payload


def test_idle_timeout_and_absolute_lifetime(site, monkeypatch):
    clock = Clock(monkeypatch)
    create_account(site, "boss", role="organiser")
    client = site.test_client()
    log_in(client, "boss")
    clock.advance(minutes=59)
    assert client.get("/organiser/users").status_code == 200
    clock.advance(minutes=61)  # idle longer than LOA_SESSION_IDLE_MINUTES (60)
    assert client.get("/organiser/users").status_code == 302

    log_in(client, "boss")
    start = clock.now
    for _ in range(30):  # busy all day: a request every 30 minutes
        clock.advance(minutes=30)
        status = client.get("/organiser/users").status_code
        if status == 302:
            break
    assert status == 302  # ended by LOA_SESSION_HOURS (12) however active
    assert clock.now - start >= dt.timedelta(hours=12)


def test_the_lifetime_and_idle_time_are_settings(tmp_path, monkeypatch):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True, SESSION_IDLE_MINUTES=5, SESSION_HOURS=1)
    clock = Clock(monkeypatch)
    create_account(app, "boss", role="organiser")
    client = app.test_client()
    log_in(client, "boss")
    clock.advance(minutes=6)
    assert client.get("/organiser/users").status_code == 302
    assert app.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(hours=1)


# -- the life of an account ----------------------------------------------------------------------


def test_disable_ends_sessions_and_tokens_and_enable_lets_the_account_back(site, boss):
    create_account(site, "lan", role="organiser", province=12)
    lan = site.test_client()
    log_in(lan, "lan")
    token = token_for(site, "lan")
    assert (
        site.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )

    assert post_page(boss, f"/organiser/users/{user_id(site, 'lan')}/disable").status_code == 302
    assert lan.get("/organiser/users").status_code == 302  # the cookie no longer opens anything
    assert stats(lan).status_code == 401
    assert (
        site.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )
    assert log_in(site.test_client(), "lan").status_code == 401
    assert api_login(site.test_client(), "lan").status_code == 401

    assert post_page(boss, f"/organiser/users/{user_id(site, 'lan')}/enable").status_code == 302
    assert log_in(site.test_client(), "lan").status_code == 302
    # the revoked token stays revoked: the phone logs in again, with its records still on it
    assert (
        site.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )


def test_logging_in_again_does_not_undo_a_revoked_token(site, boss):
    create_account(site, "mai")
    token = token_for(site, "mai")
    with site.app_context():
        from server.devices import actor_for

        actor = actor_for(token)
        assert actor is not None
        token_id = actor.token_id
    post_page(boss, f"/organiser/devices/{token_id}/revoke", page="/organiser/devices")
    assert api_login(site.test_client(), "mai").status_code == 200
    assert (
        site.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )


def test_reset_forces_a_new_password_at_the_next_login(site, boss):
    create_account(site, "lan", role="organiser", province=12)
    lan = site.test_client()
    log_in(lan, "lan")
    page = post_page(boss, f"/organiser/users/{user_id(site, 'lan')}/reset")
    assert page.status_code == 200
    temporary = page.get_data(as_text=True).split("<code>")[1].split("</code>")[0]
    assert len(temporary) >= 20
    assert lan.get("/organiser/users").status_code == 302  # the old session ended
    assert log_in(site.test_client(), "lan").status_code == 401  # the old password too

    fresh = site.test_client()
    answer = log_in(fresh, "lan", temporary)
    assert answer.status_code == 302 and "/organiser/password" in answer.headers["Location"]
    forced = fresh.get("/organiser/")
    assert forced.status_code == 302 and "/organiser/password" in forced.headers["Location"]
    assert stats(fresh).status_code == 403
    changed = post_page(
        fresh,
        "/organiser/password",
        page="/organiser/password",
        current=temporary,
        new=NEW_PASSWORD,
        repeat=NEW_PASSWORD,
    )
    assert changed.status_code == 302
    assert fresh.get("/organiser/").status_code == 200
    assert log_in(site.test_client(), "lan", NEW_PASSWORD).status_code == 302


def test_a_phone_after_a_reset_sends_its_new_password_with_the_login(site, boss):
    create_account(site, "mai")
    page = post_page(boss, f"/organiser/users/{user_id(site, 'mai')}/reset")
    temporary = page.get_data(as_text=True).split("<code>")[1].split("</code>")[0]
    phone = site.test_client()
    first = api_login(phone, "mai", temporary)
    assert first.status_code == 403 and first.json["code"] == "password_change_required"
    weak = api_login(phone, "mai", temporary, new_password="123456789012")
    assert weak.status_code == 400 and weak.json["code"] == "password_common"
    done = api_login(phone, "mai", temporary, new_password=NEW_PASSWORD)
    assert done.status_code == 200 and done.json["token"].startswith("loa_")
    assert api_login(phone, "mai", NEW_PASSWORD).status_code == 200


def test_staff_change_their_own_password_on_the_phone(site):
    create_account(site, "mai")
    this_phone, other_phone = token_for(site, "mai"), token_for(site, "mai")
    client = site.test_client()
    auth = {"Authorization": f"Bearer {this_phone}"}
    wrong = client.post(
        "/api/v1/auth/password", json={"current_password": "nope", "new_password": NEW_PASSWORD}, headers=auth
    )
    assert wrong.status_code == 401 and wrong.json["code"] == "wrong_current_password"
    short = client.post(
        "/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "short"}, headers=auth
    )
    assert (
        short.status_code == 400
        and short.json["code"] == "password_too_short"
        and short.json["params"]["min"] == 10
    )
    done = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=auth,
    )
    assert done.status_code == 200
    assert client.get("/api/v1/me", headers=auth).status_code == 200  # this phone goes on
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other_phone}"}).status_code == 401
    assert api_login(client, "mai").status_code == 401
    assert api_login(client, "mai", NEW_PASSWORD).status_code == 200


def test_cli_disable_enable_set_password_and_reset(site, runner):
    from server.cli import cli

    create_account(site, "mai")
    token = token_for(site, "mai")
    me = lambda: site.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})  # noqa: E731
    assert me().status_code == 200
    assert runner.invoke(cli, ["users", "disable", "mai"]).exit_code == 0
    assert me().status_code == 401
    assert "(disabled)" in runner.invoke(cli, ["users", "list"]).output
    assert runner.invoke(cli, ["users", "enable", "mai"]).exit_code == 0
    weak = runner.invoke(cli, ["users", "set-password", "mai", "--password", "password1234"])
    assert weak.exit_code != 0 and "common" in weak.output
    assert runner.invoke(cli, ["users", "set-password", "mai", "--password", NEW_PASSWORD]).exit_code == 0
    assert api_login(site.test_client(), "mai", NEW_PASSWORD).status_code == 200
    temporary = runner.invoke(cli, ["users", "reset-password", "mai"]).output.strip()
    assert api_login(site.test_client(), "mai", temporary).json["code"] == "password_change_required"
    missing = runner.invoke(cli, ["users", "disable", "nobody"])
    assert missing.exit_code != 0 and "nobody" in missing.output


def test_unused_tokens_expire_and_the_phone_can_log_in_again(site):
    from server.extensions import db
    from server.models import DeviceToken

    create_account(site, "mai")
    token = token_for(site, "mai")
    client = site.test_client()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with site.app_context():
        old = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=91)
        db.session.execute(db.update(DeviceToken).values(last_used_at=old, created_at=old, last_sync_at=None))
        db.session.commit()
    expired = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert expired.status_code == 401 and expired.json["code"] == "login_needed"
    assert api_login(client, "mai").status_code == 200


def test_password_policy(site):
    from server.accounts import PasswordRejected, create_user

    with site.app_context():
        for password, role, code in [
            ("elevenchars", "organiser", "too_short"),
            ("password1234", "organiser", "common"),
            ("qwertyuiop12", "organiser", "common"),
            ("aaaaaaaaaaaaaa", "organiser", "common"),
            ("boss-super-secret", "organiser", "has_username"),
        ]:
            with pytest.raises(PasswordRejected) as caught:
                create_user("boss", password, role)
            assert caught.value.code == code, password
        assert create_user("mai", "ten chars!", "staff", province_code=12).username == "mai"
        assert create_user("boss", "mountain river 42", "organiser").username == "boss"


# -- throttling ----------------------------------------------------------------------------------


def from_address(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_guessing_one_account_from_many_addresses_is_slowed_not_the_owner(site):
    create_account(site, "boss", role="organiser")
    owner = site.test_client()
    assert log_in(owner, "boss").status_code == 302  # this browser is now known to the account
    post_page(owner, "/organiser/logout")
    statuses = []
    for n in range(150):
        attacker = from_address(site.test_client(), f"10.0.{n // 10}.{n % 10}")  # 15 addresses
        statuses.append(log_in(attacker, "boss", f"guess number {n}").status_code)
    assert statuses[:5] == [401] * 5
    assert statuses.count(429) >= 140
    right = log_in(from_address(site.test_client(), "10.9.9.9"), "boss")
    assert right.status_code == 429 and int(right.headers["Retry-After"]) >= 1
    assert log_in(owner, "boss").status_code == 302  # never a lockout of the owner's own browser


def test_phone_login_is_throttled_per_account_too(site):
    create_account(site, "mai")
    for n in range(8):
        api_login(from_address(site.test_client(), f"10.1.0.{n}"), "mai", "wrong password!")
    answer = api_login(from_address(site.test_client(), "10.1.1.1"), "mai")
    assert answer.status_code == 429
    assert answer.json["code"] == "too_many_attempts" and answer.json["params"]["seconds"] >= 1
    assert int(answer.headers["Retry-After"]) == answer.json["params"]["seconds"]


@pytest.mark.parametrize("lang", ["vi", "en", "km", "mww"])
def test_a_throttled_web_login_is_429_in_every_language(tmp_path, lang):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True, LOGIN_RATE_PER_MINUTE=3)
    client = app.test_client()
    client.set_cookie("loa_lang", lang)
    answers = [log_in(client, "nobody", "wrong password!") for _ in range(4)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    html = answers[-1].get_data(as_text=True)
    assert f'lang="{lang}"' in html
    assert ("Too many attempts" in html) == (lang == "en")  # said in the reader's language


def test_the_limiter_forgets_and_stays_bounded(tmp_path, monkeypatch):
    from server.extensions import db
    from server.models import Throttle

    app = make_app(tmp_path, THROTTLE_MAX_KEYS=50)
    clock = Clock(monkeypatch)
    with app.test_request_context():
        for n in range(200):
            throttle.hit(f"test:{n}", 10)
        throttle.failed("test:account")
        assert throttle.purge() >= 150
        rows = db.session.execute(db.select(Throttle.key)).scalars().all()
        assert len(rows) <= 50 and "test:account" in rows  # failures outlive plain counters
        clock.advance(minutes=11)
        throttle.purge()
        assert db.session.execute(db.select(Throttle.key)).scalars().all() == ["test:account"]
        clock.advance(days=1, minutes=1)
        throttle.purge()
        assert db.session.execute(db.select(Throttle.key)).scalars().all() == []


# -- the audit log -------------------------------------------------------------------------------


def test_the_audit_log_records_and_exports_who_did_what(site, boss):
    create_account(site, "lan", role="organiser", province=12)
    lan_id = user_id(site, "lan")
    post_page(boss, f"/organiser/users/{lan_id}/disable")
    post_page(boss, f"/organiser/users/{lan_id}/enable")
    post_page(boss, f"/organiser/users/{lan_id}/reset")
    page = boss.get("/organiser/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for words in ("Tạo tài khoản", "Khóa tài khoản", "Mở lại tài khoản", "Cấp lại mật khẩu", "user:lan"):
        assert words in html
    csv_text = boss.get("/organiser/audit.csv?action=user.disabled").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert (
        lines[0].startswith("id,at_utc,actor")
        and len(lines) == 2
        and "organiser,user.disabled,user:lan" in lines[1]
    )

    create_account(site, "hoa", role="organiser", province=12)
    hoa = site.test_client()
    log_in(hoa, "hoa")
    assert hoa.get("/organiser/audit").status_code == 403  # province organisers: not theirs to read
    assert hoa.get("/organiser/audit.csv").status_code == 403


def test_guessing_the_current_password_on_the_change_page_is_throttled(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True, LOGIN_RATE_PER_MINUTE=3)
    create_account(app, "boss", role="organiser")
    client = app.test_client()
    log_in(client, "boss")
    guesses = [
        post_page(
            client,
            "/organiser/password",
            page="/organiser/password",
            current=f"guess {n}",
            new=NEW_PASSWORD,
            repeat=NEW_PASSWORD,
        )
        for n in range(4)
    ]
    assert [g.status_code for g in guesses] == [400, 400, 400, 429]
    assert "Thử quá nhiều lần" in guesses[-1].get_data(as_text=True)


def test_reading_pages_never_sends_the_login_cookie_back(site, boss):
    """A page's parallel requests (the service worker saving a language) must not each send back
    the cookie as they read it: one of them would drop a CSRF token another had just added."""
    for url in ("/vi/", "/vi/topics/complaints", "/organiser/users", "/api/v1/stats"):
        answer = boss.get(url)
        assert answer.status_code == 200, url
        assert "loa_session=" not in answer.headers.get("Set-Cookie", ""), url
