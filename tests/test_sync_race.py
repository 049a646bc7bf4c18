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
from server.models import Attendance, QuizResponse
from server.state import state
from tests.conftest import MUONG_KIM, attendance_record, quiz_record, session_record
from tests.test_sync import RESIDENT, STAFF

PATIENCE = 1.5  # seconds the session's request waits for the other to read, before committing


@pytest.mark.parametrize("kind", ["attendance", "quiz_response"])
def test_a_line_stored_while_its_session_is_stored_gets_the_commune(app, monkeypatch, kind):
    session = session_record(MUONG_KIM)
    model: type[Attendance | QuizResponse]
    if kind == "attendance":
        line, actor, model = attendance_record(session["id"], 12, 5, 7), STAFF, Attendance
    else:
        line, actor, model = quiz_record(app, session_id=session["id"], phase="pre"), RESIDENT, QuizResponse
    session_inserted, line_read_sessions = threading.Event(), threading.Event()
    attach, fill = sync._attach_late_sessions, sync._fill_from_sessions

    def attach_then_wait(rows):
        attach(rows)
        if rows:  # the session's request: inserted, not committed yet
            session_inserted.set()
            line_read_sessions.wait(PATIENCE)

    def fill_then_tell(rows_by_type, who, result):
        fill(rows_by_type, who, result)
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
