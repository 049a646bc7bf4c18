"""Yearly targets: a province organiser sets theirs, a national organiser the nation's or any
province's; the dashboard and the yearly report show the progress; a wrong number is refused
with the target named, and nothing else is changed."""

from __future__ import annotations

import datetime as dt

from server import sync, targets
from server.extensions import db
from server.models import AuditEntry, Target
from server.state import state
from tests.conftest import LAI_CHAU, STAFF, attendance_record, create_account, csrf, log_in, session_record

YEAR = dt.datetime.now(dt.UTC).year


def organiser(app, name="lc", province=LAI_CHAU):
    create_account(app, name, role="organiser", province=province)
    client = app.test_client()
    assert log_in(client, name).status_code == 302
    return client


def save(client, query="", **values):
    url = f"/organiser/targets?year={YEAR}{query}"
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf(page), **values})


def test_a_province_sets_its_targets_and_sees_the_progress(csrf_app):
    app = csrf_app
    create_account(app, "staff1")
    session = session_record()  # now: this year
    with app.app_context():
        sync.ingest([session, attendance_record(session["id"], 46, 27, 31)], STAFF, state(app).content)
        db.session.remove()
    client = organiser(app)
    assert save(client, participants="2.000", sessions="10", communes_reached="20").status_code == 302
    with app.app_context():
        assert targets.stored(LAI_CHAU, YEAR) == {
            "participants": 2000,
            "sessions": 10,
            "communes_reached": 20,
        }
        assert db.session.query(AuditEntry).filter_by(action="targets.saved").count() == 1
    page = client.get(f"/organiser/?from={YEAR}-01-01").get_data(as_text=True)
    assert f"Chỉ tiêu năm {YEAR}" in page
    assert 'Người tham gia</th>\n      <td class="num">2.000</td>\n      <td class="num">46</td>' in page
    assert 'value="2"' in page, "46 of 2,000 is 2 %"
    assert 'Buổi tuyên truyền</th>\n      <td class="num">10</td>\n      <td class="num">1</td>' in page
    report = client.get(f"/organiser/report?year={YEAR}").get_data(as_text=True)
    assert "Tiến độ so với chỉ tiêu" in report


def test_a_wrong_target_is_refused_with_its_name_and_nothing_changes(csrf_app):
    client = organiser(csrf_app)
    save(client, participants="500")
    for bad in ({"participants": "-3"}, {"communes_reached": "120"}, {"sessions": "mười"}):
        answer = save(client, **bad)
        assert answer.status_code == 400
        assert "một số nguyên từ 1 đến" in answer.get_data(as_text=True)
    with csrf_app.app_context():
        assert targets.stored(LAI_CHAU, YEAR) == {"participants": 500}
    assert save(client, participants="").status_code == 302, "an empty form clears the targets"
    with csrf_app.app_context():
        assert targets.stored(LAI_CHAU, YEAR) == {}


def test_national_targets_and_another_provinces(csrf_app):
    boss = organiser(csrf_app, "boss", province=None)
    page = boss.get("/organiser/targets").get_data(as_text=True)
    assert "ít nhất 200.000" in page
    assert save(boss, participants="200000").status_code == 302
    assert save(boss, f"&province={LAI_CHAU}", participants="3000").status_code == 302
    hanoi = organiser(csrf_app, "hn", province=1)
    assert hanoi.get(f"/organiser/targets?province={LAI_CHAU}").status_code == 403
    assert save(hanoi, participants="9").status_code == 302  # its own province
    with csrf_app.app_context():
        rows = {(t.province_code, t.value) for t in db.session.query(Target)}
    assert rows == {(0, 200000), (LAI_CHAU, 3000), (1, 9)}
