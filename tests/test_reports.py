"""Organiser figures from a known data set, checked exactly: records that arrived out of
order count, duplicates do not."""

import csv
import dataclasses
import datetime as dt
import io
import sqlite3

import pytest
from openpyxl import load_workbook

from server import reports, sync
from server.devices import Actor
from server.state import state
from server.sync_parse import Rules
from tests.conftest import (
    KHOEN_ON,
    MUONG_KIM,
    attendance_record,
    create_account,
    log_in,
    quiz_record,
    rid,
    session_record,
    token_for,
)

OTHER_PROVINCE_COMMUNE = 4  # Hà Nội
STAFF = Actor(
    token_id=1,
    role="staff",
    user_id=1,
    username="staff1",
    commune_codes=frozenset({MUONG_KIM, KHOEN_ON, OTHER_PROVINCE_COMMUNE}),
    device_id=None,
)
# The sessions below took place in March and April 2027: stored as a server would in May 2027.
IN_2027 = Rules(now=dt.datetime(2027, 5, 1), max_age=dt.timedelta(days=3650))


@pytest.fixture
def known(app):
    """Three sessions, sent out of order, some twice."""
    s1 = session_record(MUONG_KIM, starts_at="2027-03-08T08:00:00+07:00", topic_ids=["complaints"])
    s2 = session_record(KHOEN_ON, starts_at="2027-03-12T14:00:00+07:00", topic_ids=["counterfeit"])
    s3 = session_record(
        OTHER_PROVINCE_COMMUNE, starts_at="2027-04-02T09:00:00+07:00", topic_ids=["complaints"]
    )
    a = [
        attendance_record(s1["id"], 46, 27, 31),
        attendance_record(s1["id"], 4, 1, 4),
        attendance_record(s2["id"], 20, 12, 20),
        attendance_record(s3["id"], 10, 5, 0),
    ]
    q = [
        quiz_record(app, s1["id"], "pre", right=False),
        quiz_record(app, s1["id"], "pre", right=True),
        quiz_record(app, s1["id"], "post", right=True),
        quiz_record(app, s1["id"], "post", right=True),
        quiz_record(app, s2["id"], "pre", quiz_id="counterfeit", right=True, lang="en"),
    ]
    # The sender is a real account (an organiser: the sessions span two provinces): a line that
    # arrives before its session is checked against its author's rights when the session comes.
    user_id = create_account(app, "reporter", role="organiser", communes=())
    staff = dataclasses.replace(STAFF, user_id=user_id)
    with app.app_context():
        content = state(app).content
        sync.ingest(a[:2] + q[:2], staff, content, rules=IN_2027)  # attendance before its session
        sync.ingest([s1, s2, s3, *a[2:], *q[2:]], staff, content, rules=IN_2027)
        sync.ingest([s1, a[0], q[0]], staff, content, rules=IN_2027)  # a retry: duplicates
        orphan = attendance_record(rid(), 7, 0, 0)  # its session never arrived
        sync.ingest([orphan], staff, content, rules=IN_2027)
    return {"s": [s1, s2, s3]}


def test_totals_exact(app, known):
    with app.app_context():
        total = reports.totals(reports.ReportFilter())
    assert total == {
        "sessions": 3,
        "attendees": 80,
        "women": 45,
        "ethnic_minority": 55,
        "elderly": 0,
        "disabled": 0,
        "quiz_responses": 5,
        "leaflet_scans": 0,
        "broadcasts": 0,
        "broadcast_minutes": 0,
    }


def test_waiting_for_session_is_reported_not_counted(app, known):
    with app.app_context():
        assert reports.waiting_for_session() == {
            "attendance_lines": 1,
            "people": 7,
            "quiz_responses": 0,
            "quiz_tallies": 0,
        }


def test_by_province_and_commune(app, known):
    with app.app_context():
        provinces = {r["province_code"]: r for r in reports.by_province(reports.ReportFilter())}
        assert provinces[12]["attendees"] == 70 and provinces[12]["sessions"] == 2
        assert provinces[1]["attendees"] == 10
        communes = {r["commune_code"]: r for r in reports.by_commune(reports.ReportFilter(province=12))}
        assert set(communes) == {MUONG_KIM, KHOEN_ON}
        assert (
            communes[MUONG_KIM]["attendees"],
            communes[MUONG_KIM]["women"],
            communes[MUONG_KIM]["quiz_responses"],
        ) == (50, 28, 4)


def test_filters(app, known):
    with app.app_context():
        march = reports.totals(
            reports.ReportFilter(province=12, start=__import__("datetime").date(2027, 3, 10))
        )
        assert (march["sessions"], march["attendees"]) == (1, 20)
        topic = reports.totals(reports.ReportFilter(topic="complaints"))
        assert (topic["sessions"], topic["attendees"], topic["quiz_responses"]) == (2, 60, 4)
        english = reports.totals(reports.ReportFilter(lang="en"))
        assert english["quiz_responses"] == 1
        assert reports.totals(reports.ReportFilter(commune=KHOEN_ON))["attendees"] == 20


