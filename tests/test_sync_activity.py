"""`activity` records: campaign activities other than sessions (leaflets handed out, banners,
fairs, media items, trainings), stored once whatever the retries and the concurrency, refused
with the field named when wrong, and counted by kind in every place organisers read figures."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import sqlite3
import tempfile

import pytest
from openpyxl import load_workbook

from server import activities, reports
from server.extensions import db
from server.models import Activity
from server.sync_parse import Rules
from tests.conftest import (
    KHOEN_ON,
    MUONG_KIM,
    RESIDENT,
    STAFF,
    at_once,
    create_account,
    log_in,
    post_sync,
    rid,
    stored_row,
    token_for,
    when,
)

HANOI_COMMUNE = 4  # a real commune, not one of staff1's
IN_2027 = Rules(now=dt.datetime(2027, 5, 1), max_age=dt.timedelta(days=3650))


def activity_record(kind="leaflets", commune=MUONG_KIM, record_id=None, **data):
    payload = {
        "kind": kind,
        "commune_code": commune,
        "held_at": when(),
        "topic_ids": ["counterfeit"],
        "count": 200,
    }
    payload.update(data)
    return {"id": record_id or rid(), "type": "activity", "created_at": when(), "data": payload}


def kinds(app, **filters) -> dict:
    """{kind: (activities, count)} of the kinds recorded."""
    with app.app_context():
        found = activities.by_kind(reports.ReportFilter(**filters))
    return {k: (v["activities"], v["count"]) for k, v in found.items() if v["activities"]}


def test_an_activity_is_stored_with_its_commune_and_fields_of_its_kind(app, ingest):
    record = activity_record(leaflet_codes=["abcd-efgh", "ABCD-EFGH", "wxyz-2345"], batch=" Lô 3 ")
    assert ingest([record]).accepted == [record["id"]]
    with app.app_context():
        row = stored_row(Activity, record["id"])
        assert (row.kind, row.commune_code, row.province_code, row.count) == ("leaflets", MUONG_KIM, 12, 200)
        assert row.leaflet_codes == '["ABCDEFGH", "WXYZ2345"]', "codes as printed, once each"
        assert row.batch == "Lô 3" and row.channel == "" and row.hold == 0
    assert kinds(app) == {"leaflets": (1, 200)}


def test_each_kind_counts_what_it_says(app, ingest):
    records = [
        activity_record("banner", count=4),
        activity_record("fair", count=350),
        activity_record("media", count=1, channel="radio", link="https://example.vn/tin-1"),
        activity_record("training", count=40, audience="businesses"),
        activity_record("training", count=25, audience="officials"),
    ]
    assert len(ingest(records).accepted) == 5
    assert kinds(app) == {"banner": (1, 4), "fair": (1, 350), "media": (1, 1), "training": (2, 65)}


def test_the_same_activity_again_counts_once_and_other_content_is_a_conflict(app, ingest):
    record = activity_record()
    ingest([record])
    again = ingest([record, record])
    assert again.accepted == [] and again.duplicates == [record["id"], record["id"]]
    changed = dict(record, data=dict(record["data"], count=2000))
    assert [c["code"] for c in ingest([changed]).conflicts] == ["conflict"]
    assert kinds(app) == {"leaflets": (1, 200)}


@pytest.mark.parametrize(
    "change, code, params",
    [
        ({"kind": "concert"}, "bad_choice", {"field": "kind"}),
        ({"commune_code": HANOI_COMMUNE}, "commune_not_yours", {"commune_code": HANOI_COMMUNE}),
        ({"commune_code": 99999999}, "unknown_commune", {}),
        ({"count": 0}, "out_of_range", {"field": "count", "low": 1, "high": 100_000}),
        ({"count": 100_001}, "out_of_range", {"field": "count", "value": 100_001}),
        ({"count": -5}, "out_of_range", {"field": "count"}),
        ({"count": "200"}, "not_whole_number", {"field": "count"}),
        ({"held_at": "15/03/2026"}, "not_time", {"field": "held_at"}),
        ({"topic_ids": ["astrology"]}, "unknown_topic", {"topics": ["astrology"]}),
        ({"channel": "radio"}, "field_not_for_kind", {"field": "channel", "kind": "leaflets"}),
        ({"leaflet_codes": "ABCD"}, "bad_leaflet_codes", {"field": "leaflet_codes"}),
        ({"leaflet_codes": [f"C{i}" for i in range(51)]}, "too_many_leaflet_codes", {"limit": 50}),
        ({"note": "x" * 301}, "text_too_long", {"field": "note", "limit": 300}),
    ],
)
def test_a_wrong_field_is_rejected_with_its_code_and_the_rest_is_stored(app, ingest, change, code, params):
    record, good = activity_record(**change), activity_record(count=10)
    result = ingest([record, good])
    assert result.accepted == [good["id"]]
    assert [r["id"] for r in result.rejected] == [record["id"]]
    assert result.rejected[0]["code"] == code and params.items() <= result.rejected[0]["params"].items()
    assert kinds(app) == {"leaflets": (1, 10)}


@pytest.mark.parametrize(
    "record, code, field",
    [
        (activity_record("media", count=1), "bad_choice", "channel"),
        (activity_record("media", count=1, channel="tv", link="javascript:alert(1)"), "bad_link", "link"),
        (activity_record("training", count=10), "bad_choice", "audience"),
        (activity_record("banner", count=1_001), "out_of_range", "count"),
        (
            activity_record("training", count=3, audience="officials", batch="x"),
            "field_not_for_kind",
            "batch",
        ),
    ],
)
def test_the_fields_of_each_kind_are_checked(ingest, record, code, field):
    result = ingest([record])
    assert [(r["code"], r["params"]["field"]) for r in result.rejected] == [(code, field)]


def test_a_residents_phone_cannot_send_activities(ingest):
    assert [r["code"] for r in ingest([activity_record()], actor=RESIDENT).rejected] == ["resident_cannot"]


def test_the_same_activity_from_two_requests_at_once_counts_once(app, ingest):
    rounds, results = 8, []
    for record in [activity_record(count=3) for _ in range(rounds)]:
        results += at_once(app, [[record], [record]])
    assert sum(len(r.accepted) for r in results) == rounds
    assert kinds(app) == {"leaflets": (rounds, 3 * rounds)}


def test_an_activity_can_be_voided_and_a_quarantined_phones_do_not_count(app, ingest):
    from server import provenance

    record = activity_record()
    ingest([record])
    void = {
        "id": rid(),
        "type": "void",
        "created_at": when(30),
        "data": {"target_id": record["id"], "reason": "twice"},
    }
    assert ingest([void]).accepted == [void["id"]]
    assert kinds(app) == {} and kinds(app, include_held=True) == {"leaflets": (1, 200)}
    phone = rid()
    ingest([activity_record("banner", count=2)], device_id=phone)
    assert kinds(app) == {"banner": (1, 2)}
    with app.app_context():
        assert provenance.quarantine(phone, "a test phone", None)
    assert kinds(app) == {}


@pytest.fixture
def done(app, ingest):
    """In 2027: Mường Kim leaflets (counterfeit) and a fair (complaints); Khoen On a training;
    Hà Nội leaflets, sent by an organiser."""
    rows = [
        activity_record(held_at="2027-03-08T07:00:00+07:00", count=500),
        activity_record("fair", held_at="2027-03-15T08:00:00+07:00", topic_ids=["complaints"], count=320),
        activity_record(
            "training", KHOEN_ON, held_at="2027-04-02T08:00:00+07:00", count=30, audience="officials"
        ),
    ]
    organiser = dataclasses.replace(STAFF, role="organiser", user_id=create_account(app, "boss", "organiser"))
    assert len(ingest(rows, rules=IN_2027).accepted) == 3
    hanoi = activity_record(commune=HANOI_COMMUNE, held_at="2027-04-10T08:00:00+07:00", count=1000)
    assert ingest([hanoi], actor=organiser, rules=IN_2027).accepted == [hanoi["id"]]
    return rows


def test_activity_figures_by_place_topic_and_period(app, done):
    assert kinds(app) == {"leaflets": (2, 1500), "fair": (1, 320), "training": (1, 30)}
    assert kinds(app, province=12) == {"leaflets": (1, 500), "fair": (1, 320), "training": (1, 30)}
    assert kinds(app, commune=KHOEN_ON) == {"training": (1, 30)}
    assert kinds(app, topic="complaints") == {"fair": (1, 320)}
    assert kinds(app, start=dt.date(2027, 3, 9), end=dt.date(2027, 4, 2)) == {
        "fair": (1, 320),
        "training": (1, 30),
    }
    assert kinds(app, lang="km") == kinds(app), "activities have no language"
    with app.app_context():
        rows = activities.by_commune(reports.ReportFilter(province=12))
    assert [(r["commune_code"], r["activities"]) for r in rows] == [(MUONG_KIM, 2), (KHOEN_ON, 1)]
    assert rows[0]["kinds"]["fair"] == {"activities": 1, "count": 320}


def test_stats_api_dashboard_xlsx_sqlite_and_yearly_report_show_activities(app, done):
    client = app.test_client()
    log_in(client, "boss")
    stats = client.get("/api/v1/stats?province=12").get_json()
    assert stats["activities"]["by_kind"]["fair"] == {"activities": 1, "count": 320}
    assert stats["activities"]["by_kind"]["leaflets"] == {"activities": 1, "count": 500}

    page = client.get("/organiser/?province=12&from=2027-01-01").get_data(as_text=True)
    assert "Hoạt động tuyên truyền" in page
    assert 'Hội chợ, gian hàng</th><td class="num">1</td><td class="num">320</td><td>lượt khách</td>' in page

    book = load_workbook(io.BytesIO(client.get("/organiser/export.xlsx?province=12").data))
    lines = [list(r) for r in book["Hoạt động"].iter_rows(values_only=True)]
    assert ["Phát tờ rơi", 1, 500, "tờ rơi"] in lines
    assert ["Xã Khoen On, Lai Châu", 1, 30, "người tham dự"] in lines

    with tempfile.NamedTemporaryFile(suffix=".sqlite3") as f:
        f.write(client.get("/organiser/export.sqlite?province=12").data)
        f.flush()
        found = (
            sqlite3.connect(f.name).execute("select kind, count from activities order by count").fetchall()
        )
    assert found == [("training", 30), ("fair", 320), ("leaflets", 500)]

    report = client.get("/organiser/report?year=2027&province=12").get_data(as_text=True)
    assert (
        "Hoạt động theo loại" in report
        and 'Phát tờ rơi</th><td class="num">1</td><td class="num">500</td>' in report
    )


def test_sync_over_http_accepts_activities_and_the_openapi_document_describes_them(app, client):
    record = activity_record("media", count=1, channel="social", link="https://facebook.com/x/posts/1")
    assert post_sync(client, token_for(app), [record]).get_json()["accepted"] == [record["id"]]
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "activity" in schemas["Record"]["properties"]["type"]["enum"]
    assert schemas["ActivityData"]["properties"]["channel"]["enum"] == ["radio", "tv", "newspaper", "social"]


# -- the organiser's page -----------------------------------------------------------------------


def test_an_organiser_records_an_activity_on_the_page_and_voids_it(app):
    from tests.conftest import csrf

    create_account(app, "lan", "organiser", province=12)
    client = app.test_client()
    log_in(client, "lan")
    page = client.get("/organiser/activities")
    assert page.status_code == 200 and "Hoạt động tuyên truyền" in page.get_data(as_text=True)
    form = {
        "csrf_token": csrf(page.get_data(as_text=True)),
        "kind": "fair",
        "commune": "Mường Kim",
        "held_on": dt.date.today().isoformat(),
        "count": "420",
        "topic_ids": ["counterfeit"],
        "channel": "radio",  # a field of another kind, left on the page: not sent
        "note": "Phiên chợ vùng cao",
    }
    saved = client.post("/organiser/activities", data=form, follow_redirects=True)
    assert saved.status_code == 200
    assert kinds(app) == {"fair": (1, 420)}
    assert "Xã Mường Kim" in saved.get_data(as_text=True)

    bad = client.post("/organiser/activities", data=dict(form, count="100001"))
    assert bad.status_code == 400
    assert "100001" in bad.get_data(as_text=True) and "100000" in bad.get_data(as_text=True)
    elsewhere = client.post("/organiser/activities", data=dict(form, commune=str(HANOI_COMMUNE)))
    assert elsewhere.status_code == 400 and kinds(app) == {"fair": (1, 420)}
    expired = client.post("/organiser/activities", data=dict(form, csrf_token="x"))
    assert expired.status_code == 400 and kinds(app) == {"fair": (1, 420)}

    with app.app_context():
        activity_id = db.session.query(Activity.id).scalar()
    page = client.get("/organiser/activities")
    voided = client.post(
        f"/organiser/records/{activity_id}/void",
        data={"csrf_token": csrf(page.get_data(as_text=True)), "reason": "ghi nhầm", "back": "activities"},
    )
    assert voided.headers["Location"].endswith("/organiser/activities")
    assert kinds(app) == {} and kinds(app, include_held=True) == {"fair": (1, 420)}
