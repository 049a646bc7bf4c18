"""Stats speed at scale: GET /api/v1/stats for one province and for the whole country with
1,000,000 stored records and 100,000 complaints, generated with sqlite-utils bulk inserts, cold
and warm, with the indexes the query plans use; then the report to the Ministry for one province
(its figures, the A4 page, and the PDF Chromium prints from it).

Usage: .venv/bin/python bench/reports.py [--records 1000000] [--cases 100000] [--province 12] [--keep DIR] [--no-pdf]
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


def generate_cases(path: Path, total: int, seed: int = 11) -> int:
    """Complaints over every commune, at every step, some with money recovered."""
    from server import communes

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
                "status_at": taken + dt.timedelta(days=rng.randint(0, 20)),
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

    db = sqlite_utils.Database(path)
    db.table("complaints").insert_all(rows(), batch_size=5000)
    db.execute("ANALYZE")
    count = db["complaints"].count
    db.close()
    return count


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
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--no-pdf", action="store_true", help="skip printing the report with Chromium")
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
        start = time.perf_counter()
        cases = generate_cases(db_path, args.cases)
        print(f"generated {cases:,} complaints in {time.perf_counter() - start:.1f} s")
    from server.accounts import create_user
    from server.devices import issue_token

    organiser = f"bench{uuid.uuid4().hex[:6]}"
    with app.app_context():
        token, _ = issue_token(create_user(organiser, "bench-password-long", "organiser"))
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
    from server import ministry_report, periods
    from server.state import state

    content = state(app).content
    print(
        f"report to the Ministry, province {args.province} (in-process); budgets: figures <= 200 ms, PDF <= 2 s"
    )
    for key in ("2026", "2026-crd"):
        period = periods.parse(key)

        def figures(period=period):
            with app.test_request_context():
                ministry_report.report(args.province, period, content, "vi")

        cold, warm = timed(figures, repeat=3)
        flag = "ok" if max(cold, warm) <= 200 else "OVER"
        print(
            f"  figures {key:<10} (this period, a year earlier, targets) cold {cold:8.1f} ms   warm {warm:8.1f} ms   {flag}"
        )
        with app.test_request_context():
            cold, warm = timed(lambda period=period: ministry_report.figures(None, period, content), repeat=2)
        print(f"  whole country {key:<10} (one period)            cold {cold:8.1f} ms   warm {warm:8.1f} ms")
    if not args.no_pdf:
        seconds, size, pages = print_pdf(
            app, f"/organiser/ministry?province={args.province}&period=2026", organiser
        )
        flag = "ok" if seconds <= 2 else "OVER"
        print(
            f"  A4 page loaded and printed to PDF by Chromium: {seconds:.2f} s, {size / 1024:.0f} KB, {pages} pages   {flag}"
        )
    print("query plans (one province):")
    for line in query_plans(app, args.province):
        print("  " + line)


if __name__ == "__main__":
    main()
