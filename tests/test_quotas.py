"""What strangers can add is bounded: online scans count once per leaflet, phone and day (and
a few per address), residents' phones have daily quotas, and no address is ever stored."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

from server import leaflets, quotas
from server.extensions import db
from server.models import DailySalt, LeafletScan, QuizResponse
from server.state import state
from tests.conftest import MUONG_KIM, make_app, now_stamp, post_sync, quiz_record, rid


@pytest.fixture
def leaflet(app) -> str:
    with app.app_context():
        made = leaflets.get_or_create_leaflets("complaints", "vi", [MUONG_KIM], state(app).content)
        return made[0].code


def scans(app) -> int:
    with app.app_context():
        return db.session.query(LeafletScan).count()


def test_300_cookieless_visits_from_one_address_count_at_most_the_address_cap(app, leaflet):
    for _ in range(300):
        client = app.test_client(use_cookies=False)
        assert client.get(f"/l/{leaflet}", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 200
    assert scans(app) == app.config["SCANS_PER_ADDRESS_PER_DAY"] == 30
    other = app.test_client(use_cookies=False)
    other.get(f"/l/{leaflet}", environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert scans(app) == 31, "another address still counts"


def test_a_phone_counts_once_per_leaflet_and_day(app, leaflet, monkeypatch):
    phone = app.test_client()
    for _ in range(5):
        phone.get(f"/l/{leaflet}")
    assert scans(app) == 1
    tomorrow = quotas.now() + dt.timedelta(days=1)
    monkeypatch.setattr(quotas, "now", lambda: tomorrow)
    phone.get(f"/l/{leaflet}")
    phone.get(f"/l/{leaflet}")
    assert scans(app) == 2, "once more the next day"


def test_two_requests_at_the_same_moment_count_once(tmp_path, leaflet, app):
    cookie = app.test_client()
    cookie.get(f"/l/{leaflet}")  # gets its cookie, counts once
    value = cookie.get_cookie("loa_client").value

    def visit(_):
        client = app.test_client()
        client.set_cookie("loa_client", value)
        return client.get(f"/l/{leaflet}").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(visit, range(16))) == {200}
    assert scans(app) == 1


def test_no_address_and_no_lasting_link_to_the_phone(app, leaflet, monkeypatch):
    app.test_client().get(f"/l/{leaflet}", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    with app.app_context():
        scan = db.session.query(LeafletScan).one()
        assert scan.client_hash is not None and len(scan.client_hash) == 64
        assert "203.0.113.9" not in scan.client_hash
        assert db.session.query(DailySalt).count() == 1
    later = quotas.now() + dt.timedelta(days=2)
    monkeypatch.setattr(quotas, "now", lambda: later)
    app.test_client().get(f"/l/{leaflet}")
    with app.app_context():
        days = [s.day for s in db.session.query(DailySalt)]
    assert days == [later.date()], "the salt of two days ago is gone: its hashes lead nowhere"


def test_a_residents_phone_over_its_daily_quota_gets_429_and_nothing_is_stored(tmp_path):
    app = make_app(tmp_path, RESIDENT_RECORDS_PER_DAY=5)
    client = app.test_client()
    token = client.post("/api/v1/devices/anonymous", json={"device_id": rid()}).get_json()["token"]
    first = [quiz_record(app) for _ in range(4)]
    for record in first:
        record["created_at"] = now_stamp()
    assert len(post_sync(client, token, first).get_json()["accepted"]) == 4
    second = [quiz_record(app) for _ in range(2)]
    for record in second:
        record["created_at"] = now_stamp()
    response = post_sync(client, token, second)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    body = response.get_json()
    assert body["quota"] == "records per phone per day" and body["limit"] == 5
    assert "nothing was stored" in body["message"]
    with app.app_context():
        assert db.session.query(QuizResponse).count() == 4
    assert post_sync(client, token, first).status_code == 200, "resending what is stored costs nothing"
    assert post_sync(client, token, second[:1]).status_code == 200, "one more fits"


def test_anonymous_tokens_per_address_are_limited(tmp_path):
    app = make_app(tmp_path, RESIDENT_TOKENS_PER_ADDRESS_PER_DAY=3, LOGIN_RATE_PER_MINUTE=100)
    client = app.test_client()
    codes = [
        client.post("/api/v1/devices/anonymous", json={"device_id": rid()}).status_code for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
