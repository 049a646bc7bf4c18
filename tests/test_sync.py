"""The sync protocol, as plain functions: every record once, in any order, with a reason
for every record that is not stored."""

import datetime as dt

import pytest

from server import sync
from server.devices import Actor
from server.extensions import db
from server.models import Attendance, QuizResponse, SyncRecord, VillageSession
from server.state import state
from tests.conftest import (
    KHOEN_ON,
    MUONG_KIM,
    RESIDENT,
    STAFF,
    attendance_record,
    quiz_record,
    rid,
    session_record,
    stored_row,
    when,
)


@pytest.fixture
def ingest(app):
    def run(records, actor=STAFF):
        with app.app_context():
            return sync.ingest(records, actor, state(app).content)

    return run


def count(app, model):
    with app.app_context():
        return db.session.query(model).count()


def test_accepts_a_session_with_attendance_and_quiz(app, ingest):
    s = session_record()
    records = [s, attendance_record(s["id"]), quiz_record(app, s["id"])]
    result = ingest(records)
    assert result.accepted == [r["id"] for r in records]
    assert not (result.duplicates or result.conflicts or result.rejected)
    with app.app_context():
        a = stored_row(Attendance, records[1]["id"])
        assert (a.count, a.women, a.ethnic_minority, a.commune_code, a.province_code) == (
            46,
            27,
            31,
            MUONG_KIM,
            12,
        )
        q = stored_row(QuizResponse, records[2]["id"])
        assert q.correct == q.total and q.commune_code == MUONG_KIM


def test_same_record_twice_is_a_duplicate_and_counted_once(app, ingest):
    s = session_record()
    a = attendance_record(s["id"])
    ingest([s, a])
    again = ingest([s, a])
    assert again.accepted == [] and sorted(again.duplicates) == sorted([s["id"], a["id"]])
    assert count(app, Attendance) == 1 and count(app, SyncRecord) == 2


def test_same_id_different_content_is_a_conflict_and_first_is_kept(app, ingest):
    s = session_record()
    a = attendance_record(s["id"], count=10, women=5, ethnic_minority=5)
    ingest([s, a])
    changed = dict(a, data=dict(a["data"], count=99))
    result = ingest([changed])
    assert (
        result.conflicts
        and result.conflicts[0]["id"] == a["id"]
        and "kept the first" in result.conflicts[0]["error"]
    )
    with app.app_context():
        assert stored_row(Attendance, a["id"]).count == 10


def test_key_order_does_not_make_a_conflict(app, ingest):
    s = session_record()
    ingest([s])
    reordered = {
        "data": dict(reversed(list(s["data"].items()))),
        "created_at": s["created_at"],
        "type": "session",
        "id": s["id"],
    }
    assert ingest([reordered]).duplicates == [s["id"]]


def test_attendance_before_its_session_gets_the_commune_later(app, ingest):
    session_id = rid()
    a = attendance_record(session_id)
    q = quiz_record(app, session_id, phase="post")
    assert ingest([a, q]).accepted == [a["id"], q["id"]]
    with app.app_context():
        assert stored_row(Attendance, a["id"]).commune_code is None
    ingest([session_record(record_id=session_id, commune=KHOEN_ON)])
    with app.app_context():
        assert stored_row(Attendance, a["id"]).commune_code == KHOEN_ON
        assert stored_row(QuizResponse, q["id"]).commune_code == KHOEN_ON


def test_same_id_twice_in_one_batch(app, ingest):
    s = session_record()
    result = ingest([s, s])
    assert result.accepted == [s["id"]] and result.duplicates == [s["id"]]
    first = attendance_record(s["id"], count=10, women=1, ethnic_minority=1)
    second = attendance_record(s["id"], count=5, women=1, ethnic_minority=1, record_id=first["id"])
    result = ingest([first, second])
    assert result.accepted == [first["id"]] and len(result.conflicts) == 1


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda r: r.update(type="survey"), "unknown record type"),
        (lambda r: r.update(id="not-a-uuid"), "is not a UUID"),
        (lambda r: r.update(created_at="yesterday"), "RFC 3339"),
        (lambda r: r.update(created_at="2026-03-15T08:00:00"), "time zone offset"),
        (lambda r: r["data"].update(count=-3), "count must be from 1 to 1000"),
        (lambda r: r["data"].update(count=1001), "count must be from 1 to 1000"),
        (lambda r: r["data"].update(count="46"), "count must be a whole number"),
        (lambda r: r["data"].update(count=True), "count must be a whole number"),
        (lambda r: r["data"].update(women=47), "women must be from 0 to 46"),
        (lambda r: r["data"].update(ethnic_minority=-1), "ethnic_minority must be from 0 to 46"),
        (lambda r: r["data"].update(session_id=None), "session_id must be a UUID"),
        (lambda r: r.update(data=[1, 2]), "data must be an object"),
    ],
)
def test_invalid_attendance_is_rejected_with_a_reason(app, ingest, mutate, message):
    record = attendance_record(rid())
    mutate(record)
    good = session_record()
    result = ingest([record, good])
    assert result.accepted == [good["id"]], "the valid record beside it is stored"
    assert len(result.rejected) == 1 and message in result.rejected[0]["error"]
    assert count(app, Attendance) == 0


