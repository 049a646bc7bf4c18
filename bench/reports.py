"""Stats speed at scale: GET /api/v1/stats for one province and for the whole country with
1,000,000 stored records and 100,000 complaints, cold and warm; then the report to the Ministry
for one province and for the country (its figures, the A4 page, and the PDF Chromium prints from
it). The records go into the app's own tables (sqlite-utils bulk inserts, or COPY on PostgreSQL),
so the database's triggers keep the daily figures as they would for records synced one by one.

Usage: .venv/bin/python bench/reports.py [--postgres] [--records 1000000] [--cases 100000]
           [--province 12] [--keep DIR] [--no-pdf]
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

from server.daily_figures import SOURCES  # noqa: E402

# The mix of the 1,000,000 records (the rest are sessions); the sync ledger is left out.
SHARE = {
    "attendance": 0.48,
    "quiz_responses": 0.42,
    "leaflet_scans": 0.05,
    "broadcasts": 0.01,
    "activities": 0.01,
}


def generate_cases(write, total: int, seed: int = 11) -> None:
    """Complaints over every commune, at every step, some with money recovered."""
    from server import communes
    from server.complaint_deadlines import deadline

    rng = random.Random(seed)
    all_communes = list(communes.communes().values())
    start = dt.datetime(2025, 1, 1)
    now = dt.datetime(2026, 11, 20)
    statuses = ["received", "advised", "transferred", "resolved", "resolved", "closed"]

    def rows():
        for _ in range(total):
            c = rng.choice(all_communes)
            taken = start + dt.timedelta(minutes=rng.randint(0, 970_000))
            status = rng.choice(statuses)
            status_at = taken + dt.timedelta(days=rng.randint(0, 20))
            yield {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "commune_code": c.code,
                "province_code": c.province_code,
                "taken_at": taken,
                "source": "staff",
                "goods": "Nồi cơm điện",
                "seller": "",
                "place": "",
                "what_happened": "Hỏng sau hai ngày",
                "amount": rng.randint(50, 5000) * 1000,
                "wanted": "refund",
                "lang": "vi",
                "status": status,
                "status_at": status_at,
                "due_at": deadline(status, status_at, taken),
                "transferred_to": "",
                "money_recovered": rng.randint(50, 5000) * 1000 if status == "resolved" else 0,
                "photo_ids": "[]",
                "consent": False,
                "contact_name": "",
                "contact_phone": "",
                "user_id": 1,
                "created_at": taken,
                "received_at": now,
                "hold": 0,
            }

    write("complaints", rows())


def print_pdf(app, url_path: str, username: str) -> tuple[float, int, int]:
    """(seconds, bytes, pages) for Chromium to print the page at url_path, logged in."""
    import io
    import logging
    import threading

    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader
    from werkzeug.serving import make_server

    for name in ("werkzeug", "loa.requests"):
        logging.getLogger(name).setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(locale="vi-VN")
            page.goto(base + "/organiser/login")
            page.fill("#username", username)
            page.fill("#password", "bench-password-long")
            page.click("form.form button[type=submit]")
            started = time.perf_counter()
            page.goto(base + url_path)
            pdf = page.pdf(prefer_css_page_size=True)
            seconds = time.perf_counter() - started
            browser.close()
        return seconds, len(pdf), len(PdfReader(io.BytesIO(pdf)).pages)
    finally:
        server.shutdown()


def generate(write, total: int, seed: int = 7) -> None:
    """Records spread over every commune of the country, in the app's own tables."""
    from server import communes

    rng = random.Random(seed)
    all_communes = list(communes.communes().values())
    n_sessions = max(1, int(total * (1 - sum(SHARE.values()))))
    per = {name: int(total * share) for name, share in SHARE.items()}
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
    write("sessions", sessions)

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
    write("leaflets", leaflets)

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

    def broadcast_rows():
        for _ in range(per["broadcasts"]):
            c = rng.choice(all_communes)
            started = start + dt.timedelta(minutes=rng.randint(0, 460_000))
            yield {
                "id": uid(),
                "commune_code": c.code,
                "province_code": c.province_code,
                "station": "Đài truyền thanh xã",
                "started_at": started,
                "topic_ids": json.dumps([rng.choice(["counterfeit", "complaints", "consumer-day"])]),
                "lang": rng.choice(["vi", "vi", "km", "mww"]),
                "minutes": rng.randint(3, 15),
                "repeats": rng.randint(1, 3),
                "created_at": started,
                "received_at": now,
            }

    def activity_rows():
        for _ in range(per["activities"]):
            c = rng.choice(all_communes)
            held = start + dt.timedelta(minutes=rng.randint(0, 460_000))
            yield {
                "id": uid(),
                "kind": rng.choice(["leaflets", "banner", "fair", "media", "training"]),
                "commune_code": c.code,
                "province_code": c.province_code,
                "held_at": held,
                "topic_ids": "[]",
                "count": rng.randint(1, 500),
                "leaflet_codes": "[]",
                "batch": "",
                "channel": "",
                "link": "",
                "audience": "",
                "note": "",
                "created_at": held,
                "received_at": now,
            }

    write("attendance", attendance_rows())
    write("quiz_responses", quiz_rows())
    write("leaflet_scans", scan_rows())
    write("broadcasts", broadcast_rows())
    write("activities", activity_rows())


