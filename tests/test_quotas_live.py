"""Requests that arrive at the same moment, against a real server (waitress, many threads) on
its own database, SQLite or PostgreSQL: identical scans count once, different cookies stop at
the address cap, and phones syncing together cannot get past their address's quota."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from tests.conftest import KHOEN_ON, MUONG_KIM, now_stamp, quiz_record, rid
from tests.live_server import LiveServer, post_sync_http

SCAN_CAP = 5
ADDRESS_RECORDS = 10
AT_ONCE = 16


@pytest.fixture
def server(tmp_path):
    live = LiveServer(
        tmp_path,
        extra_env={
            "LOA_WORKERS": str(AT_ONCE),
            "LOA_SCANS_PER_ADDRESS_PER_DAY": str(SCAN_CAP),
            "LOA_RESIDENT_RECORDS_PER_ADDRESS_PER_DAY": str(ADDRESS_RECORDS),
            "LOA_LOGIN_RATE_PER_MINUTE": "100",
        },
    )
    try:
        yield live.start()
    finally:
        live.close()


def make_leaflets(server: LiveServer, tmp_path) -> list[str]:
    communes = [str(c) for c in (MUONG_KIM, KHOEN_ON)]
    server.loa(
        "leaflets", "build", "--topic", "complaints", "--lang", "vi",
        *[arg for c in communes for arg in ("--commune", c)],
        "--out", str(tmp_path / "out"), "--layout", "a5",
    )  # fmt: skip
    return [line.split()[0] for line in server.loa("leaflets", "list").splitlines() if line.strip()]


def at_once(server: LiveServer, requests: list[Callable[[http.client.HTTPConnection], tuple]]) -> list:
    """Each request on its own connection, all sent at the same moment (connected first,
    then released together); what each returned."""
    start = Barrier(len(requests))

    def run(request):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            conn.connect()
            start.wait(30)
            return request(conn)
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(run, requests))


def visit(path: str, cookie: str | None = None):
    def request(conn: http.client.HTTPConnection) -> tuple[int, str]:
        conn.request("GET", path, headers={"Cookie": f"loa_client={cookie}"} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read().decode()

    return request


def scans(server: LiveServer, code: str) -> int:
    return server.query("select count(*) from leaflet_scans where code = :code", {"code": code})[0][0]


def test_identical_scans_at_the_same_moment_count_once(server, tmp_path):
    code, other = make_leaflets(server, tmp_path)
    answers = at_once(server, [visit(f"/l/{code}") for _ in range(AT_ONCE)])  # no cookie: the address
    assert {status for status, _ in answers} == {200}
    assert scans(server, code) == 1
    assert server.query("select count(*) from daily_salts") == [(1,)], "one salt for the day"
    phone = "the-same-phone-cookie-0001"
    answers = at_once(server, [visit(f"/l/{other}", phone) for _ in range(AT_ONCE)])
    assert {status for status, _ in answers} == {200}
    assert scans(server, other) == 1


def test_different_cookies_at_the_same_moment_stop_at_the_address_cap(server, tmp_path):
    code = make_leaflets(server, tmp_path)[0]
    answers = at_once(server, [visit(f"/l/{code}", f"invented-cookie-{n:010d}") for n in range(AT_ONCE)])
    assert {status for status, _ in answers} == {200}, "the page is served over the cap too"
    assert all("tel:" in page for _, page in answers)
    assert scans(server, code) == SCAN_CAP


def test_phones_behind_one_address_syncing_at_the_same_moment_stay_within_its_quota(server, app):
    tokens = []
    for _ in range(8):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("POST", "/api/v1/devices/anonymous", body=json.dumps({"device_id": rid()}))
        tokens.append(json.loads(conn.getresponse().read())["token"])
        conn.close()

    def batch(token: str):
        records = [dict(quiz_record(app), created_at=now_stamp()) for _ in range(2)]
        body = json.dumps({"device_id": rid(), "records": records})
        return lambda conn: post_sync_http(conn, token, body)

    answers = at_once(server, [batch(token) for token in tokens])
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * (ADDRESS_RECORDS // 2) + [429] * (8 - ADDRESS_RECORDS // 2)
    refused = [json.loads(body) for status, body in answers if status == 429]
    assert {r["quota"] for r in refused} == {"LOA_RESIDENT_RECORDS_PER_ADDRESS_PER_DAY"}
    assert server.query("select count(*) from quiz_responses") == [(ADDRESS_RECORDS,)]
    assert server.query("select count(*) from sync_records") == [(ADDRESS_RECORDS,)]
