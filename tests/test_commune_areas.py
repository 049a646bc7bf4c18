"""The commune classification: a province's organisers list its border and remote communes
with the decision they come from; the dashboard and the yearly report count reach and
participants in them; another province's communes, or a list without its source, are refused
with the reason."""

from __future__ import annotations

from server import sync
from server.extensions import db
from server.models import AuditEntry, CommuneArea
from server.state import state
from tests.conftest import (
    KHOEN_ON,
    LAI_CHAU,
    MUONG_KIM,
    STAFF,
    attendance_record,
    create_account,
    csrf,
    log_in,
    session_record,
)

SOURCE = "Quyết định số 12/QĐ-UBND ngày 05/01/2026 của UBND tỉnh Lai Châu"


def organiser(app, name="lc", province=LAI_CHAU):
    create_account(app, name, role="organiser", province=province)
    client = app.test_client()
    assert log_in(client, name).status_code == 302
    return client


def save(client, area, communes, source, province=None):
    url = "/organiser/areas" + (f"?province={province}" if province else "")
    page = client.get(url).get_data(as_text=True)
    return client.post(
        url, data={"csrf_token": csrf(page), "area": area, "communes": communes, "source": source}
    )


def test_a_province_lists_its_border_communes_and_the_figures_count_them(csrf_app):
    app = csrf_app
    create_account(app, "staff1")
    session = session_record()  # in Mường Kim
    with app.app_context():
        sync.ingest([session, attendance_record(session["id"], 46, 27, 31)], STAFF, state(app).content)
        db.session.remove()
    client = organiser(app)
    saved = save(client, "border", "Mường Kim, 3640", SOURCE)
    assert saved.status_code == 302
    with app.app_context():
        rows = db.session.query(CommuneArea).order_by(CommuneArea.commune_code).all()
        assert [(r.commune_code, r.area, r.source) for r in rows] == [
            (MUONG_KIM, "border", SOURCE),
            (KHOEN_ON, "border", SOURCE),
        ]
        assert db.session.query(AuditEntry).filter_by(action="areas.saved").count() == 1
    page = client.get("/organiser/areas").get_data(as_text=True)
    assert "2 xã trong danh sách" in page and SOURCE in page
    dashboard = client.get("/organiser/").get_data(as_text=True)
    assert "Xã biên giới: đã đến 1 trên 2 xã, 46 người tham dự" in dashboard and SOURCE in dashboard
    year = session["data"]["starts_at"][:4]
    report = client.get(f"/organiser/report?year={year}").get_data(as_text=True)
    assert 'Xã biên giới: người tham dự</th><td class="num">46</td>' in report


def test_a_list_needs_its_source_and_communes_of_the_province(csrf_app):
    client = organiser(csrf_app)
    no_source = save(client, "border", "Mường Kim", "  ")
    assert no_source.status_code == 400 and "Hãy ghi tên quyết định" in no_source.get_data(as_text=True)
    elsewhere = save(client, "remote", "4", SOURCE)  # a Hà Nội commune
    assert elsewhere.status_code == 400 and "không thuộc" in elsewhere.get_data(as_text=True)
    unknown = save(client, "remote", "Xã Không Có Thật", SOURCE)
    assert unknown.status_code == 400
    with csrf_app.app_context():
        assert db.session.query(CommuneArea).count() == 0, "nothing half-saved"
    assert save(client, "remote", "Mường Kim", SOURCE).status_code == 302
    assert save(client, "remote", "", "").status_code == 302, "an empty list clears it"
    with csrf_app.app_context():
        assert db.session.query(CommuneArea).count() == 0


def test_another_provinces_organiser_cannot_change_or_see_the_list(csrf_app):
    lai_chau = organiser(csrf_app)
    save(lai_chau, "border", "Mường Kim", SOURCE)
    hanoi = organiser(csrf_app, "hn", province=1)
    assert hanoi.get(f"/organiser/areas?province={LAI_CHAU}").status_code == 403
    assert SOURCE not in hanoi.get("/organiser/areas").get_data(as_text=True)
    assert save(hanoi, "border", str(MUONG_KIM), "x").status_code == 400
    with csrf_app.app_context():
        assert db.session.query(CommuneArea).count() == 1
