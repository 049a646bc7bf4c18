"""The daily figures the country's reports read are kept by the database as records arrive,
change, are voided, corrected or quarantined, and always say what the records say: every
figure read from them equals the same figure counted from the records, and two phones sending
at the same moment into the same commune and day are both counted."""

from __future__ import annotations

import datetime as dt

import pytest

from server import activities, complaints, daily_figures, provenance, quiz_results, reports
from server.cli import cli
from server.extensions import db
from server.models import Attendance, LeafletScan
from tests.conftest import (
    KHOEN_ON,
    LAI_CHAU,
    MUONG_KIM,
    at_once,
    attendance_record,
    quiz_record,
    rid,
    session_record,
    when,
)
from tests.test_complaints import complaint_record, step_record
from tests.test_sync_activity import activity_record
from tests.test_sync_broadcast import broadcast_record


def everything(flt: reports.ReportFilter) -> dict:
    """Every figure that reads the daily figures when it can."""
    return {
        "totals": reports.totals(flt),
        "by_province": reports.by_province(flt),
        "by_commune": reports.by_commune(flt),
        "by_month": reports.by_month(flt),
        "reach": reports.reach(flt, {"border": {MUONG_KIM}}),
        "kinds": activities.by_kind(flt),
        "activities_by_commune": activities.by_commune(flt),
        "complaints": complaints.figures(flt),
        "complaints_by_province": complaints.by_province(flt),
        "survey": quiz_results.survey(flt),
    }


def both_ways(app, monkeypatch, **filters) -> tuple[dict, dict]:
    """(from the daily figures, counted from the records) for the same filter."""
    flt = reports.ReportFilter(**filters)
    with app.app_context():
        fast = everything(flt)
        with monkeypatch.context() as patched:
            patched.setattr(daily_figures, "usable", lambda *args, **kwargs: False)
            slow = everything(flt)
        assert daily_figures.check_and_report() == []
    return fast, slow


def agree(app, monkeypatch) -> dict:
    """Check every filter both ways; the totals of the province."""
    today = dt.date.fromisoformat(when()[:10])
    for filters in (
        {},
        {"province": LAI_CHAU},
        {"commune": MUONG_KIM},
        {"start": today, "end": today},
        {"province": LAI_CHAU, "start": today - dt.timedelta(days=40), "end": today - dt.timedelta(days=1)},
        {"start": today.replace(day=1)},  # this whole month, by month
        {"start": today - dt.timedelta(days=70), "end": today + dt.timedelta(days=40)},  # days, months, days
        {"end": today},
    ):
        fast, slow = both_ways(app, monkeypatch, **filters)
        assert fast == slow, f"the daily figures differ from the records for {filters}"
    return both_ways(app, monkeypatch, province=LAI_CHAU)[0]


def test_the_daily_figures_follow_every_change_to_the_records(app, ingest, monkeypatch):
    session = session_record(MUONG_KIM)
    early = attendance_record(session["id"], 30, 10, 5, elderly=4, disabled=1)
    ingest([early])  # waits for its session: counted nowhere yet
    assert agree(app, monkeypatch)["totals"]["attendees"] == 0
    other = session_record(KHOEN_ON)
    case = complaint_record()
    ingest(
        [
            session,
            other,
            attendance_record(other["id"], 12, 6, 6),
            quiz_record(app, session["id"], "pre"),
            quiz_record(app, session["id"], "post"),
            broadcast_record(),
            activity_record("fair", count=150),
            activity_record("leaflets", commune=KHOEN_ON, count=300),
            case,
            step_record(case["id"], "advised", 5),
        ]
    )
    figures = agree(app, monkeypatch)
    assert figures["totals"]["sessions"] == 2 and figures["totals"]["attendees"] == 42
    assert (figures["totals"]["elderly"], figures["totals"]["quiz_responses"]) == (4, 2)
    assert figures["totals"]["broadcast_minutes"] == 30
    assert figures["survey"] == {"answers": 2, "pre_answers": 1, "pre": 100, "post_answers": 1, "post": 100}
    assert figures["kinds"]["fair"] == {"activities": 1, "count": 150}
    assert figures["complaints"]["by_status"]["advised"] == 1 and figures["complaints"]["overdue"] == 0

    # A correction, a case moving on, a voided session (its line and answers go with it).
    fix = {
        "id": rid(),
        "type": "correction",
        "created_at": when(40),
        "data": {"target_id": early["id"], "changes": {"count": 35}},
    }
    ingest([fix, step_record(case["id"], "resolved", 20, money_recovered=650_000)])
    figures = agree(app, monkeypatch)
    assert figures["totals"]["attendees"] == 47
    assert figures["complaints"]["by_status"]["resolved"] == 1 and figures["complaints"]["money_recovered"]
    void = {
        "id": rid(),
        "type": "void",
        "created_at": when(50),
        "data": {"target_id": session["id"], "reason": "entered twice"},
    }
    assert ingest([void]).accepted == [void["id"]]
    figures = agree(app, monkeypatch)
    assert (figures["totals"]["sessions"], figures["totals"]["attendees"]) == (1, 12)
    assert figures["totals"]["quiz_responses"] == 0 and figures["reach"]["areas"]["border"]["reached"] == 0

    # A quarantined phone's records leave the figures and come back when it is released.
    phone = rid()
    ingest([broadcast_record(minutes=20, repeats=2)], device_id=phone)
    assert agree(app, monkeypatch)["totals"]["broadcast_minutes"] == 70
    with app.app_context():
        assert provenance.quarantine(phone, "a test phone", None)
    assert agree(app, monkeypatch)["totals"]["broadcast_minutes"] == 30
    with app.app_context():
        assert provenance.release(phone)
    assert agree(app, monkeypatch)["totals"]["broadcast_minutes"] == 70