def test_by_month(app, known):
    with app.app_context():
        assert reports.by_month(reports.ReportFilter()) == [
            {"month": "2027-03", "sessions": 2, "attendees": 70},
            {"month": "2027-04", "sessions": 1, "attendees": 10},
        ]


def test_reach(app, known):
    with app.app_context():
        reach = reports.reach(reports.ReportFilter(province=12), {"border": {MUONG_KIM, 3562}})
    assert reach["reached"] == 2 and reach["in_scope"] == 38
    assert len(reach["not_reached"]) == 36
    assert reach["areas"]["border"] == {"listed": 2, "reached": 1, "attendees": 50}


def test_quiz_results_and_gain(app, known):
    from server.quiz_results import quiz_results

    with app.app_context():
        results = {r["quiz_id"]: r for r in quiz_results(reports.ReportFilter(), state(app).content)}
    complaints = results["complaints"]
    assert complaints["responses"] == 4
    assert complaints["gain"] == {"sessions": 1, "pre": 0.5, "post": 1.0, "points": 50.0}
    first = complaints["questions"][0]
    assert first["answered"] == 4 and first["correct_share"] == 0.75
    assert first["by_phase"] == {"post": 1.0, "pre": 0.5}
    assert first["most_common_wrong"]["share"] == 0.25
    assert results["counterfeit"]["questions"][0]["by_lang"] == {"en": 1.0}


@pytest.mark.parametrize(
    "args, message",
    [
        ({"province": "99"}, "province '99' is not an official province code"),
        ({"commune": "abc"}, "commune 'abc'"),
        ({"province": "12", "commune": "4"}, "is not in province"),
        ({"from": "2027-03-20", "to": "2027-03-01"}, "is before"),
        ({"from": "15/03/2027"}, "is not a date"),
        ({"topic": "nope"}, "topic 'nope' does not exist"),
        ({"lang": "fr"}, "language 'fr' does not exist"),
    ],
)
def test_bad_filters_say_what_is_wrong(app, args, message):
    with pytest.raises(reports.FilterError, match=message):
        reports.parse_filter(args, state(app).content)


# -- HTTP: stats API, pages, exports -----------------------------------------------------------


