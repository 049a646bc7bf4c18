"""What strangers can add is bounded, as an attacker or a resident would notice: online scans
count once per leaflet, phone and day (and a few per address at most, whatever the cookies),
residents' phones have daily quotas answered with 429 and nothing stored, and no address is
ever stored. The concurrent cases against a real server are in test_quotas_live.py."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from server import leaflets, provenance, quotas
from server.extensions import db
from server.models import (
    HOLD_QUARANTINED,
    DailySalt,
    Device,
    DeviceSeq,
    DeviceToken,
    LeafletScan,
    QuizResponse,
    QuotaUse,
    SyncRecord,
)
from server.state import state
from tests.conftest import KHOEN_ON, MUONG_KIM, make_app, now_stamp, post_sync, quiz_record, rid

ADDRESS = "203.0.113.7"
CARRIER = {"REMOTE_ADDR": ADDRESS}


def make_leaflets(app, communes=(MUONG_KIM,)) -> list[str]:
    with app.app_context():
        made = leaflets.get_or_create_leaflets("complaints", "vi", list(communes), state(app).content)
        return [leaflet.code for leaflet in made]


@pytest.fixture
def leaflet(app) -> str:
    return make_leaflets(app)[0]


def scans(app, code: str | None = None) -> int:
    with app.app_context():
        query = db.session.query(LeafletScan)
        return (query.filter_by(code=code) if code else query).count()


def move_to(monkeypatch, moment: dt.datetime) -> None:
    """The server's clock for days and quotas (quotas.now), set to `moment` (naive UTC)."""
    monkeypatch.setattr(quotas, "now", lambda: moment)


def topic_title(app) -> str:
    return state(app).content.topics["vi"]["complaints"].title


# -- online scans ---------------------------------------------------------------------------------


def test_300_cookieless_visits_from_one_address_count_one_scan(app, leaflet):
    for _ in range(300):
        reader = app.test_client(use_cookies=False)
        response = reader.get(f"/l/{leaflet}", environ_base=CARRIER)
        assert response.status_code == 200 and topic_title(app) in response.get_data(as_text=True)
    assert scans(app) == 1
    app.test_client(use_cookies=False).get(f"/l/{leaflet}", environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert scans(app) == 2, "another address still counts"


def test_a_phone_counts_once_per_leaflet_and_day_and_again_the_next_day(app, leaflet, monkeypatch):
    today = quotas.now()
    phone = app.test_client()
    for _ in range(5):
        assert phone.get(f"/l/{leaflet}", environ_base=CARRIER).status_code == 200
    assert scans(app) == 1, "the first visit (no cookie yet) and the reloads (with it) count once"
    move_to(monkeypatch, today + dt.timedelta(days=1))
    phone.get(f"/l/{leaflet}", environ_base=CARRIER)
    phone.get(f"/l/{leaflet}", environ_base={"REMOTE_ADDR": "198.51.100.4"})  # moved to another network
    assert scans(app) == 2, "once more the next day, wherever the phone is"
    move_to(monkeypatch, today + dt.timedelta(days=2))
    phone.get(f"/l/{leaflet}", environ_base=CARRIER)
    assert scans(app) == 3
    with app.app_context():
        days = [s.client_day for s in db.session.query(LeafletScan).order_by(LeafletScan.client_day)]
    assert days == [today.date() + dt.timedelta(days=n) for n in range(3)]


def test_the_phone_gets_a_lasting_first_party_cookie(tmp_path, leaflet, app):
    response = app.test_client().get(f"/l/{leaflet}")
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("loa_client=")]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "max-age", "path"} <= attributes and "secure" not in attributes
    assert "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie
    assert "Cache-Control" in response.headers and "private" in response.headers["Cache-Control"]
    secure = make_app(tmp_path / "secure", SESSION_COOKIE_SECURE=True)
    code = make_leaflets(secure)[0]
    response = secure.test_client().get(f"/l/{code}")
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("loa_client=")]
    assert "Secure" in cookie
    again = secure.test_client()
    again.set_cookie("loa_client", "x" * 22)
    assert not [c for c in again.get(f"/l/{code}").headers.getlist("Set-Cookie") if "loa_client" in c]