TABLES = tuple(source.table for source in SOURCES)  # the record tables the figures come from


def sqlite_writer(path: Path):
    database = sqlite_utils.Database(path)

    def write(table: str, rows) -> None:
        database.table(table).insert_all(rows, batch_size=5000)

    return write, database


def postgres_writer(url: str):
    """COPY into each table (its triggers fire for every row, as for rows synced one by one)."""
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = psycopg.connect(conninfo, autocommit=True)

    def write(table: str, rows) -> None:
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return
        columns = list(first)
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write_row([first[c] for c in columns])
            for row in rows:
                copy.write_row([row[c] for c in columns])

    return write, connection


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


def fill(app, engine: str, url: str, records: int, cases: int) -> None:
    """Generate the records and complaints into the app's (migrated, empty) database."""
    from sqlalchemy import func, select, table

    from server.extensions import db

    start = time.perf_counter()
    if engine == "sqlite":
        write, handle = sqlite_writer(Path(url.removeprefix("sqlite:///")))
    else:
        write, handle = postgres_writer(url)
    generate(write, records)
    generate_cases(write, cases)
    handle.close()
    seconds = time.perf_counter() - start
    with app.app_context():
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        counts = {
            name: int(db.session.execute(select(func.count()).select_from(table(name))).scalar() or 0)
            for name in (*TABLES, "daily_figures", "monthly_figures")
        }
        days, months = counts.pop("daily_figures"), counts.pop("monthly_figures")
    print(
        f"generated {sum(counts.values()):,} rows in {seconds:.0f} s (triggers keeping the daily figures): "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        + f"; {days:,} rows of daily figures, {months:,} of monthly"
    )


def flag(ms: float, budget: float = 200) -> str:
    return "ok" if ms <= budget else "OVER"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres", action="store_true", help="a fresh PostgreSQL database instead of SQLite"
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--province", type=int, default=12)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--no-pdf", action="store_true", help="skip printing the report with Chromium")
    parser.add_argument("--keep", type=Path, help="keep the generated SQLite instance folder here")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    instance = args.keep or Path(tmp.name)
    instance.mkdir(parents=True, exist_ok=True)
    from common import drop_postgres, fresh_postgres_url

    from server import create_app
    from server.database import upgrade_database

    engine = "postgresql" if args.postgres else "sqlite"
    url = fresh_postgres_url() if args.postgres else f"sqlite:///{instance / 'loa.sqlite3'}"
    fresh = args.postgres or not (instance / "loa.sqlite3").exists()
    app = create_app({"INSTANCE_DIR": str(instance), "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            upgrade_database()
        if fresh:
            fill(app, engine, url, args.records, args.cases)
        measure(app, engine, args)
    finally:
        if args.postgres:
            from server.extensions import db

            with app.app_context():
                db.engine.dispose()
            drop_postgres(url)


def measure(app, engine: str, args) -> None:
    from server import ministry_report, periods
    from server.accounts import create_user
    from server.devices import issue_token
    from server.state import state

    organiser = f"bench{uuid.uuid4().hex[:6]}"
    with app.app_context():
        token, _ = issue_token(create_user(organiser, "bench-password-long", "organiser"))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/")  # the app's first request loads the content: not part of any figure

    def stats(query: str):
        def call():
            response = client.get(f"/api/v1/stats{query}", headers=headers)
            assert response.status_code == 200, response.data[:200]

        return call

    print(f"GET /api/v1/stats (in-process, {engine}, {args.records:,} records); budget <= 200 ms")
    for label, query in (
        (f"province {args.province}", f"?province={args.province}"),
        (f"province {args.province}, March", f"?province={args.province}&from=2026-03-01&to=2026-03-31"),
        (f"province {args.province}, one topic", f"?province={args.province}&topic=complaints"),
        ("whole country", ""),
        ("whole country, March", "?from=2026-03-01&to=2026-03-31"),
    ):
        cold, warm = timed(stats(query))
        print(f"  {label:<32} cold {cold:8.1f} ms   warm {warm:8.1f} ms   {flag(max(cold, warm))}")
    content = state(app).content
    print(f"report to the Ministry (in-process, {engine}); budgets: figures <= 200 ms, PDF <= 2 s")
    for place, label in ((args.province, f"province {args.province}"), (None, "whole country")):
        for key in ("2026", "2026-crd"):
            period = periods.parse(key)

            def figures(period=period, place=place):
                with app.test_request_context():
                    ministry_report.report(place, period, content, "vi")

            cold, warm = timed(figures, repeat=3)
            print(
                f"  {label:<15} {key:<9} (this period, a year earlier, targets) "
                f"cold {cold:8.1f} ms   warm {warm:8.1f} ms   {flag(max(cold, warm))}"
            )
    if not args.no_pdf:
        for place, label in (
            (f"province={args.province}&", f"province {args.province}"),
            ("", "whole country"),
        ):
            seconds, size, pages = print_pdf(app, f"/organiser/ministry?{place}period=2026", organiser)
            print(
                f"  {label:<15} A4 page loaded and printed to PDF by Chromium: {seconds:.2f} s, "
                f"{size / 1024:.0f} KB, {pages} pages   {flag(seconds * 1000, 2000)}"
            )
    if engine == "sqlite":
        print("query plans (one province):")
        for line in query_plans(app, args.province):
            print("  " + line)


if __name__ == "__main__":
    main()