def test_records_with_no_commune_and_rows_deleted_are_counted_too(app, ingest, monkeypatch):
    with app.app_context():
        for province in (None, LAI_CHAU, 1):  # a national leaflet's scans, a province's
            db.session.add(
                LeafletScan(
                    id=rid(),
                    code="NATIONAL",
                    scanned_at=dt.datetime.fromisoformat(when()[:19]),
                    commune_code=None,
                    province_code=province,
                )
            )
        db.session.commit()
    figures = agree(app, monkeypatch)
    assert figures["totals"]["leaflet_scans"] == 1, "the province's scan, without a commune"
    fast, _ = both_ways(app, monkeypatch)
    assert fast["totals"]["leaflet_scans"] == 3
    assert {r["province_code"]: r["leaflet_scans"] for r in fast["by_province"]} == {LAI_CHAU: 1, 1: 1}
    session = session_record()
    ingest([session, attendance_record(session["id"], 9, 1, 1)])
    with app.app_context():
        db.session.query(Attendance).delete()
        db.session.commit()
    assert agree(app, monkeypatch)["totals"]["attendees"] == 0


@pytest.mark.parametrize("rounds", [6])
def test_two_phones_sending_into_the_same_commune_and_day_at_once_are_both_counted(
    app, ingest, monkeypatch, rounds
):
    """Two sessions of one commune on one day, each with its people, from two phones at the
    same moment, again and again: every person is counted, none twice."""
    for _ in range(rounds):
        batches = []
        for count in (7, 11):
            session = session_record(MUONG_KIM)
            batches.append([session, attendance_record(session["id"], count, 1, 1), broadcast_record()])
        results = at_once(app, batches)
        assert sum(len(r.accepted) for r in results) == 6
    figures = agree(app, monkeypatch)
    assert (figures["totals"]["sessions"], figures["totals"]["attendees"]) == (2 * rounds, 18 * rounds)
    assert figures["totals"]["broadcasts"] == 2 * rounds


def test_loa_figures_check_finds_a_figure_that_drifted_and_rebuild_mends_it(app, ingest, runner):
    session = session_record()
    ingest([session, attendance_record(session["id"], 20, 5, 5)])
    assert runner.invoke(cli, ["figures", "check"]).exit_code == 0
    with app.app_context():
        # A change made behind the triggers' back, as restoring one table from a backup would.
        db.session.execute(daily_figures.daily_figures.update().values(attendees=999))
        db.session.commit()
    result = runner.invoke(cli, ["figures", "check"])
    assert result.exit_code == 1
    assert f"daily_figures, province {LAI_CHAU}, commune {MUONG_KIM}" in result.output
    assert "attendees 999, the records say 20" in result.output
    result = runner.invoke(cli, ["figures", "rebuild"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["figures", "check"]).exit_code == 0
    with app.app_context():
        assert reports.totals(reports.ReportFilter())["attendees"] == 20


def test_two_phones_adding_to_the_same_two_communes_in_opposite_orders_both_get_through(
    app, ingest, monkeypatch
):
    """Each phone's batch adds to Mường Kim's day and Khoen On's, in opposite orders: on
    PostgreSQL the two requests can wait for each other (a deadlock the database breaks by
    failing one); the one that failed is tried again, so both are stored and counted."""
    rounds = 8
    for _ in range(rounds):
        first = [session_record(MUONG_KIM), broadcast_record(KHOEN_ON)]
        second = [session_record(KHOEN_ON), broadcast_record(MUONG_KIM)]
        results = at_once(app, [first, second])
        assert sum(len(r.accepted) for r in results) == 4
    figures = agree(app, monkeypatch)
    assert (figures["totals"]["sessions"], figures["totals"]["broadcasts"]) == (2 * rounds, 2 * rounds)


@pytest.mark.parametrize(
    ("start", "end", "pieces"),
    [
        (None, None, [("month", None, None)]),
        ("2027-03-05", "2027-03-20", [("day", "2027-03-05", "2027-03-20")]),
        ("2027-03-01", "2027-03-31", [("month", "2027-03-01", "2027-03-01")]),
        (
            "2027-02-10",
            "2027-05-03",
            [
                ("day", "2027-02-10", "2027-02-28"),
                ("month", "2027-03-01", "2027-04-01"),
                ("day", "2027-05-01", "2027-05-03"),
            ],
        ),
        ("2026-12-15", None, [("day", "2026-12-15", "2026-12-31"), ("month", "2027-01-01", None)]),
        (None, "2027-03-15", [("month", None, "2027-02-01"), ("day", "2027-03-01", "2027-03-15")]),
    ],
)
def test_a_period_is_read_as_whole_months_and_the_days_around_them(start, end, pieces):
    def day(value):
        return dt.date.fromisoformat(value) if value else None

    flt = reports.ReportFilter(start=day(start), end=day(end))
    assert [(g.column, a, b) for g, a, b in daily_figures._pieces(flt)] == [
        (grain, day(a), day(b)) for grain, a, b in pieces
    ]