def test_different_cookies_from_one_address_count_up_to_the_cap_and_no_further(app, monkeypatch):
    code, other_leaflet = make_leaflets(app, (MUONG_KIM, KHOEN_ON))
    cap = app.config["SCANS_PER_ADDRESS_PER_DAY"]
    assert cap == 30, "the default"
    for n in range(cap + 15):
        phone = app.test_client()
        phone.set_cookie("loa_client", f"invented-cookie-{n:06d}-xxxxxx")
        response = phone.get(f"/l/{code}", environ_base=CARRIER)
        assert response.status_code == 200, "over the cap the page is served all the same"
        assert topic_title(app) in response.get_data(as_text=True)
    assert scans(app, code) == cap
    counted = app.test_client()
    counted.get(f"/l/{other_leaflet}", environ_base=CARRIER)
    assert scans(app, other_leaflet) == 1, "the cap is per leaflet"
    app.test_client().get(f"/l/{code}", environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert scans(app, code) == cap + 1, "and per address"
    move_to(monkeypatch, quotas.now() + dt.timedelta(days=1))
    app.test_client().get(f"/l/{code}", environ_base=CARRIER)
    assert scans(app, code) == cap + 2, "and per day"


def test_a_malformed_cookie_is_a_phone_without_one(app, leaflet):
    for value in ("short", "x" * 60, "bad cookie with spaces!!!!!!"):
        phone = app.test_client()
        phone.set_cookie("loa_client", value)
        response = phone.get(f"/l/{leaflet}", environ_base=CARRIER)
        assert response.status_code == 200
        assert any(c.startswith("loa_client=") for c in response.headers.getlist("Set-Cookie")), value
    assert scans(app) == 1, "counted as cookie-less visits from one address: once"


def test_the_service_workers_copy_of_the_page_does_not_count(app, leaflet):
    app.test_client().get(f"/l/{leaflet}", headers={"X-Loa-No-Scan": "1"})
    assert scans(app) == 0


def test_no_address_and_no_lasting_link_to_the_phone(app, leaflet, monkeypatch):
    today = quotas.now()
    app.test_client().get(f"/l/{leaflet}", environ_base=CARRIER)
    with app.app_context():
        scan = db.session.query(LeafletScan).one()
        assert scan.client_hash is not None and len(scan.client_hash) == 64
        stored = [str(getattr(scan, c.name)) for c in LeafletScan.__table__.columns]
        stored += [f"{q.key} {q.used}" for q in db.session.query(QuotaUse)]
        assert not any(ADDRESS in value for value in stored)
        assert db.session.query(DailySalt).count() == 1
        assert db.session.query(QuotaUse).count() > 0
    move_to(monkeypatch, today + dt.timedelta(days=1))
    app.test_client().get(f"/l/{leaflet}")
    with app.app_context():
        assert db.session.query(DailySalt).count() == 2, "yesterday's salt is kept one more day"
    move_to(monkeypatch, today + dt.timedelta(days=3))
    app.test_client().get(f"/l/{leaflet}")
    with app.app_context():
        days = [s.day for s in db.session.query(DailySalt)]
        quota_days = {q.day for q in db.session.query(QuotaUse)}
    assert days == [(today + dt.timedelta(days=3)).date()], "older salts are gone: their hashes lead nowhere"
    assert quota_days == {(today + dt.timedelta(days=3)).date()}, "so are older quota counts"


def test_an_online_scan_says_which_web_client_made_it_without_a_device_row(app, leaflet):
    phone = app.test_client()
    phone.get(f"/l/{leaflet}")
    with app.app_context():
        scan = db.session.query(LeafletScan).one()
        assert scan.client_hash is not None
        device = provenance.web_device(scan.client_hash)
        assert device == "web:" + scan.client_hash[:16]
        assert db.session.query(Device).count() == 0
        assert provenance.quarantine(device, "flooding", None)
    other = make_leaflets(app, (KHOEN_ON,))[0]
    phone.get(f"/l/{other}")  # the same phone, another leaflet: held like the rest of its scans
    with app.app_context():
        assert {s.hold for s in db.session.query(LeafletScan)} == {HOLD_QUARANTINED}


# -- residents' quotas ----------------------------------------------------------------------------


def anonymous_token(client, address=ADDRESS) -> str:
    response = client.post(
        "/api/v1/devices/anonymous", json={"device_id": rid()}, environ_base={"REMOTE_ADDR": address}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def fresh_answers(app, n: int, seq_from: int = 1) -> list[dict]:
    records = []
    for i in range(n):
        record = quiz_record(app)
        record["created_at"] = now_stamp()
        record["seq"] = seq_from + i
        records.append(record)
    return records


def stored_ids(app) -> set[str]:
    with app.app_context():
        answers = set(db.session.scalars(select(QuizResponse.id)))
        scanned = set(db.session.scalars(select(LeafletScan.id)))
        ledger = set(db.session.scalars(select(SyncRecord.id)))
        assert ledger == answers | scanned, "the ledger and the records agree"
        return ledger


def test_a_residents_phone_over_its_daily_quota_gets_429_and_nothing_is_stored(tmp_path, monkeypatch):
    app = make_app(tmp_path, RESIDENT_RECORDS_PER_DAY=5)
    code = make_leaflets(app)[0]
    client = app.test_client()
    token = anonymous_token(client)
    device = rid()
    first = fresh_answers(app, 4)
    answer = post_sync(client, token, first, device_id=device, environ_base=CARRIER)
    assert answer.status_code == 200 and len(answer.get_json()["accepted"]) == 4
    second = fresh_answers(app, 1, seq_from=5)
    second.append(
        {
            "id": rid(),
            "seq": 6,
            "type": "leaflet_scan",
            "created_at": now_stamp(),
            "data": {"code": code, "scanned_at": now_stamp()},
        }
    )
    moment = dt.datetime.combine(quotas.today(), dt.time(23, 58, 20))
    move_to(monkeypatch, moment)
    response = post_sync(client, token, second, device_id=device, environ_base=CARRIER)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "100", "seconds until the next UTC midnight"
    body = response.get_json()
    assert body["quota"] == "LOA_RESIDENT_RECORDS_PER_DAY" and body["limit"] == 5 and body["remaining"] == 1
    assert body["code"] == "quota_exceeded" and body["params"]["quota"] == body["quota"]
    assert "nothing was stored" in body["message"]
    assert stored_ids(app) == {r["id"] for r in first}, "nothing of the refused batch"
    with app.app_context():
        seqs = set(db.session.scalars(select(DeviceSeq.seq).where(DeviceSeq.device_id == device)))
        assert seqs == {1, 2, 3, 4}, "not even its sequence numbers"
    again = post_sync(client, token, first, device_id=device, environ_base=CARRIER)
    assert again.status_code == 200 and len(again.get_json()["duplicates"]) == 4, "resending costs nothing"
    assert post_sync(client, token, second[:1], device_id=device, environ_base=CARRIER).status_code == 200
    assert post_sync(client, token, second[1:], device_id=device, environ_base=CARRIER).status_code == 429
    move_to(monkeypatch, moment + dt.timedelta(minutes=2))  # past midnight: a new day
    assert post_sync(client, token, second[1:], device_id=device, environ_base=CARRIER).status_code == 200
    assert len(stored_ids(app)) == 6


def test_staff_phones_have_no_resident_quota(tmp_path):
    from tests.conftest import token_for

    app = make_app(tmp_path, RESIDENT_RECORDS_PER_DAY=1, RESIDENT_RECORDS_PER_ADDRESS_PER_DAY=1)
    client = app.test_client()
    token = token_for(app)
    assert post_sync(client, token, fresh_answers(app, 3)).status_code == 200
    assert len(stored_ids(app)) == 3


def test_residents_behind_one_address_share_its_daily_quota(tmp_path):
    app = make_app(tmp_path, RESIDENT_RECORDS_PER_ADDRESS_PER_DAY=6)
    client = app.test_client()
    first, second = anonymous_token(client), anonymous_token(client)
    accepted = post_sync(client, first, fresh_answers(app, 4), environ_base=CARRIER)
    assert accepted.status_code == 200
    refused = post_sync(client, second, fresh_answers(app, 3), environ_base=CARRIER)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    body = refused.get_json()
    assert (body["quota"], body["limit"], body["remaining"]) == (
        "LOA_RESIDENT_RECORDS_PER_ADDRESS_PER_DAY",
        6,
        2,
    )
    assert len(stored_ids(app)) == 4
    elsewhere = post_sync(client, second, fresh_answers(app, 3), environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert elsewhere.status_code == 200, "the same phone on another network"
    assert post_sync(client, second, fresh_answers(app, 2), environ_base=CARRIER).status_code == 200
    assert len(stored_ids(app)) == 9


def test_anonymous_tokens_per_address_are_limited(tmp_path):
    app = make_app(tmp_path, RESIDENT_TOKENS_PER_ADDRESS_PER_DAY=3, LOGIN_RATE_PER_MINUTE=100)
    client = app.test_client()
    answers = [
        client.post("/api/v1/devices/anonymous", json={"device_id": rid()}, environ_base=CARRIER)
        for _ in range(5)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    refused = answers[-1]
    assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600
    body = refused.get_json()
    assert (body["quota"], body["limit"], body["remaining"]) == (
        "LOA_RESIDENT_TOKENS_PER_ADDRESS_PER_DAY",
        3,
        0,
    )
    assert "token" not in body
    with app.app_context():
        assert db.session.query(DeviceToken).count() == 3, "no token for the refused requests"
    assert anonymous_token(client, "198.51.100.4"), "another address still gets one"


def test_seconds_to_tomorrow():
    day = dt.date(2027, 3, 15)
    assert quotas.seconds_to_tomorrow(dt.datetime.combine(day, dt.time(0, 0))) == 86400
    assert quotas.seconds_to_tomorrow(dt.datetime.combine(day, dt.time(23, 59, 59, 500000))) == 1
    assert quotas.seconds_to_tomorrow(dt.datetime.combine(day, dt.time(12, 0))) == 43200
