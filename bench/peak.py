"""The 15 March peak: every commune's phone comes online around the same hour.

3,321 simulated phones (one per commune of vietnam-provinces), each with its own device token,
each sending one batch: a session, 40 attendance lines and 40 quiz answers. 10% of the phones
lose the response and send the same batch again. Against `loa serve` on loopback, on SQLite
and on PostgreSQL. Prints throughput, p50/p95/p99 latency and errors, then checks the
database: every record exactly once. Target: the whole peak in under 5 minutes.

Usage: .venv/bin/python bench/peak.py [--engine sqlite|postgresql|both] [--phones 3321]
                                       [--concurrency 16] [--threads 8]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import hashlib
import http.client
import json
import random
import secrets
import time
from typing import TypedDict, cast

from common import (
    LoaServer,
    attendance_record,
    drop_postgres,
    fresh_postgres_url,
    quiz_record,
    random_id,
    recent_start,
)

from tests.live_server import post_sync_http

LINES = 40
ANSWERS = 40
RETRY_SHARE = 0.10
TARGET_SECONDS = 300


def make_phones(n: int, seed: int = 315) -> list[dict]:
    """One phone per commune: its commune, its records, its batch body (encoded up front)."""
    from common import ROOT

    from server import communes
    from server.content import load_content

    quiz = load_content(ROOT / "content").quizzes["vi"]["complaints"]
    options = {q.id: [o.id for o in q.options] for q in quiz.questions}
    rng = random.Random(seed)
    phones = []
    for commune in list(communes.communes().values())[:n]:
        starts = recent_start(rng)
        session_id = random_id(rng)
        records = [
            {
                "id": session_id,
                "type": "session",
                "created_at": starts,
                "data": {
                    "commune_code": commune.code,
                    "topic_ids": ["consumer-day"],
                    "starts_at": starts,
                    "place": "Nhà văn hóa",
                    "facilitator": "Cán bộ xã",
                },
            }
        ]
        people = 0
        for _ in range(LINES):
            count = rng.randint(1, 9)
            people += count
            records.append(attendance_record(rng, session_id, starts, count))
        for _ in range(ANSWERS):
            records.append(  # phase drawn before answers, as this seed always has
                quiz_record(
                    random_id(rng),
                    session_id,
                    starts,
                    phase=rng.choice(["pre", "post"]),
                    answers={q: rng.choice(o) for q, o in options.items()},
                )
            )
        phones.append(
            {
                "commune": commune,
                "people": people,
                "records": len(records),
                "body": json.dumps({"device_id": random_id(rng), "records": records}).encode(),
                "retry": rng.random() < RETRY_SHARE,
            }
        )
    return phones


def enroll(server: LoaServer, phones: list[dict]) -> None:
    """A staff account per province and a device token per phone, written straight to the
    database (3,321 `loa devices enroll` runs would take minutes)."""
    from sqlalchemy import Table

    from server import create_app
    from server.accounts import create_user
    from server.extensions import db
    from server.models import DeviceToken

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": server.database_url or f"sqlite:///{server.tmp.name}/loa.sqlite3",
            "INSTANCE_DIR": server.tmp.name,
            "SECRET_KEY": "bench",
            "TESTING": True,
        }
    )
    with app.app_context():
        staff = {}
        for province in sorted({p["commune"].province_code for p in phones}):
            staff[province] = create_user(
                f"staff{province:02d}", "peak-password", "staff", province_code=province
            ).id
        rows = []
        for phone in phones:
            token = "loa_" + secrets.token_urlsafe(32)
            phone["token"] = token
            rows.append(
                {
                    "user_id": staff[phone["commune"].province_code],
                    "device_id": None,
                    "label": "peak",
                    "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                    "created_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
                }
            )
        db.session.execute(cast(Table, DeviceToken.__table__).insert(), rows)
        db.session.commit()
        db.engine.dispose()


class Outcome(TypedDict):
    """What one phone saw: seconds per answered request, and the records' fate."""

    latencies: list[float]
    errors: int
    accepted: int
    duplicates: int
    problems: int


