"""Sync ingest speed: records per second through POST /api/v1/sync (batches of 500) against
the production server (`loa serve`, waitress) on SQLite, printed beside a raw SQLite insert
of the same rows in the same run.

Usage: .venv/bin/python bench/sync.py [--records 50000] [--clients 1] [--postgres | --database-url URL]

With --postgres (a fresh database on this machine's PostgreSQL) or --database-url the server
uses that database instead; the raw-insert comparison is always SQLite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import sqlite3
import tempfile
import threading
import time
import uuid
from pathlib import Path

from common import (
    ROOT,
    LoaServer,
    attendance_record,
    drop_postgres,
    fresh_postgres_url,
    quiz_record,
    random_id,
    recent_start,
)

from tests.live_server import post_sync_http

BATCH = 500
COMMUNES = [3637, 3640, 3595, 3618, 3616]
PASSWORD = "a long field passphrase"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def village_batches(total: int, quiz: dict, seed: int = 1) -> list[list[dict]]:
    """Batches as phones send them: a session, its tally lines and its quiz answers."""
    rng = random.Random(seed)
    records: list[dict] = []
    while len(records) < total:
        starts = recent_start(rng)
        session_id = random_id(rng)
        records.append(
            {
                "id": session_id,
                "type": "session",
                "created_at": starts,
                "data": {
                    "commune_code": rng.choice(COMMUNES),
                    "topic_ids": ["complaints"],
                    "starts_at": starts,
                    "place": "Nhà văn hóa",
                    "facilitator": "Bench",
                },
            }
        )
        for _ in range(40):
            records.append(attendance_record(rng, session_id, starts, count=rng.randint(1, 40)))
        for _ in range(40):
            answers = {q: rng.choice(opts) for q, opts in quiz.items()}
            records.append(
                quiz_record(random_id(rng), session_id, starts, answers, rng.choice(["pre", "post"]))
            )
    records = records[:total]
    return [records[i : i + BATCH] for i in range(0, len(records), BATCH)]


class Server(LoaServer):
    """Loa with a staff account and its device token."""

    def __init__(self, database_url: str | None):
        super().__init__(database_url, LOA_SYNC_RATE_PER_MINUTE=100000)

    def __enter__(self):
        self.loa("init-db")
        self.loa("users", "create", "bench", "--role", "staff", "--province", "12", "--password", PASSWORD)
        self.token = self.loa("devices", "enroll", "--user", "bench").strip()
        return self.start()


def quiz_options() -> dict:
    from server.content import load_content

    quiz = load_content(ROOT / "content").quizzes["vi"]["complaints"]
    return {q.id: [o.id for o in q.options] for q in quiz.questions}


def send(port: int, token: str, batches: list[list[dict]], results: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    device = str(uuid.uuid4())
    for batch in batches:
        status, answer = post_sync_http(conn, token, json.dumps({"device_id": device, "records": batch}))
        data = json.loads(answer)
        if status != 200 or len(data["accepted"]) != len(batch):
            raise RuntimeError(f"HTTP {status}: {str(data)[:300]}")
        results.append(len(batch))
    conn.close()


def http_ingest(batches, clients: int, database_url: str | None) -> tuple[float, int]:
    with Server(database_url) as server:
        send(server.port, server.token, village_batches(BATCH, quiz_options(), seed=99), [])  # warm up
        shares = [batches[i::clients] for i in range(clients)]
        results: list[int] = []
        threads = [
            threading.Thread(target=send, args=(server.port, server.token, share, results))
            for share in shares
        ]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
    return elapsed, sum(results)


def raw_sqlite_insert(batches) -> tuple[float, int]:
    """The same rows straight into SQLite (WAL, one transaction per batch): the floor."""
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "raw.sqlite3")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("create table ledger (id text primary key, type text, body text)")
        start = time.perf_counter()
        n = 0
        for batch in batches:
            with db:
                db.executemany(
                    "insert into ledger values (?, ?, ?)",
                    [(r["id"], r["type"], json.dumps(r["data"])) for r in batch],
                )
            n += len(batch)
        elapsed = time.perf_counter() - start
        db.close()
    return elapsed, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite")
    parser.add_argument(
        "--postgres", action="store_true", help="use a fresh database on this machine's PostgreSQL"
    )
    args = parser.parse_args()
    batches = village_batches(args.records, quiz_options())
    url = fresh_postgres_url() if args.postgres else args.database_url
    try:
        elapsed, n = http_ingest(batches, args.clients, url)
    finally:
        if args.postgres:
            drop_postgres(url)
    raw_elapsed, raw_n = raw_sqlite_insert(batches)
    engine = "PostgreSQL" if url else "SQLite"
    print(
        f"POST /api/v1/sync, {n:,} records in batches of {BATCH}, {args.clients} client(s), loa serve, {engine}:"
    )
    print(
        f"  {n / elapsed:10,.0f} records/s   ({elapsed:.2f} s)   budget >= 5,000/s  "
        f"{'ok' if n / elapsed >= 5000 else 'UNDER'}"
    )
    print("raw SQLite executemany of the same rows (one table, no validation, no HTTP):")
    print(f"  {raw_n / raw_elapsed:10,.0f} records/s   ({raw_elapsed:.2f} s)")


if __name__ == "__main__":
    main()
