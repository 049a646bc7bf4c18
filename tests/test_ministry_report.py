"""The report to the Ministry and the sign-off: a province organiser reviews a period, signs it
off (the report freezes and says who signed it and when), records arriving later are kept and
listed "after sign-off" until a revision takes them in; unlocking needs a reason and is audited.
The same figures come as XLSX; the nation gets them province by province."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from server import periods, sync
from server.extensions import db
from server.models import AuditEntry, Signoff
from server.state import state
from tests.conftest import LAI_CHAU, STAFF, attendance_record, create_account, csrf, log_in, session_record
from tests.test_complaints import complaint_record, step_record


def organiser(app, name="lc", province=LAI_CHAU):
    create_account(app, name, role="organiser", province=province)
    client = app.test_client()
    assert log_in(client, name).status_code == 302
    return client


def send(app, records):
    with app.app_context():
        result = sync.ingest(records, STAFF, state(app).content)
        db.session.remove()
    return result


def test_periods_are_read_as_organisers_write_them():
    assert (periods.parse("2027-03").start.isoformat(), periods.parse("2027-03").end.isoformat()) == (
        "2027-03-01",
        "2027-03-31",
    )
    assert (
        periods.parse("2027-q1").end.isoformat() == "2027-03-31"
        and periods.parse("2027-Q4").start.month == 10
    )
    assert periods.parse("2027-crd").start.isoformat() == "2027-03-01"
    assert periods.parse("2027").year_before().key == "2026"
    for bad in ("2027-13", "27", "2027-Q5", "march", "1900"):
        with pytest.raises(periods.PeriodError):
            periods.parse(bad)


def test_sign_off_freezes_the_report_and_later_records_wait_for_a_revision(csrf_app):
    app = csrf_app
    create_account(app, "staff1")
    session = session_record()
    send(app, [session, attendance_record(session["id"], 46, 27, 31)])
    year = session["data"]["starts_at"][:4]
    client = organiser(app)
    url = f"/organiser/ministry?period={year}"
    live = " ".join(client.get(url).get_data(as_text=True).split())
    assert "Sở Công Thương Lai Châu" in live and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in live
    assert 'Người tham gia</th><td class="num">46</td>' in live
    assert "Chưa ký duyệt" in live

    signed = client.post(f"/organiser/ministry/sign?period={year}", data={"csrf_token": csrf(live)})
    assert signed.status_code == 302
    later = session_record(place="Bản Nà Khương")
    send(app, [later, attendance_record(later["id"], 30, 10, 10)])
    frozen = " ".join(client.get(url).get_data(as_text=True).split())
    assert 'Người tham gia</th><td class="num">46</td>' in frozen, "the signed report does not move"
    assert "Đã ký duyệt ngày" in frozen and "(bản 1)" in frozen
    assert "Sau khi ký duyệt: 2 bản ghi" in frozen
    dashboard = client.get("/organiser/").get_data(as_text=True)
    assert "<strong>76</strong>" in dashboard, "the live figures count them"

    client.post(f"/organiser/ministry/sign?period={year}", data={"csrf_token": csrf(frozen)})
    revised = " ".join(client.get(url).get_data(as_text=True).split())
    assert 'Người tham gia</th><td class="num">76</td>' in revised and "(bản 2)" in revised
    again = client.post(
        f"/organiser/ministry/sign?period={year}", data={"csrf_token": csrf(revised)}, follow_redirects=True
    )
    assert "không có gì để sửa đổi" in again.get_data(as_text=True)

    no_reason = client.post(
        f"/organiser/ministry/unlock?period={year}",
        data={"csrf_token": csrf(revised), "reason": " "},
        follow_redirects=True,
    )
    assert "Hãy nêu lý do" in no_reason.get_data(as_text=True)
    client.post(
        f"/organiser/ministry/unlock?period={year}",
        data={"csrf_token": csrf(revised), "reason": "Sửa số liệu xã Khoen On"},
    )
    unlocked = client.get(url).get_data(as_text=True)
    assert "Sửa số liệu xã Khoen On" in unlocked and "Chưa ký duyệt" in unlocked
    with app.app_context():
        assert [s.revision for s in db.session.query(Signoff).order_by(Signoff.revision)] == [1, 2]
        actions = [a.action for a in db.session.query(AuditEntry).order_by(AuditEntry.id)]
        assert actions.count("period.signed") == 2 and actions.count("period.unlocked") == 1


def test_the_xlsx_has_the_same_figures_with_complaints_and_the_year_before(csrf_app):
    app = csrf_app
    create_account(app, "staff1")
    session = session_record()
    case = complaint_record()
    send(
        app,
        [
            session,
            attendance_record(session["id"], 46, 27, 31),
            case,
            step_record(case["id"], "resolved", money_recovered=90_000),
        ],
    )
    year = session["data"]["starts_at"][:4]
    client = organiser(app)
    book = load_workbook(io.BytesIO(client.get(f"/organiser/ministry.xlsx?period={year}").data))
    rows = {r[0]: r[1:] for r in book.active.iter_rows(values_only=True) if r and r[0]}
    assert rows["Người tham gia"][:2] == (46, 0)
    assert rows["Số tiền đòi lại được (đồng)"][0] == 90_000
    assert rows["Đã giải quyết"][0] == 1


def test_bad_periods_and_other_provinces(csrf_app):
    client = organiser(csrf_app)
    assert client.get("/organiser/ministry?period=2027-13").status_code == 400
    assert client.get("/organiser/ministry?period=2027&province=1").status_code == 403
    nation = organiser(csrf_app, "boss", None)
    page = nation.get("/organiser/ministry?period=2027").get_data(as_text=True)
    assert "Bộ Công Thương" in page
