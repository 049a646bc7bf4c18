"""Organisers handle complaints on their pages: the province's cases with their deadlines, a
case's steps signed by who took them, the next step from a form; the contact and photos only
for the people handling the case and the province's organisers."""

from __future__ import annotations

import io

from PIL import Image

from server import sync
from server.extensions import db
from server.state import state
from tests.conftest import LAI_CHAU, STAFF, create_account, csrf, log_in, post_sync, rid, token_for
from tests.test_complaints import complaint_record, put


def organiser(app, name, province):
    create_account(app, name, role="organiser", province=province)
    client = app.test_client()
    assert log_in(client, name).status_code == 302
    return client


def test_a_province_organiser_takes_a_case_from_received_to_resolved(csrf_app):
    app = csrf_app
    create_account(app, "staff1")
    photo_id = rid()
    record = complaint_record(photo_ids=[photo_id])
    token = token_for(app)
    assert post_sync(app.test_client(), token, [record]).get_json()["accepted"] == [record["id"]]
    out = io.BytesIO()
    Image.new("RGB", (80, 60), "red").save(out, "PNG")
    photo = out.getvalue()
    assert put(app.test_client(), token, photo_id, photo, 0, len(photo)).get_json()["complete"]

    lai_chau = organiser(app, "lc", LAI_CHAU)
    listing = lai_chau.get("/organiser/complaints").get_data(as_text=True)
    assert "Nồi cơm điện" in listing and "Hạn xử lý" in listing
    url = f"/organiser/complaints/{record['id']}"
    page = lai_chau.get(url).get_data(as_text=True)
    assert "Lò Thị Mai" in page and "0912 345 678" in page, "the province's organisers see the contact"
    assert lai_chau.get(f"{url}/photos/{photo_id}").data == photo

    def step(**fields):
        token = csrf(lai_chau.get(url).get_data(as_text=True))
        return lai_chau.post(url, data={"csrf_token": token, **fields})

    assert (
        step(step="transferred", transferred_to="market_board", note="Gửi ban quản lý chợ").status_code == 302
    )
    wrong = step(step="advised")
    assert wrong.status_code == 400 and "không thể tiếp sau" in wrong.get_data(as_text=True)
    assert step(step="resolved", money_recovered="650.000").status_code == 302
    page = lai_chau.get(url).get_data(as_text=True)
    assert "Đã giải quyết" in page and "650.000 VND" in page
    assert "người thực hiện: lc" in page, "each step is signed"
    assert "Bước tiếp theo" not in page, "nothing follows a resolved case"


def test_another_province_sees_nothing_and_the_nation_sees_no_personal_data(csrf_app):
    app = csrf_app
    create_account(app, "staff1")
    record = complaint_record()
    with app.app_context():
        sync.ingest([record], STAFF, state(app).content)
        db.session.remove()
    hanoi = organiser(app, "hn", 1)
    assert hanoi.get(f"/organiser/complaints/{record['id']}").status_code == 404
    assert "Nồi cơm điện" not in hanoi.get("/organiser/complaints").get_data(as_text=True)
    nation = organiser(app, "boss", None)
    page = nation.get(f"/organiser/complaints/{record['id']}").get_data(as_text=True)
    assert "Nồi cơm điện" in page and "Lò Thị Mai" not in page and "0912" not in page
    assert "Chỉ người xử lý vụ việc" in page


def test_complaint_figures_and_targets_on_the_dashboard_report_stats_and_exports(csrf_app):
    import sqlite3
    import tempfile

    from openpyxl import load_workbook

    from tests.test_complaints import step_record

    app = csrf_app
    create_account(app, "staff1")
    cases = [complaint_record() for _ in range(4)]
    steps = [
        step_record(cases[0]["id"], "resolved", money_recovered=650_000),
        step_record(cases[1]["id"], "advised"),
        step_record(cases[2]["id"], "closed"),
    ]
    with app.app_context():
        sync.ingest(cases + steps, STAFF, state(app).content)
        db.session.remove()
    lai_chau = organiser(app, "lc", LAI_CHAU)
    year = cases[0]["data"]["taken_at"][:4]
    page = lai_chau.get("/organiser/targets").get_data(as_text=True)
    assert "ít nhất 80" in page and "ít nhất 70" in page, "the plans' shares are suggested"
    lai_chau.post(
        f"/organiser/targets?year={year}",
        data={"csrf_token": csrf(page), "complaints_advised": "80", "complaints_resolved": "70"},
    )
    dashboard = " ".join(lai_chau.get(f"/organiser/?from={year}-01-01").get_data(as_text=True).split())
    assert "Khiếu nại theo tình trạng" in dashboard
    assert "Đã tư vấn trở lên: 75 %. Đã giải quyết: 25 %. Tỷ lệ thành công" in dashboard
    assert "650.000 đồng" in dashboard
    assert (
        'Khiếu nại được tiếp nhận và tư vấn (phần trăm)</th> <td class="num">80 %</td> <td class="num">75 %</td>'
        in dashboard
    )
    stats = lai_chau.get("/api/v1/stats").get_json()["complaints"]
    assert (stats["received"], stats["money_recovered"], stats["success_rate"]) == (4, 650_000, 50)
    book = load_workbook(io.BytesIO(lai_chau.get("/organiser/export.xlsx").data))
    lines = [list(r) for r in book["Khiếu nại"].iter_rows(values_only=True)]
    assert ["Số tiền đòi lại được (đồng)", 650_000] in lines and ["Đã giải quyết", 1] in lines
    with tempfile.NamedTemporaryFile(suffix=".sqlite3") as f:
        f.write(lai_chau.get("/organiser/export.sqlite").data)
        f.flush()
        columns = [c[1] for c in sqlite3.connect(f.name).execute("pragma table_info(complaints)")]
        assert "goods" in columns and "contact_phone" not in columns and "contact_name" not in columns
    report = lai_chau.get(f"/organiser/report?year={year}").get_data(as_text=True)
    assert "Khiếu nại theo tình trạng" in report
