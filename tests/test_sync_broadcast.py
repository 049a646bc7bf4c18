"""`broadcast` records: commune loudspeaker broadcasts recorded offline, stored once whatever
the retries and the concurrency, and counted as broadcasts and minutes on air (minutes ×
repeats) in every place organisers read figures."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from server import broadcasts, reports
from server.extensions import db
from server.models import Broadcast, SyncRecord
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


def broadcast_record(commune=MUONG_KIM, record_id=None, created=0, **data):
    payload = {
        "commune_code": commune,
        "station": "Đài truyền thanh xã Mường Kim",
        "started_at": when(),
        "topic_ids": ["counterfeit"],
        "lang": "vi",
        "minutes": 10,
        "repeats": 3,
    }
    payload.update(data)
    return {"id": record_id or rid(), "type": "broadcast", "created_at": when(created), "data": payload}


def totals(app, **filters) -> dict:
    with app.app_context():
        return reports.totals(reports.ReportFilter(**filters))


def airtime(app, **filters) -> tuple[int, int]:
    figures = totals(app, **filters)
    return figures["broadcasts"], figures["broadcast_minutes"]


# -- stored once --------------------------------------------------------------------------------


def test_a_broadcast_is_stored_with_its_commune_and_province(app, ingest):
    record = broadcast_record(station="  ", lang="km")
    assert ingest([record]).accepted == [record["id"]]
    with app.app_context():
        row = stored_row(Broadcast, record["id"])
        assert (row.commune_code, row.province_code, row.lang, row.minutes, row.repeats) == (
            MUONG_KIM,
            12,
            "km",
            10,
            3,
        )
        assert row.station == "Xã Mường Kim", "an empty station is the commune"
        assert row.topic_ids == '["counterfeit"]' and row.hold == 0
    assert airtime(app) == (1, 30)


def test_the_same_broadcast_again_is_a_duplicate_and_counts_once(app, ingest):
    record = broadcast_record()
    ingest([record])
    again = ingest([record, record])
    assert again.accepted == [] and again.duplicates == [record["id"], record["id"]]
    assert airtime(app) == (1, 30)
    with app.app_context():
        assert db.session.query(SyncRecord).count() == 1


def test_the_same_id_with_other_content_is_a_conflict_and_the_first_is_kept(app, ingest):
    record = broadcast_record()
    ingest([record])
    changed = dict(record, data=dict(record["data"], repeats=5))
    result = ingest([changed])
    assert [(c["id"], c["code"]) for c in result.conflicts] == [(record["id"], "conflict")]
    assert airtime(app) == (1, 30)


@pytest.mark.parametrize(
    "change, code, params",
    [
        ({"commune_code": HANOI_COMMUNE}, "commune_not_yours", {"commune_code": HANOI_COMMUNE}),
        ({"commune_code": 99999999}, "unknown_commune", {}),
        ({"minutes": 0}, "out_of_range", {"field": "minutes", "value": 0, "low": 1, "high": 240}),
        ({"minutes": 241}, "out_of_range", {"field": "minutes", "value": 241}),
        ({"minutes": 2.5}, "not_whole_number", {"field": "minutes"}),
        ({"repeats": 51}, "out_of_range", {"field": "repeats", "value": 51, "low": 1, "high": 50}),
        ({"repeats": "3"}, "not_whole_number", {"field": "repeats"}),
        ({"repeats": True}, "not_whole_number", {"field": "repeats"}),
        ({"topic_ids": ["counterfeit", "astrology"]}, "unknown_topic", {"topics": ["astrology"]}),
        ({"topic_ids": "counterfeit"}, "not_topic_list", {}),
        ({"lang": "fr"}, "unknown_language", {}),
        ({"started_at": "2026-03-15T08:30:00"}, "time_without_offset", {"field": "started_at"}),
        ({"station": "x" * 121}, "text_too_long", {"field": "station", "limit": 120}),
    ],
)
def test_a_wrong_field_is_rejected_with_its_code(app, ingest, change, code, params):
    record = broadcast_record(**change)
    good = broadcast_record()
    result = ingest([record, good])
    assert result.accepted == [good["id"]], "the valid record beside it is stored"
    assert [r["id"] for r in result.rejected] == [record["id"]]
    rejected = result.rejected[0]
    assert rejected["code"] == code and params.items() <= rejected["params"].items()
    assert airtime(app) == (1, 30)


def test_a_broadcast_far_in_the_future_is_rejected_like_a_session(ingest):
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=40)).isoformat()
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=20)).isoformat()
    result = ingest([broadcast_record(started_at=later), broadcast_record(started_at=soon)])
    assert [r["code"] for r in result.rejected] == ["time_in_future"]
    assert result.rejected[0]["params"]["field"] == "started_at" and len(result.accepted) == 1


def test_a_residents_phone_cannot_send_broadcasts(ingest):
    result = ingest([broadcast_record()], actor=RESIDENT)
    assert [r["code"] for r in result.rejected] == ["resident_cannot"]


def test_the_same_broadcast_from_two_requests_at_once_counts_once(app, ingest):
    """Two phones (or two tabs) send the same broadcast at the same moment, many times over:
    one stores it, the other hears it is a duplicate."""
    rounds, results = 10, []
    for record in [broadcast_record() for _ in range(rounds)]:
        results += at_once(app, [[record], [record]])
    assert sum(len(r.accepted) for r in results) == rounds
    assert sum(len(r.duplicates) for r in results) == rounds
    assert airtime(app) == (rounds, rounds * 30)
    with app.app_context():
        assert db.session.query(Broadcast).count() == rounds


# -- voids, quarantine ------------------------------------------------------------------------


def test_a_broadcast_can_be_voided_not_corrected(app, ingest):
    record = broadcast_record()
    ingest([record])
    fix = {
        "id": rid(),
        "type": "correction",
        "created_at": when(20),
        "data": {"target_id": record["id"], "changes": {"place": "x"}},
    }
    assert [r["code"] for r in ingest([fix]).rejected] == ["field_not_correctable"]
    void = {
        "id": rid(),
        "type": "void",
        "created_at": when(30),
        "data": {"target_id": record["id"], "reason": "recorded twice"},
    }
    assert ingest([void]).accepted == [void["id"]]
    assert airtime(app) == (0, 0)
    assert airtime(app, include_held=True) == (1, 30), "kept, held out of the figures"


def test_a_void_that_arrives_before_its_broadcast_waits_for_it(app, ingest):
    record = broadcast_record()
    void = {
        "id": rid(),
        "type": "void",
        "created_at": when(30),
        "data": {"target_id": record["id"], "reason": "a test"},
    }
    assert ingest([void]).accepted == [void["id"]]
    ingest([record])
    assert airtime(app) == (0, 0)


def test_a_quarantined_devices_broadcasts_do_not_count(app, ingest):
    from server import provenance

    phone = rid()
    ingest([broadcast_record()], device_id=phone)
    with app.app_context():
        assert provenance.quarantine(phone, "a test phone", None)
    assert airtime(app) == (0, 0)
    ingest([broadcast_record()], device_id=phone)  # and what it sends after
    assert airtime(app) == (0, 0)
    with app.app_context():
        assert provenance.release(phone)
    assert airtime(app) == (2, 60)


# -- figures --------------------------------------------------------------------------------


@pytest.fixture
def aired(app, ingest):
    """Four broadcasts in 2027: Mường Kim 2 (vi, counterfeit; km, complaints), Khoen On 1 (vi,
    counterfeit and complaints), Hà Nội 1 (sent by an organiser, who records anywhere)."""
    import dataclasses

    rows = [
        broadcast_record(MUONG_KIM, started_at="2027-03-08T07:00:00+07:00", minutes=10, repeats=3),
        broadcast_record(
            MUONG_KIM,
            started_at="2027-03-20T17:00:00+07:00",
            lang="km",
            topic_ids=["complaints"],
            minutes=5,
            repeats=2,
        ),
        broadcast_record(
            KHOEN_ON,
            started_at="2027-04-02T07:00:00+07:00",
            topic_ids=["counterfeit", "complaints"],
            minutes=15,
            repeats=1,
        ),
    ]
    organiser = dataclasses.replace(STAFF, role="organiser", user_id=create_account(app, "boss", "organiser"))
    hanoi = broadcast_record(HANOI_COMMUNE, started_at="2027-04-10T07:00:00+07:00", minutes=20, repeats=4)
    assert len(ingest(rows, rules=IN_2027).accepted) == 3
    assert ingest([hanoi], actor=organiser, rules=IN_2027).accepted == [hanoi["id"]]
    return rows


def test_broadcast_figures_by_place_and_filter(app, aired):
    assert airtime(app) == (4, 30 + 10 + 15 + 80)
    assert airtime(app, province=12) == (3, 55)
    assert airtime(app, commune=MUONG_KIM) == (2, 40)
    assert airtime(app, lang="km") == (1, 10)
    assert airtime(app, topic="complaints") == (2, 25)
    assert airtime(app, topic="consumer-day") == (0, 0)
    assert airtime(app, start=dt.date(2027, 3, 10), end=dt.date(2027, 4, 2)) == (2, 25)
    assert airtime(app, end=dt.date(2027, 3, 8)) == (1, 30)
    with app.app_context():
        provinces = {r["province_code"]: r for r in reports.by_province(reports.ReportFilter())}
        assert (provinces[12]["broadcasts"], provinces[12]["broadcast_minutes"]) == (3, 55)
        assert (provinces[1]["broadcasts"], provinces[1]["broadcast_minutes"]) == (1, 80)
        by_commune = {r["commune_code"]: r for r in reports.by_commune(reports.ReportFilter(province=12))}
        assert by_commune[KHOEN_ON]["broadcast_minutes"] == 15 and by_commune[KHOEN_ON]["sessions"] == 0


def test_broadcasts_by_commune_language_and_topic(app, aired):
    with app.app_context():
        flt = reports.ReportFilter(province=12)
        assert [(r["commune_code"], r["broadcasts"], r["minutes"]) for r in broadcasts.by_commune(flt)] == [
            (MUONG_KIM, 2, 40),
            (KHOEN_ON, 1, 15),
        ]
        assert [(r["lang"], r["broadcasts"], r["minutes"]) for r in broadcasts.by_language(flt)] == [
            ("vi", 2, 45),
            ("km", 1, 10),
        ]
        # A broadcast about two topics counts under each.
        assert [(r["topic"], r["broadcasts"], r["minutes"]) for r in broadcasts.by_topic(flt)] == [
            ("counterfeit", 2, 45),
            ("complaints", 2, 25),
        ]
        only = reports.ReportFilter(province=12, topic="complaints")
        assert [r["topic"] for r in broadcasts.by_topic(only)] == ["complaints"]


def test_stats_api_dashboard_csv_xlsx_and_yearly_report_show_minutes_on_air(app, aired):
    client = app.test_client()
    log_in(client, "boss")
    stats = client.get("/api/v1/stats?province=12").get_json()
    assert (stats["totals"]["broadcasts"], stats["totals"]["broadcast_minutes"]) == (3, 55)
    by_commune = {r["commune_code"]: r for r in stats["by_commune"]}
    assert by_commune[MUONG_KIM]["broadcast_minutes"] == 40
    assert stats["broadcasts"]["by_language"][0] == {"lang": "vi", "broadcasts": 2, "minutes": 45}

    page = client.get("/organiser/?province=12").get_data(as_text=True)
    assert "<strong>55</strong> phút phát sóng" in page and "<strong>3</strong> lượt phát thanh" in page
    assert (
        "Các buổi phát trên loa truyền thanh" in page
    )  # the section with the tables by commune, language, topic

    rows = list(
        csv.reader(io.StringIO(client.get("/organiser/export.csv?province=12").data.decode("utf-8-sig")))
    )
    header = rows[0]
    minutes = header.index("Số phút phát sóng")
    assert {r[2]: r[minutes] for r in rows[1:-1]} == {str(MUONG_KIM): "40", str(KHOEN_ON): "15"}
    assert rows[-1][minutes] == "55"

    book = load_workbook(io.BytesIO(client.get("/organiser/export.xlsx?province=12").data))
    totals_sheet = {r[0]: r[1] for r in book.worksheets[0].iter_rows(values_only=True)}
    assert totals_sheet["Số phút phát sóng"] == 55
    sheet = book["Phát thanh"]
    lines = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert ["Xã Mường Kim, Lai Châu", 2, 40] in lines
    assert ["Tiếng Việt", 2, 45] in lines and ["ភាសាខ្មែរ", 1, 10] in lines
    assert [2, 25] in [r[1:] for r in lines], "the complaints topic: 2 broadcasts, 25 minutes"

    report = client.get("/organiser/report?year=2027&province=12").get_data(as_text=True)
    assert 'Số phút phát sóng</th><td class="num">55</td>' in report
    assert "Phát thanh theo ngôn ngữ" in report and "Phát thanh theo chủ đề" in report


def test_sync_over_http_accepts_broadcasts_and_the_openapi_document_describes_them(app, client):
    token = token_for(app)
    record = broadcast_record()
    body = post_sync(client, token, [record]).get_json()
    assert body["accepted"] == [record["id"]]
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert "broadcast" in schemas["Record"]["properties"]["type"]["enum"]
    assert {"$ref": "#/components/schemas/BroadcastData"} in schemas["Record"]["properties"]["data"]["oneOf"]
    assert schemas["BroadcastData"]["properties"]["repeats"]["maximum"] == 50
    assert "broadcast_minutes" in document["paths"]["/api/v1/stats"]["get"]["responses"]["200"]["description"]