def test_stats_api_with_organiser_token(app, client, known):
    token = token_for(app, "boss", role="organiser")
    body = client.get("/api/v1/stats?province=12", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["totals"]["attendees"] == 70 and body["filters"]["province"] == 12
    assert {r["commune_code"] for r in body["by_commune"]} == {MUONG_KIM, KHOEN_ON}
    bad = client.get(
        "/api/v1/stats?from=2027-02-01&to=2027-01-01", headers={"Authorization": f"Bearer {token}"}
    )
    assert bad.status_code == 400 and "is before" in bad.get_json()["message"]


def test_stats_api_refuses_staff_and_strangers(app, client):
    staff = token_for(app)
    assert client.get("/api/v1/stats", headers={"Authorization": f"Bearer {staff}"}).status_code == 403
    assert client.get("/api/v1/stats").status_code == 401
    assert client.get("/api/v1/stats", headers={"Authorization": "Bearer loa_nope"}).status_code == 401


def test_stats_api_with_organiser_session(app, client, known):
    create_account(app, "boss", role="organiser")
    log_in(client, "boss")
    assert client.get("/api/v1/stats").get_json()["totals"]["sessions"] == 3


def test_every_organiser_route_checks_the_role(app):
    create_account(app, "boss", role="organiser")
    create_account(app, "mai")
    staff = app.test_client()
    log_in(staff, "mai")
    anonymous = app.test_client()
    rules = [
        r
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/organiser")
        and r.endpoint not in ("organiser.login", "organiser.logout", "organiser.change_password")
    ]
    assert len(rules) >= 8
    from tests.conftest import csrf

    def call(client, url, method):
        data = (
            {"csrf_token": csrf(client.get("/organiser/login").get_data(as_text=True))}
            if method == "POST"
            else None
        )
        return client.open(url, method=method, data=data).status_code

    for rule in rules:
        url = rule.rule.replace("<fmt>", "csv").replace("<int:token_id>", "1").replace("<int:user_id>", "1")
        url = (
            url.replace("<int:number>", "1")
            .replace("<topic_id>", "markets")
            .replace("<item_id>", "markets")
            .replace("<quiz_id>", "markets")
        )
        url = url.replace("<lang>", "km").replace("<kind>", "topics")
        for method in sorted(rule.methods & {"GET", "POST"}):
            assert call(anonymous, url, method) == 302, (method, url)
            if rule.endpoint != "organiser.home":  # staff are sent to their own screens
                assert call(staff, url, method) == 403, (method, url)


def test_csv_and_xlsx_hold_the_page_numbers(app, client, known):
    create_account(app, "boss", role="organiser")
    log_in(client, "boss")
    page = client.get("/organiser/?province=12").get_data(as_text=True)
    assert "<strong>70</strong>" in page and "<strong>2</strong>" in page
    rows = list(
        csv.reader(io.StringIO(client.get("/organiser/export.csv?province=12").data.decode("utf-8-sig")))
    )
    by_code = {r[2]: r for r in rows[1:-1]}
    assert by_code[str(MUONG_KIM)][4:11] == ["1", "50", "28", "35", "0", "0", "4"]
    assert rows[-1][4:] == ["2", "70", "40", "55", "0", "0", "5", "0", "0", "0"]
    book = load_workbook(io.BytesIO(client.get("/organiser/export.xlsx?province=12").data))
    totals = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert 70 in totals.values() and 55 in totals.values()
    commune_sheet = list(book.worksheets[1].iter_rows(values_only=True))
    assert [r[5] for r in commune_sheet[1:]] == [50, 20]


def test_sqlite_export_opens_with_the_records(app, client, known, tmp_path):
    create_account(app, "boss", role="organiser")
    log_in(client, "boss")
    path = tmp_path / "export.sqlite3"
    path.write_bytes(client.get("/organiser/export.sqlite?province=12").data)
    with sqlite3.connect(path) as db:
        assert db.execute("select count(*) from sessions").fetchone() == (2,)
        assert db.execute("select sum(count) from attendance").fetchone() == (70,)
        assert db.execute("select name from communes where code = ?", (MUONG_KIM,)).fetchone() == (
            "Xã Mường Kim",
        )


def test_export_of_an_empty_period_says_so(app, client, known):
    create_account(app, "boss", role="organiser")
    log_in(client, "boss")
    response = client.get("/organiser/export.csv?from=2030-01-01", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and "nothing to export" in response.get_data(as_text=True)
    vietnamese = client.get("/organiser/export.csv?from=2030-01-01", headers={"Accept-Language": "vi"})
    assert "không có gì để xuất" in vietnamese.get_data(as_text=True)


def test_dashboard_with_bad_filter_says_so(app, client):
    create_account(app, "boss", role="organiser")
    log_in(client, "boss")
    response = client.get("/organiser/?province=12&commune=4")
    assert response.status_code == 400 and "không thuộc Lai Châu" in response.get_data(as_text=True)


def test_yearly_report(app, client, known):
    create_account(app, "boss", role="organiser")
    log_in(client, "boss")
    html = client.get("/organiser/report?year=2027&province=12").get_data(as_text=True)
    assert ">70<" in html and "2 / 38" in html
    assert client.get("/organiser/report?year=abc").status_code == 400


def test_a_commune_dropped_from_the_official_list_still_shows(app, client, known, monkeypatch, tmp_path):
    """Records keep the commune code they were stored with; when a newer official list no
    longer has it, reports, exports and the staff profile still work and show the code."""
    from server import communes, leaflets

    with app.app_context():
        leaflets.get_or_create_leaflets("complaints", "vi", [MUONG_KIM], state(app).content)
    create_account(app, "boss", role="organiser")
    create_account(app, "mai", communes=(MUONG_KIM, KHOEN_ON))
    monkeypatch.delitem(communes.communes(), MUONG_KIM)
    dropped = f"#{MUONG_KIM}"
    with app.app_context():
        everything = reports.ReportFilter()
        assert {r["commune"] for r in reports.by_commune(everything)} >= {dropped, "Xã Khoen On"}
        assert [r["commune"] for r in reports.communes_never_scanned(everything)] == [dropped]
        assert reports.scans_by_leaflet(everything)[0]["commune"] == dropped
        assert reports.reach(everything)["reached"] == 2  # Khoen On and the Hà Nội commune
    log_in(client, "boss")
    for url in (
        "/organiser/",
        "/organiser/?province=12",
        "/organiser/report?year=2027&province=12",
        "/organiser/leaflets",
        "/organiser/export.csv?province=12",
        "/organiser/export.xlsx",
    ):
        assert client.get(url).status_code == 200, url
    path = tmp_path / "export.sqlite3"
    path.write_bytes(client.get("/organiser/export.sqlite?province=12").data)
    with sqlite3.connect(path) as db:
        assert db.execute("select name, province from communes where code = ?", (MUONG_KIM,)).fetchone() == (
            dropped,
            "",
        )
    token = token_for(app, "mai")
    profile = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [c["code"] for c in profile["communes"]] == [KHOEN_ON]  # sessions go to listed communes only