def send_phone(port: int, phone: dict) -> Outcome:
    """Send the batch until the server answers 200; retry on errors like a phone would."""
    outcome: Outcome = {"latencies": [], "errors": 0, "accepted": 0, "duplicates": 0, "problems": 0}
    sends = 2 if phone["retry"] else 1
    for _ in range(sends):
        for attempt in range(20):
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                status, payload = post_sync_http(conn, phone["token"], phone["body"])
                conn.close()
            except OSError:
                outcome["errors"] += 1
                time.sleep(min(2**attempt * 0.1, 5))
                continue
            outcome["latencies"].append(time.perf_counter() - started)
            if status != 200:
                outcome["errors"] += 1
                time.sleep(min(2**attempt * 0.1, 5))
                continue
            result = json.loads(payload)
            outcome["accepted"] += len(result["accepted"])
            outcome["duplicates"] += len(result["duplicates"])
            outcome["problems"] += len(result["conflicts"]) + len(result["rejected"])
            break
    return outcome


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def check_database(server: LoaServer, phones: list[dict]) -> list[str]:
    from sqlalchemy import create_engine, text

    url = server.database_url or f"sqlite:///{server.tmp.name}/loa.sqlite3"
    engine = create_engine(url)
    expected = {
        "sync_records": sum(p["records"] for p in phones),
        "sessions": len(phones),
        "attendance": len(phones) * LINES,
        "quiz_responses": len(phones) * ANSWERS,
        "sum(attendance.count)": sum(p["people"] for p in phones),
        "attendance with their commune": len(phones) * LINES,
    }
    queries = {
        "sync_records": "select count(*) from sync_records",
        "sessions": "select count(*) from sessions",
        "attendance": "select count(*) from attendance",
        "quiz_responses": "select count(*) from quiz_responses",
        "sum(attendance.count)": "select sum(count) from attendance",
        "attendance with their commune": "select count(*) from attendance where commune_code is not null",
    }
    lines = []
    with engine.connect() as conn:
        for name, sql in queries.items():
            got = conn.execute(text(sql)).scalar()
            lines.append(
                f"  {name:<30} {got:>10,}  expected {expected[name]:>10,}  {'ok' if got == expected[name] else 'WRONG'}"
            )
    engine.dispose()
    return lines


def run(engine: str, phones: list[dict], concurrency: int, threads: int) -> bool:
    url = fresh_postgres_url() if engine == "postgresql" else None
    server = LoaServer(url, threads=threads, LOA_SYNC_RATE_PER_MINUTE=1000)
    try:
        server.loa("init-db")
        enroll(server, phones)
        server.start()
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
            outcomes = list(pool.map(lambda p: send_phone(server.port, p), phones))
        elapsed = time.perf_counter() - started
        server.stop()
        latencies = [x for o in outcomes for x in o["latencies"]]
        accepted = sum(o["accepted"] for o in outcomes)
        requests = len(latencies)
        print(
            f"{engine}: {len(phones):,} phones, {requests:,} requests ({sum(p['retry'] for p in phones):,} retried "
            f"after a lost response), {concurrency} at a time, loa serve with {threads} threads"
        )
        print(
            f"  whole peak      {elapsed:8.1f} s    target < {TARGET_SECONDS} s  "
            f"{'ok' if elapsed < TARGET_SECONDS else 'OVER'}"
        )
        print(
            f"  throughput      {accepted / elapsed:8,.0f} records/s stored   {requests / elapsed:6.1f} requests/s"
        )
        print(
            f"  latency         p50 {percentile(latencies, 50) * 1000:6.0f} ms   p95 {percentile(latencies, 95) * 1000:6.0f} ms"
            f"   p99 {percentile(latencies, 99) * 1000:6.0f} ms"
        )
        print(
            f"  errors          {sum(o['errors'] for o in outcomes)} (answers other than 200, or no answer)"
        )
        print(
            f"  records         {accepted:,} accepted, {sum(o['duplicates'] for o in outcomes):,} duplicates on "
            f"retry, {sum(o['problems'] for o in outcomes)} conflicts or rejections"
        )
        print("  database check:")
        lines = check_database(server, phones)
        print("\n".join(lines))
        return all(line.endswith("ok") for line in lines)
    finally:
        server.stop()
        server.tmp.cleanup()
        if url:
            drop_postgres(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--phones", type=int, default=3321)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    phones = make_phones(args.phones)
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    ok = all(run(engine, phones, args.concurrency, args.threads) for engine in engines)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
