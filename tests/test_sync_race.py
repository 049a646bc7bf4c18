"""A session and the attendance or answers pointing at it, stored by two requests at the same
moment (the staff phone sends the session while residents' phones send answers through the
session QR code): the later request must see the earlier one's session, whatever the engine.

The interleaving is forced: the request storing the session pauses after its inserts, before
it commits, until the other request has read the sessions (or 1.5 s have passed, which is what
happens when the requests correctly take turns)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from server import sync
from server.extensions import db
from server.models import Attendance, QuizResponse, QuizTally
from server.state import state
from tests.conftest import MUONG_KIM, RESIDENT, STAFF, attendance_record, quiz_record, session_record
from tests.test_sync_quiz_tally import tally_record

QR_KEY = "k" * 22
PATIENCE = 1.5  # seconds the session's request waits for the other to read, before committing


@pytest.mark.parametrize("kind", ["attendance", "quiz_response", "quiz_tally"])
def test_a_line_stored_while_its_session_is_stored_gets_the_commune(app, monkeypatch, kind):
    session = session_record(MUONG_KIM, qr_key=QR_KEY)
    model: type[Attendance | QuizResponse | QuizTally]
    if kind == "attendance":
        line, actor, model = attendance_record(session["id"], 12, 5, 7), STAFF, Attendance
    elif kind == "quiz_tally":  # a show of hands counted on another phone
        line, actor, model = tally_record(session["id"]), STAFF, QuizTally
    else:
        line, actor, model = quiz_record(app, session_id=session["id"], phase="pre"), RESIDENT, QuizResponse
        line["data"]["session_key"] = QR_KEY  # read from the session QR code
    session_inserted, line_read_sessions = threading.Event(), threading.Event()
    attach, fill = sync._attach_late_sessions, sync._fill_from_sessions

    def attach_then_wait(rows, admission):
        attach(rows, admission)
        if rows:  # the session's request: inserted, not committed yet
            session_inserted.set()
            line_read_sessions.wait(PATIENCE)

    def fill_then_tell(rows_by_type, who, admission, result):
        fill(rows_by_type, who, admission, result)
        if rows_by_type[kind]:
            line_read_sessions.set()

    monkeypatch.setattr(sync, "_attach_late_sessions", attach_then_wait)
    monkeypatch.setattr(sync, "_fill_from_sessions", fill_then_tell)

    def send(records, who, wait_for=None):
        if wait_for is not None:
            assert wait_for.wait(10), "the session's request never got to its inserts"
        with app.app_context():
            try:
                return sync.ingest(records, who, state(app).content)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(send, [session], STAFF)
        second = pool.submit(send, [line], actor, session_inserted)
        assert first.result(30).accepted == [session["id"]]
        assert second.result(30).accepted == [line["id"]]
    with app.app_context():
        commune = db.session.scalar(select(model.commune_code).where(model.id == line["id"]))
        assert commune == MUONG_KIM, "the line lost its session's commune"


@pytest.mark.parametrize("rounds", [30])
def test_a_correction_stored_while_its_target_is_stored_still_applies(app, rounds):
    """Each request looks for waiting corrections after it commits, so whichever looks last
    sees both: none waits forever, whatever the timing."""
    from threading import Barrier

    from server.models import Amendment
    from tests.conftest import create_account, rid, when

    create_account(app, "staff1")  # user 1, the STAFF actor
    barrier = Barrier(2)

    def send(records):
        barrier.wait(5)
        with app.app_context():
            try:
                return sync.ingest(records, STAFF, state(app).content)
            finally:
                db.session.remove()

    session = session_record(MUONG_KIM)
    send_alone = ThreadPoolExecutor(max_workers=2)
    with send_alone as pool:
        list(pool.map(send, [[session], []]))
        lines = []
        for _ in range(rounds):
            line = attendance_record(session["id"], 10, 1, 1)
            fix = {
                "id": rid(),
                "type": "correction",
                "created_at": when(30),
                "data": {"target_id": line["id"], "changes": {"count": 20}},
            }
            first, second = pool.submit(send, [line]), pool.submit(send, [fix])
            assert first.result(30).accepted and second.result(30).accepted
            lines.append(line["id"])
    with app.app_context():
        waiting = db.session.query(Amendment).filter(Amendment.state != "applied").count()
        counts = db.session.scalars(select(Attendance.count).where(Attendance.id.in_(lines))).all()
    assert waiting == 0 and counts == [20] * rounds
