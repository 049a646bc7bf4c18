"""Figures organisers can trust: authorisation that does not depend on arrival order, residents'
answers that join a session only with its QR key, time bounds, corrections and voids with a
trail, sequence numbers that show what never arrived, and quarantine."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from server import amendments, provenance, reports, sync
from server.devices import Actor
from server.extensions import db
from server.models import Attendance, QuizResponse, User, VillageSession
from server.state import state
from tests.conftest import (
    KHOEN_ON,
    MUONG_KIM,
    attendance_record,
    create_account,
    quiz_record,
    rid,
    session_record,
    stored_row,
    when,
)

HANOI_COMMUNE = 4
QR_KEY = "Zk3v9qT2LmN8pR4sW6xY1a"


def actor(user_id: int, communes=(MUONG_KIM, KHOEN_ON), role="staff", token_id=None) -> Actor:
    return Actor(token_id or user_id, role, user_id, f"user{user_id}", frozenset(communes), None)


MAI = actor(1)  # Lai Châu communes
HA = actor(2, communes=(HANOI_COMMUNE,))  # one Hà Nội commune only
RESIDENT_A = Actor(101, "resident", None, None, frozenset(), None)
RESIDENT_B = Actor(102, "resident", None, None, frozenset(), None)


@pytest.fixture
def send(app):
    with app.app_context():
        create_account(app, "mai")
        create_account(app, "ha", communes=(HANOI_COMMUNE,))
        create_account(app, "boss", role="organiser", communes=())

    def run(records, who=MAI, device=None, **kwargs):
        with app.app_context():
            try:
                return sync.ingest(records, who, state(app).content, device_id=device, **kwargs)
            finally:
                db.session.remove()

    return run


def totals(app, **filters) -> dict:
    with app.app_context():
        return reports.totals(reports.ReportFilter(**filters))


def correction(target_id, created=20, **changes):
    return {
        "id": rid(),
        "type": "correction",
        "created_at": when(created),
        "data": {"target_id": target_id, "changes": changes},
    }


def void(target_id, reason="test session", created=30):
    return {
        "id": rid(),
        "type": "void",
        "created_at": when(created),
        "data": {"target_id": target_id, "reason": reason},
    }


# -- authorisation independent of arrival order ---------------------------------------------------


@pytest.mark.parametrize("order", ["session first", "line first"])
def test_a_line_for_a_commune_its_author_may_not_record_in_never_counts(app, send, order):
    session = session_record(MUONG_KIM)
    line = attendance_record(session["id"], 5000 // 5, 0, 0)
    phone_of_ha = str(uuid.uuid4())
    if order == "session first":
        send([session])
        result = send([line], HA, device=phone_of_ha)
        assert [r["code"] for r in result.rejected] == ["commune_not_yours"]
    else:
        assert send([line], HA, device=phone_of_ha).accepted == [line["id"]]
        send([session])
        later = send([], HA, device=phone_of_ha)  # Hà's next sync
        assert [(a["id"], a["code"]) for a in later.attention] == [(line["id"], "commune_not_yours")]
        assert "not one of your communes" in later.attention[0]["error"]
    figures = totals(app)
    assert (figures["sessions"], figures["attendees"]) == (1, 0)
    with app.app_context():
        assert reports.waiting_for_session()["people"] == 0, "refused, not waiting"


def test_a_staff_answer_for_another_communes_session_is_refused_too(app, send):
    session = session_record(MUONG_KIM)
    answer = quiz_record(app, session["id"], "pre")
    assert send([answer], HA, device=str(uuid.uuid4())).accepted == [answer["id"]]
    send([session])
    assert totals(app)["quiz_responses"] == 0


# -- residents' answers --------------------------------------------------------------------------


def resident_answer(app, session, key=QR_KEY, phase="pre", created=10, right=True):
    answer = quiz_record(app, session["id"], phase, right=right)
    answer["created_at"] = when(created)
    if key is not None:
        answer["data"]["session_key"] = key
    return answer


def joined(app, answer_id) -> tuple:
    with app.app_context():
        row = stored_row(QuizResponse, answer_id)
        return row.session_id, row.phase, row.commune_code


@pytest.mark.parametrize("order", ["session first", "answers first"])
def test_a_residents_answer_joins_only_with_the_qr_key_and_near_the_session(app, send, order):
    session = session_record(MUONG_KIM, qr_key=QR_KEY)
    good = resident_answer(app, session)
    no_key = resident_answer(app, session, key=None)
    wrong_key = resident_answer(app, session, key="x" * 22)
    too_late = resident_answer(app, session, created=13 * 60)  # 13 h after the start
    answers = [good, no_key, wrong_key, too_late]
    if order == "session first":
        send([session])
        for answer in answers:
            assert send(
                [answer], Actor(uuid.uuid4().int % 10**6, "resident", None, None, frozenset(), None)
            ).accepted
    else:
        for answer in answers:
            send([answer], Actor(uuid.uuid4().int % 10**6, "resident", None, None, frozenset(), None))
        send([session])
    assert joined(app, good["id"]) == (session["id"], "pre", MUONG_KIM)
    for anonymous in (no_key, wrong_key, too_late):
        assert joined(app, anonymous["id"]) == (None, None, None), "an anonymous survey answer"
    assert totals(app)["quiz_responses"] == 4, "every answer still counts as an answer"
    with app.app_context():
        assert reports.waiting_for_session()["quiz_responses"] == 0


def test_one_resident_phone_joins_a_session_once_per_phase(app, send):
    session = session_record(MUONG_KIM, qr_key=QR_KEY)
    send([session])
    wrong = [resident_answer(app, session, right=False) for _ in range(250)]
    right = [resident_answer(app, session, phase="post", right=True) for _ in range(250)]
    result = send(wrong + right, RESIDENT_A)
    assert len(result.accepted) == 500
    with app.app_context():
        in_session = db.session.query(QuizResponse).filter(QuizResponse.session_id == session["id"]).count()
    assert in_session == 2, "one 'pre' and one 'post' answer from this phone, the rest anonymous"
    other = resident_answer(app, session)
    send([other], RESIDENT_B)
    assert joined(app, other["id"])[0] == session["id"]


# -- time bounds ---------------------------------------------------------------------------------


def test_records_from_the_future_or_too_old_are_rejected_with_the_reason(app, send):
    future = session_record()
    future["created_at"] = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).isoformat()
    old = session_record()
    old["created_at"] = "2025-06-01T08:00:00+07:00"
    result = send([future, old])
    codes = {r["id"]: (r["code"], r["params"]) for r in result.rejected}
    assert codes[future["id"]][0] == "time_in_future"
    assert codes[old["id"]][0] == "time_too_old" and codes[old["id"]][1]["days"] == 120
    assert "older than 120 days" in next(r["error"] for r in result.rejected if r["id"] == old["id"])
    assert totals(app)["sessions"] == 0


def test_the_oldest_accepted_age_is_a_setting(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, MAX_RECORD_AGE_DAYS=1000)
    old = session_record()
    old["created_at"] = "2025-06-01T08:00:00+07:00"
    create_account(app, "mai")
    with app.app_context():
        assert sync.ingest([old], MAI, state(app).content).accepted == [old["id"]]


# -- corrections and voids -----------------------------------------------------------------------


def test_a_corrected_tally_counts_with_its_corrected_values_and_keeps_the_original(app, send):
    session = session_record()
    line = attendance_record(session["id"], 46, 27, 31)
    send([session, line])
    fix = correction(line["id"], count=64)
    assert send([fix]).accepted == [fix["id"]]
    figures = totals(app)
    assert (figures["attendees"], figures["women"], figures["ethnic_minority"]) == (64, 27, 31)
    with app.app_context():
        row = stored_row(Attendance, line["id"])
        assert json.loads(row.original or "{}") == {
            "count": 46,
            "women": 27,
            "ethnic_minority": 31,
            "elderly": 0,
            "disabled": 0,
        }
        trail = amendments.trail(line["id"])
        assert [(a.kind, a.state, json.loads(a.changes)) for a in trail] == [
            ("correction", "applied", {"count": 64})
        ]


@pytest.mark.parametrize("order", ["in order", "reversed", "correction before its line"])
def test_corrections_apply_in_the_order_they_were_made_whatever_the_arrival(app, send, order):
    session = session_record()
    line = attendance_record(session["id"], 10, 2, 0)
    first, second = correction(line["id"], created=20, count=12), correction(line["id"], created=25, count=15)
    batches = {
        "in order": [[session, line], [first], [second]],
        "reversed": [[session, line], [second], [first]],
        "correction before its line": [[second, first], [line], [session]],
    }[order]
    for batch in batches:
        assert not send(batch).rejected
    assert totals(app)["attendees"] == 15


def test_void_of_a_session_removes_it_and_its_lines_and_answers(app, send):
    session = session_record()
    lines = [attendance_record(session["id"], 10, 1, 1) for _ in range(3)]
    answer = quiz_record(app, session["id"], "pre")
    send([session, *lines[:2], answer])
    assert send([void(session["id"])]).accepted
    send([lines[2]])  # a line that arrives after the void
    figures = totals(app)
    assert (figures["sessions"], figures["attendees"], figures["quiz_responses"]) == (0, 0, 0)


def test_undo_of_one_tally_line(app, send):
    session = session_record()
    lines = [attendance_record(session["id"], 1, 1, 0) for _ in range(3)]
    send([session, *lines])
    send([void(lines[1]["id"], reason="pressed +1 twice")])
    assert totals(app)["attendees"] == 2


def test_amendments_that_cannot_apply_are_rejected_with_the_reason(app, send):
    session = session_record()
    line = attendance_record(session["id"], 10, 5, 5)
    send([session, line])
    first_void = void(line["id"])
    send([first_void])
    cases = {
        "other staff": (correction(line["id"], count=11), HA),
        "void of void": (void(first_void["id"]), MAI),
        "women > count": (correction(line["id"], count=3), MAI),
        "not correctable": (correction(line["id"], commune_code=HANOI_COMMUNE), MAI),
    }
    codes = {}
    for name, (record, who) in cases.items():
        result = send([record], who)
        codes[name] = [r["code"] for r in result.rejected]
    assert codes == {
        "other staff": ["not_your_record"],
        "void of void": ["cannot_amend_amendment"],
        "women > count": ["more_than_count"],
        "not correctable": ["field_not_correctable"],
    }


def test_a_waiting_correction_that_would_leave_more_women_than_people_is_refused_on_arrival(app, send):
    session = session_record()
    line = attendance_record(session["id"], 10, 5, 5)
    phone = str(uuid.uuid4())
    send([correction(line["id"], count=3)], device=phone)
    send([session, line])
    assert totals(app)["attendees"] == 10
    [problem] = send([], device=phone).attention
    assert (problem["code"], problem["params"]["reason"]) == ("amendment_refused", "more_than_count")


def test_a_waiting_correction_by_someone_else_is_refused_when_its_target_arrives(app, send):
    session = session_record()
    line = attendance_record(session["id"], 10, 5, 5)
    phone_of_ha = str(uuid.uuid4())
    fix = correction(line["id"], count=500)
    assert send([fix], HA, device=phone_of_ha).accepted == [fix["id"]]
    send([session, line])
    assert totals(app)["attendees"] == 10
    attention = send([], HA, device=phone_of_ha).attention
    assert [(a["id"], a["code"], a["params"]["reason"]) for a in attention] == [
        (fix["id"], "amendment_refused", "not_your_record")
    ]


def test_an_organiser_voids_a_record_with_a_reason(app, send):
    session = session_record()
    send([session, attendance_record(session["id"], 40, 20, 20)])
    with app.app_context():
        boss = db.session.execute(db.select(User).filter_by(username="boss")).scalar_one()
        with pytest.raises(sync.RecordInvalid, match="why"):
            amendments.void_by_organiser(session["id"], "  ", boss)
        amendments.void_by_organiser(session["id"], "a training session, not a real one", boss)
    figures = totals(app)
    assert (figures["sessions"], figures["attendees"]) == (0, 0)
    with app.app_context():
        assert stored_row(VillageSession, session["id"]).hold != 0, "kept, held out of the figures"


# -- sequences -----------------------------------------------------------------------------------


def test_sequence_numbers_show_what_never_arrived(app, send):
    phone = str(uuid.uuid4())
    session = session_record()
    records = [session] + [attendance_record(session["id"], 1, 0, 0) for _ in range(9)]
    for seq, record in enumerate(records, start=1):
        record["seq"] = seq
    records[5]["data"]["count"] = 0  # seq 6: invalid, rejected, but it arrived
    lost = {4, 8, 9}
    result = send([r for r in records if r["seq"] not in lost], device=phone)
    assert result.device == {"received_through": 3, "gaps": [[4, 4], [8, 9]]}
    result = send([r for r in records if r["seq"] in lost], device=phone)
    assert result.device == {"received_through": 10, "gaps": []}
    new_phone = str(uuid.uuid4())  # the same person after re-installing: a new device, no false gap
    again = attendance_record(session["id"], 1, 0, 0)
    again["seq"] = 1
    assert send([again], device=new_phone).device == {"received_through": 1, "gaps": []}


# -- quarantine ----------------------------------------------------------------------------------


def test_quarantine_holds_everything_a_device_sent_and_can_be_released(app, send):
    good_phone, bad_phone = str(uuid.uuid4()), str(uuid.uuid4())
    session = session_record()
    send([session, attendance_record(session["id"], 30, 10, 10)], device=good_phone)
    noisy = [attendance_record(session["id"], 100, 0, 0) for _ in range(5)]
    send(noisy[:3], device=bad_phone)
    assert totals(app)["attendees"] == 330
    with app.app_context():
        assert provenance.quarantine(bad_phone, "a test phone", None)
    assert totals(app)["attendees"] == 30
    send(noisy[3:], device=bad_phone)  # what it sends while quarantined is held too
    send([void(noisy[0]["id"])], device=bad_phone)
    assert totals(app)["attendees"] == 30
    with app.app_context():
        assert provenance.release(bad_phone)
    assert totals(app)["attendees"] == 30 + 400, "released, but the voided line stays voided"


def test_the_sqlite_export_shows_originals_corrections_and_what_is_held_out(app, send, tmp_path):
    import sqlite3

    from server import exports

    session = session_record()
    kept, dropped = attendance_record(session["id"], 10, 4, 4), attendance_record(session["id"], 7, 1, 1)
    send([session, kept, dropped, correction(kept["id"], count=12), void(dropped["id"], reason="twice")])
    path = tmp_path / "export.sqlite3"
    with app.app_context():
        path.write_bytes(exports.to_sqlite(reports.ReportFilter()))
    with sqlite3.connect(path) as export:
        assert export.execute("select sum(count) from attendance").fetchone() == (12,)
        original = export.execute("select original from attendance where id = ?", (kept["id"],)).fetchone()[0]
        assert json.loads(original)["count"] == 10
        assert export.execute("select id, reasons from held_out").fetchall() == [(dropped["id"], "voided")]
        trail = export.execute(
            "select target_id, kind, reason, state from amendments order by kind"
        ).fetchall()
        assert trail == [
            (kept["id"], "correction", "", "applied"),
            (dropped["id"], "void", "twice", "applied"),
        ]