def test_session_in_unknown_commune(ingest):
    result = ingest([session_record(commune=99999999)])
    assert "99999999 is not an official commune code" in result.rejected[0]["error"]


def test_staff_cannot_record_another_communes_session(ingest):
    result = ingest([session_record(commune=4)])  # a real commune, not one of staff1's
    assert result.rejected and "is not one of your communes" in result.rejected[0]["error"]


def test_staff_cannot_add_attendance_to_another_communes_session(app, ingest):
    other = Actor(
        token_id=3, role="staff", user_id=3, username="other", commune_codes=frozenset({4}), device_id=None
    )
    s = session_record(commune=4)
    assert ingest([s], actor=other).accepted
    result = ingest([attendance_record(s["id"])])
    assert "not one of your communes" in result.rejected[0]["error"]


def test_unknown_question_and_option(app, ingest):
    bad_q = quiz_record(app)
    bad_q["data"]["answers"]["no-such-question"] = "a"
    bad_o = quiz_record(app)
    first = next(iter(bad_o["data"]["answers"]))
    bad_o["data"]["answers"][first] = "zz"
    result = ingest([bad_q, bad_o])
    errors = [r["error"] for r in result.rejected]
    assert "unknown question 'no-such-question'" in errors[0]
    assert "'zz' is not an option" in errors[1]


def test_score_is_computed_on_the_server(app, ingest):
    record = quiz_record(app, right=False)
    record["data"]["score"] = 100  # a phone cannot claim a score
    ingest([record])
    with app.app_context():
        stored = stored_row(QuizResponse, record["id"])
        assert stored.correct == 0 and stored.total == len(record["data"]["answers"])


def test_translated_quiz_is_scored_with_the_same_key(app, ingest):
    record = quiz_record(app, lang="en")
    ingest([record])
    with app.app_context():
        stored = stored_row(QuizResponse, record["id"])
        assert stored.correct == stored.total and stored.lang == "en"


def test_resident_phone_may_send_quiz_answers_but_not_sessions(app, ingest):
    result = ingest([session_record(), quiz_record(app)], actor=RESIDENT)
    assert len(result.accepted) == 1
    assert "resident's phone cannot send 'session'" in result.rejected[0]["error"]


def test_keeps_phone_time_and_receive_time(app, ingest):
    s = session_record()
    s["created_at"] = when(-22 * 60)  # the day before, at 10:00 in Vietnam
    ingest([s])
    with app.app_context():
        row = stored_row(VillageSession, s["id"])
        expected = dt.datetime.fromisoformat(s["created_at"]).astimezone(dt.UTC).replace(tzinfo=None)
        assert row.created_at == expected and row.created_at.hour == 3  # UTC
        assert row.received_at.year >= 2026 and row.received_at != row.created_at


def test_unknown_leaflet_code_is_rejected(ingest):
    scan = {
        "id": rid(),
        "type": "leaflet_scan",
        "created_at": when(),
        "data": {"code": "ZZZZZZ", "scanned_at": when()},
    }
    assert "unknown leaflet code 'ZZZZZZ'" in ingest([scan]).rejected[0]["error"]


def test_envelope_errors():
    with pytest.raises(sync.EnvelopeError, match="records"):
        sync.parse_envelope({"device_id": rid()})
    with pytest.raises(sync.EnvelopeError, match="device_id"):
        sync.parse_envelope({"device_id": "phone-1", "records": []})
    with pytest.raises(sync.EnvelopeError, match="JSON object"):
        sync.parse_envelope([1, 2])


def test_two_tabs_sending_the_same_batch_at_once(app):
    """Concurrent requests with the same records: one stores, the other sees duplicates."""
    import threading

    s = session_record()
    batch = [s] + [attendance_record(s["id"], count=1, women=0, ethnic_minority=0) for _ in range(200)]
    results, errors = [], []

    def send():
        try:
            with app.app_context():
                results.append(sync.ingest(batch, STAFF, state(app).content))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(len(r.accepted) for r in results) == len(batch)
    assert sum(len(r.duplicates) for r in results) == 3 * len(batch)
    with app.app_context():
        assert db.session.query(db.func.sum(Attendance.count)).scalar() == 200
