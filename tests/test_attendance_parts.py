"""Vulnerable groups on attendance: elderly attendees (60 or over) and attendees with
disabilities, optional parts of a line like women and ethnic minority; never more than the
line's count, correctable, and reported where organisers read participants."""

from __future__ import annotations

import csv
import io

import pytest

from server import reports, sync
from server.extensions import db
from server.models import Attendance
from server.state import state
from tests.conftest import (
    STAFF,
    attendance_record,
    create_account,
    log_in,
    rid,
    session_record,
    stored_row,
    when,
)


@pytest.fixture
def send(app):
    create_account(app, "staff1")

    def run(records):
        with app.app_context():
            try:
                return sync.ingest(records, STAFF, state(app).content)
            finally:
                db.session.remove()

    return run


def parts(app) -> tuple[int, int, int]:
    with app.app_context():
        t = reports.totals(reports.ReportFilter())
    return t["attendees"], t["elderly"], t["disabled"]


def test_elderly_and_disabled_are_optional_parts_of_a_line(app, send):
    session = session_record()
    old_phone = attendance_record(session["id"], 20, 10, 5)  # sends neither
    new_phone = attendance_record(session["id"], 30, 15, 8, elderly=12, disabled=3)
    assert len(send([session, old_phone, new_phone]).accepted) == 3
    assert parts(app) == (50, 12, 3)
    with app.app_context():
        assert (
            stored_row(Attendance, old_phone["id"]).elderly,
            stored_row(Attendance, old_phone["id"]).disabled,
        ) == (0, 0)


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"elderly": 31}, "elderly"),
        ({"disabled": -1}, "disabled"),
        ({"elderly": "5"}, "elderly"),
        ({"disabled": None}, "disabled"),
    ],
)
def test_a_part_out_of_range_is_rejected_with_its_field(app, send, extra, field):
    session = session_record()
    bad = attendance_record(session["id"], 30, 15, 8, **extra)
    result = send([session, bad])
    assert [(r["id"], r["params"]["field"]) for r in result.rejected] == [(bad["id"], field)]
    assert parts(app) == (0, 0, 0)


def test_a_correction_fixes_the_elderly_and_never_leaves_more_than_the_count(app, send):
    session = session_record()
    line = attendance_record(session["id"], 30, 15, 8, elderly=12)
    send([session, line])

    def correction(**changes):
        return {
            "id": rid(),
            "type": "correction",
            "created_at": when(30),
            "data": {"target_id": line["id"], "changes": changes},
        }

    assert send([correction(elderly=21)]).accepted
    assert parts(app) == (30, 21, 0)
    refused = send([correction(count=20)])
    assert [r["code"] for r in refused.rejected] == ["more_than_count"]
    assert refused.rejected[0]["params"]["field"] == "elderly"
    assert parts(app) == (30, 21, 0)


def test_the_dashboard_csv_and_yearly_report_show_them(app, send):
    session = session_record()
    send([session, attendance_record(session["id"], 30, 15, 8, elderly=12, disabled=2)])
    client = app.test_client()
    create_account(app, "boss", role="organiser")
    log_in(client, "boss")
    page = client.get("/organiser/").get_data(as_text=True)
    assert (
        "<strong>12</strong> người cao tuổi (từ 60 tuổi)" in page
        and "<strong>2</strong> người khuyết tật" in page
    )
    rows = list(csv.reader(io.StringIO(client.get("/organiser/export.csv").data.decode("utf-8-sig"))))
    header, total = rows[0], rows[-1]
    assert total[header.index("Người cao tuổi (từ 60 tuổi)")] == "12"
    assert total[header.index("Người khuyết tật")] == "2"
    year = session["data"]["starts_at"][:4]
    report = client.get(f"/organiser/report?year={year}").get_data(as_text=True)
    assert 'trong đó người cao tuổi (từ 60 tuổi)</th><td class="num">12</td>' in report
