"""POST /api/v1/sync over HTTP: status codes and messages of the design's contract."""

import gzip
import json

from tests.conftest import attendance_record, post_sync, rid, session_record, token_for


def test_happy_path_and_response_shape(app, client):
    token = token_for(app)
    s = session_record()
    response = post_sync(client, token, [s, attendance_record(s["id"])])
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"accepted", "duplicates", "conflicts", "rejected", "server_time"}
    assert len(body["accepted"]) == 2 and body["server_time"].endswith("Z")


def test_retry_after_lost_response_counts_once(app, client):
    token = token_for(app)
    batch = [session_record()]
    first = post_sync(client, token, batch).get_json()
    second = post_sync(client, token, batch).get_json()
    assert first["accepted"] == second["duplicates"] == [batch[0]["id"]]


def test_missing_unknown_and_revoked_tokens_are_401(app, client):
    assert client.post("/api/v1/sync", json={"records": []}).status_code == 401
    assert post_sync(client, "loa_not-a-token", []).status_code == 401
    token = token_for(app)
    assert client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    response = post_sync(client, token, [session_record()])
    assert response.status_code == 401 and "revoked" in response.get_json()["message"]


def test_malformed_json_is_400_with_where(app, client):
    token = token_for(app)
    response = client.post(
        "/api/v1/sync",
        data='{"records": [}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.get_json()["message"] and "column" in response.get_json()["message"]


def test_envelope_without_records_is_400(app, client):
    token = token_for(app)
    response = client.post(
        "/api/v1/sync", json={"device_id": rid()}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400 and "records" in response.get_json()["message"]


def test_more_than_500_records_is_413(app, client):
    token = token_for(app)
    records = [session_record() for _ in range(501)]
    response = post_sync(client, token, records)
    assert response.status_code == 413 and "501 records" in response.get_json()["message"]


def test_10_mb_body_is_413_and_nothing_stored(app, client):
    token = token_for(app)
    body = json.dumps({"device_id": rid(), "records": [session_record(place="x" * 100)] * 1}) + " " * (
        10 * 1024 * 1024
    )
    response = client.post(
        "/api/v1/sync",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 413 and response.is_json


def test_gzip_accepted(app, client):
    token = token_for(app)
    s = session_record()
    body = gzip.compress(json.dumps({"device_id": rid(), "records": [s]}).encode())
    response = client.post(
        "/api/v1/sync",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 200 and response.get_json()["accepted"] == [s["id"]]


def test_gzip_bomb_is_413(app, client):
    token = token_for(app)
    bomb = gzip.compress(b'{"records": [' + b" " * (20 * 1024 * 1024) + b"]}")
    assert len(bomb) < 1024 * 1024
    response = client.post(
        "/api/v1/sync",
        data=bomb,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 413


def test_broken_gzip_is_400(app, client):
    token = token_for(app)
    response = client.post(
        "/api/v1/sync",
        data=b"\x1f\x8bnot really",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 400 and "gzip" in response.get_json()["message"]


def test_too_many_requests_is_429(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, SYNC_RATE_PER_MINUTE=3)
    client = app.test_client()
    token = token_for(app)
    codes = [post_sync(client, token, []).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    response = post_sync(client, token, [])
    assert int(response.headers["Retry-After"]) > 0


def test_no_input_answers_500(app, client):
    token = token_for(app)
    weird: list[object] = [
        None,
        1,
        "x",
        [],
        {"id": None},
        {"id": rid(), "type": "session", "created_at": None, "data": None},
        {
            "id": rid(),
            "type": "attendance",
            "created_at": "2026-03-15T08:00:00+07:00",
            "data": {"session_id": rid(), "count": 1e309},
        },
        {"id": rid() * 50, "type": "x" * 10000},
    ]
    response = post_sync(client, token, weird)
    assert response.status_code == 200
    assert len(response.get_json()["rejected"]) == len(weird)
    for body in (b"\xff\xfe", b"null", b"[]", b'"records"', b"{}", b'{"records": null}'):
        r = client.post(
            "/api/v1/sync",
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 400, body


def test_last_sync_time_is_recorded(app, client):
    from server.devices import list_devices

    token = token_for(app)
    post_sync(client, token, [])
    with app.app_context():
        assert list_devices()[0].last_sync_at is not None


def test_login_gives_a_token_that_syncs(app, client):
    from tests.conftest import PASSWORD, create_account

    create_account(app, "mai")
    response = client.post(
        "/api/v1/auth/login", json={"username": "mai", "password": PASSWORD, "device_id": rid()}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["token"].startswith("loa_") and body["role"] == "staff"
    assert {c["code"] for c in body["communes"]} == {3637, 3640}
    assert post_sync(client, body["token"], [session_record()]).status_code == 200


def test_token_is_stored_hashed(app, client):
    from server.extensions import db
    from server.models import DeviceToken

    token = token_for(app)
    with app.app_context():
        stored = db.session.execute(db.select(DeviceToken.token_hash)).scalars().all()
    assert token not in stored and all(len(h) == 64 for h in stored)


def test_wrong_password_is_401_and_login_is_rate_limited(tmp_path):
    from tests.conftest import create_account, make_app

    app = make_app(tmp_path, LOGIN_RATE_PER_MINUTE=3)
    client = app.test_client()
    create_account(app, "mai")
    codes = [
        client.post("/api/v1/auth/login", json={"username": "mai", "password": "wrong"}).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_resident_token(app, client):
    response = client.post("/api/v1/devices/anonymous", json={"device_id": rid()})
    token = response.get_json()["token"]
    result = post_sync(client, token, [session_record()]).get_json()
    assert "resident's phone" in result["rejected"][0]["error"]


def test_staff_token_cannot_reach_organiser_pages(app, client):
    token = token_for(app)
    response = client.get("/organiser/devices", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 302 and "/organiser/login" in response.headers["Location"]


def test_openapi_describes_sync(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    op = doc["paths"]["/api/v1/sync"]["post"]
    assert {"200", "400", "401", "413", "429"} <= set(op["responses"])
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_server_tells_phones_its_batch_limits(tmp_path):
    """An operator who lowers LOA_SYNC_MAX_RECORDS: the 413 answer, every 200 answer, the
    service worker's manifest and the OpenAPI document all carry the server's own limits."""
    from tests.conftest import make_app

    app = make_app(tmp_path, SYNC_MAX_RECORDS=5, MAX_CONTENT_LENGTH=200_000)
    client = app.test_client()
    token = token_for(app)
    limits = {"max_records": 5, "max_bytes": 200_000}
    too_many = post_sync(client, token, [session_record() for _ in range(6)])
    assert too_many.status_code == 413 and too_many.get_json()["limits"] == limits
    ok = post_sync(client, token, [session_record() for _ in range(5)])
    assert ok.status_code == 200 and ok.get_json()["limits"] == limits
    too_big = post_sync(client, token, [session_record(place="x" * 300_000)])
    assert too_big.status_code == 413 and too_big.get_json()["limits"] == limits
    assert f'"sync": {json.dumps(limits, sort_keys=True)}' in client.get("/sw.js").get_data(as_text=True)
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["components"]["schemas"]["SyncRequest"]["properties"]["records"]["maxItems"] == 5
    assert "more than 5 records" in doc["paths"]["/api/v1/sync"]["post"]["responses"]["413"]["description"]
