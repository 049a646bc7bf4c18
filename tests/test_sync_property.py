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
from tests.conftest import MUONG_KIM, attendance_record, make_app, session_record

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
