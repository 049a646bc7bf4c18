"""Property: whatever the interleaving of retries, duplicates, reordering and batch splits,
each record is stored exactly once and the totals come out exact."""

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import sync
from server.devices import Actor
from server.extensions import db
from server.models import Attendance, SyncRecord, VillageSession
from server.state import state
from tests.conftest import MUONG_KIM, attendance_record, make_app, session_record, when

STAFF = Actor(
    token_id=1,
    role="staff",
    user_id=1,
    username="staff1",
    commune_codes=frozenset({MUONG_KIM}),
    device_id=None,
)


def village_day(n_sessions, lines):
    """Sessions with tally lines; ids fixed so the same data can be replayed."""
    records, expected = [], 0
    for i in range(n_sessions):
        s = session_record(record_id=str(uuid.UUID(int=i + 1)))
        records.append(s)
        for j in range(lines):
            a = attendance_record(
                s["id"],
                count=j + 1,
                women=0,
                ethnic_minority=0,
                record_id=str(uuid.UUID(int=1000 + i * 100 + j)),
            )
            records.append(a)
            expected += j + 1
    return records, expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), n_sessions=st.integers(1, 3), lines=st.integers(0, 4))
def test_any_interleaving_stores_each_record_once(tmp_path_factory, data, n_sessions, lines):
    app = make_app(tmp_path_factory.mktemp("prop"))
    records, expected = village_day(n_sessions, lines)
    # Each record is sent 1 to 3 times (lost responses, two tabs, two devices replaying a file),
    # the sends shuffled and cut into batches of any size.
    sends = [r for r in records for _ in range(data.draw(st.integers(1, 3)))]
    sends = data.draw(st.permutations(sends))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(sends)), max_size=5)))
    batches = [sends[a:b] for a, b in zip([0, *cuts], [*cuts, len(sends)], strict=False)]
    accepted = []
    with app.app_context():
        for batch in batches:
            result = sync.ingest(batch, STAFF, state(app).content)
            assert not result.rejected and not result.conflicts
            assert len(result.accepted) + len(result.duplicates) == len(batch)
            accepted += result.accepted
        assert sorted(accepted) == sorted(r["id"] for r in records), "each accepted exactly once"
        assert db.session.query(SyncRecord).count() == len(records)
        assert db.session.query(VillageSession).count() == n_sessions
        total = db.session.query(db.func.coalesce(db.func.sum(Attendance.count), 0)).scalar()
        assert total == expected
        located = db.session.query(Attendance).filter(Attendance.commune_code == MUONG_KIM).count()
        assert located == n_sessions * lines, "every line found its session, whatever the order"
        db.engine.dispose()


def amended_day(draw, n_sessions: int) -> tuple[list[dict], dict]:
    """Sessions, tally lines, corrections of the lines (made in a known order) and voids of
    lines and sessions; and the figures they must give when applied in the order they were made."""
    records: list[dict] = []
    truth = {"sessions": 0, "attendees": 0}
    serial = iter(range(1, 10_000))

    def new_id() -> str:
        return str(uuid.UUID(int=next(serial)))

    for _ in range(n_sessions):
        s = session_record(record_id=new_id())
        records.append(s)
        session_voided = draw(st.booleans())
        people = 0
        for _ in range(draw(st.integers(0, 3))):
            count = draw(st.integers(1, 50))
            line = attendance_record(s["id"], count=count, women=0, ethnic_minority=0, record_id=new_id())
            records.append(line)
            # Corrections made one after another; the last one made wins, whatever arrives last.
            for minute, fixed in enumerate(draw(st.lists(st.integers(1, 80), max_size=2))):
                records.append(
                    {
                        "id": new_id(),
                        "type": "correction",
                        "created_at": when(20 + minute),
                        "data": {"target_id": line["id"], "changes": {"count": fixed}},
                    }
                )
                count = fixed
            if draw(st.booleans()):
                records.append(void_record(new_id(), line["id"]))
            else:
                people += count
        if session_voided:
            records.append(void_record(new_id(), s["id"]))
        else:
            truth["sessions"] += 1
            truth["attendees"] += people
    return records, truth


def void_record(record_id: str, target_id: str) -> dict:
    return {
        "id": record_id,
        "type": "void",
        "created_at": when(40),
        "data": {"target_id": target_id, "reason": "test"},
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), n_sessions=st.integers(1, 3))
def test_any_interleaving_of_corrections_and_voids_gives_the_figures_of_applying_them_in_order(
    tmp_path_factory, data, n_sessions
):
    app = make_app(tmp_path_factory.mktemp("prop"))
    records, truth = amended_day(data.draw, n_sessions)
    sends = [r for r in records for _ in range(data.draw(st.integers(1, 2)))]
    sends = data.draw(st.permutations(sends))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(sends)), max_size=5)))
    batches = [sends[a:b] for a, b in zip([0, *cuts], [*cuts, len(sends)], strict=False)]
    from server import reports
    from tests.conftest import create_account

    create_account(app, "staff1", communes=(MUONG_KIM,))
    with app.app_context():
        for batch in batches:
            result = sync.ingest(batch, STAFF, state(app).content)
            assert not result.rejected and not result.conflicts, (result.rejected, result.conflicts)
        figures = reports.totals(reports.ReportFilter())
        assert {k: figures[k] for k in truth} == truth
        assert db.session.query(SyncRecord).count() == len(records)
        db.engine.dispose()
