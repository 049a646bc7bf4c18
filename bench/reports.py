"""Stats speed at scale: GET /api/v1/stats for one province and for the whole country with
1,000,000 stored records, generated with sqlite-utils bulk inserts, cold and warm, with the
indexes the query plans use.

Usage: .venv/bin/python bench/reports.py [--records 1000000] [--province 12] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlite_utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARE = {"attendance": 0.48, "quiz_responses": 0.44, "leaflet_scans": 0.05}  # the rest: sessions, ledger-free


def generate(path: Path, total: int, seed: int = 7) -> dict:
    """Records spread over every commune of the country, in the app's own tables."""
    from server import communes

    rng = random.Random(seed)
    all_communes = list(communes.communes().values())
    n_sessions = max(1, int(total * (1 - sum(SHARE.values()))))
    per = {name: int(total * share) for name, share in SHARE.items()}
    db = sqlite_utils.Database(path)
    start = dt.datetime(2026, 1, 1)
    now = dt.datetime(2026, 11, 20)

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    sessions = []
    for _ in range(n_sessions):
        c = rng.choice(all_communes)
        starts = start + dt.timedelta(minutes=rng.randint(0, 460_000))
        sessions.append(
            {
                "id": uid(),
                "commune_code": c.code,
                "province_code": c.province_code,
                "topic_ids": json.dumps([rng.choice(["counterfeit", "complaints", "consumer-day"])]),
                "starts_at": starts,
                "place": "Nhà văn hóa",
                "facilitator": "Bench",
                "user_id": 1,
                "device_id": None,
                "created_at": starts,
                "received_at": now,
            }
        )
    db.table("sessions").insert_all(sessions, batch_size=5000)

    def attendance_rows():
        for _ in range(per["attendance"]):
            s = rng.choice(sessions)
            count = rng.randint(1, 40)
            yield {
                "id": uid(),
                "session_id": s["id"],
                "count": count,
                "women": rng.randint(0, count),
                "ethnic_minority": rng.randint(0, count),
                "commune_code": s["commune_code"],
                "province_code": s["province_code"],
                "session_starts_at": s["starts_at"],
                "created_at": s["starts_at"],
                "received_at": now,
            }

    def quiz_rows():
        for _ in range(per["quiz_responses"]):
            s = rng.choice(sessions)
            yield {
                "id": uid(),
                "quiz_id": "complaints",
                "lang": rng.choice(["vi", "vi", "vi", "en", "km", "mww"]),
                "answers": "{}",
                "session_id": s["id"],
                "phase": rng.choice(["pre", "post"]),
                "correct": rng.randint(0, 6),
                "total": 6,
                "commune_code": s["commune_code"],
                "province_code": s["province_code"],
                "created_at": s["starts_at"],
                "received_at": now,
            }

    leaflets = []
    for c in rng.sample(all_communes, 2000):
        leaflets.append(
            {
                "code": uid()[:6].upper(),
                "scope": f"complaints/vi/{c.code}",
                "topic_id": "complaints",
                "lang": "vi",
                "commune_code": c.code,
                "province_code": c.province_code,
                "created_at": now,
            }
        )
    db.table("leaflets").insert_all(leaflets, batch_size=5000)

    def scan_rows():
        for _ in range(per["leaflet_scans"]):
            leaflet = rng.choice(leaflets)
            yield {
                "id": uid(),
                "code": leaflet["code"],
                "scanned_at": start + dt.timedelta(minutes=rng.randint(0, 460_000)),
                "received_at": now,
                "source": "online",
                "commune_code": leaflet["commune_code"],
                "province_code": leaflet["province_code"],
            }

    db.table("attendance").insert_all(attendance_rows(), batch_size=5000)
    db.table("quiz_responses").insert_all(quiz_rows(), batch_size=5000)
    db.table("leaflet_scans").insert_all(scan_rows(), batch_size=5000)
    counts = {name: db[name].count for name in ("sessions", "attendance", "quiz_responses", "leaflet_scans")}
    db.execute("ANALYZE")
    db.close()
    return counts


def timed(fn, repeat: int = 5) -> tuple[float, float]:
    start = time.perf_counter()
    fn()
    cold = time.perf_counter() - start
    warm = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - start)
    return cold * 1000, statistics.median(warm) * 1000


def query_plans(app, province: int) -> list[str]:
    """The indexes SQLite picks for the province's queries (EXPLAIN QUERY PLAN)."""
    from server import reports
    from server.extensions import db

    plans = []
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    from sqlalchemy import event

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", capture)
        flt = reports.ReportFilter(province=province)
        reports.totals(flt)
        reports.by_commune(flt)
        event.remove(db.engine, "before_cursor_execute", capture)
        with db.engine.connect() as conn:
            for statement, parameters in captured:
                rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
                detail = "; ".join(r[-1] for r in rows)
                plans.append(detail)
    return sorted(set(plans))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--province", type=int, default=12)
    parser.add_argument("--keep", type=Path, help="keep the generated instance folder here")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    instance = args.keep or Path(tmp.name)
    instance.mkdir(parents=True, exist_ok=True)
    from server import create_app
    from server.database import upgrade_database

    app = create_app(
        {
            "INSTANCE_DIR": str(instance),
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'loa.sqlite3'}",
        }
    )
    db_path = instance / "loa.sqlite3"
    fresh = not db_path.exists()
    with app.app_context():
        upgrade_database()
    if fresh:
        start = time.perf_counter()
        counts = generate(db_path, args.records)
        print(
            f"generated {sum(counts.values()):,} records with sqlite-utils in {time.perf_counter() - start:.1f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        )
    from server.accounts import create_user
    from server.devices import issue_token

    with app.app_context():
        token, _ = issue_token(create_user(f"bench{uuid.uuid4().hex[:6]}", "bench-password", "organiser"))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def stats(query: str):
        def call():
            response = client.get(f"/api/v1/stats{query}", headers=headers)
            assert response.status_code == 200, response.data[:200]

        return call

    print(
        f"GET /api/v1/stats (in-process, SQLite, {args.records:,} records); budget <= 200 ms for one province"
    )
    for label, query in (
        (f"province {args.province}", f"?province={args.province}"),
        (f"province {args.province}, March", f"?province={args.province}&from=2026-03-01&to=2026-03-31"),
        ("whole country", ""),
    ):
        cold, warm = timed(stats(query))
        flag = "" if "province" not in label else ("ok" if max(cold, warm) <= 200 else "OVER")
        print(f"  {label:<28} cold {cold:8.1f} ms   warm {warm:8.1f} ms   {flag}")
    print("query plans (one province):")
    for line in query_plans(app, args.province):
        print("  " + line)


if __name__ == "__main__":
    main()
