"""Proof of no loss under chaos: phones send every kind of record, corrections and voids
included, through a proxy that breaks requests on purpose, while the server is killed and
restarted; then every outbox is empty, every id is stored once, no device has a gap, and every
figure of GET /api/v1/stats (totals, by province, by commune) equals the truth computed from
the generated records.

Faults, per sync request (about one in three): the connection reset before the server sees it,
the connection reset after the server answered (it stored the records; the phone never hears),
an injected 500, an answer cut off half way, a long delay. Each phone has two tabs sending
overlapping batches from the same outbox, as two open tabs of the PWA would.

Usage: .venv/bin/python bench/chaos.py [--phones 200] [--records 10000] [--kills 5]
                                       [--database sqlite|postgresql] [--seed 1] [--quick]
Prints lost / doubled / uncounted / mismatched (all must be 0) and exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import LoaServer, drop_postgres, free_port, fresh_postgres_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROVINCE = 12  # Lai Châu
STAFF_ACCOUNTS = 20
FAULTS = ("reset-before", "reset-after", "500", "truncate", "delay")
FIGURES = ("sessions", "attendees", "women", "ethnic_minority", "quiz_responses", "leaflet_scans")


# -- the records --------------------------------------------------------------------------------


def stamp(moment: float) -> str:
    import datetime as dt

    vietnam = dt.timezone(dt.timedelta(hours=7))
    return dt.datetime.fromtimestamp(moment, vietnam).isoformat(timespec="seconds")


@dataclass
class Phone:
    number: int
    device_id: str
    commune: int
    token: str = ""
    outbox: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    records: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass
class Truth:
    by_commune: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))
    anonymous_answers: int = 0


def make_records(
    phone: Phone, n: int, rng: random.Random, leaflets: list[tuple[str, int]], truth: Truth
) -> None:
    """About n records for one phone, in the order the phone made them (each with its seq),
    and their contribution to the truth: corrections only raise a count, so they are valid in
    any order; a voided line or session counts nothing."""
    now = time.time()
    records: list[dict] = []
    minute = rng.randint(2 * 24 * 60, 3 * 24 * 60)  # the phone's day began 2 to 3 days ago

    def made() -> str:
        nonlocal minute
        minute -= 1
        return stamp(now - minute * 60)

    def record(kind: str, data: dict) -> dict:
        entry: dict = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "type": kind,
            "created_at": made(),
            "data": data,
        }
        records.append(entry)
        return entry

    figures = truth.by_commune[phone.commune]
    while len(records) < n:
        session = record(
            "session",
            {
                "commune_code": phone.commune,
                "topic_ids": ["complaints"],
                "starts_at": stamp(now - minute * 60),
                "place": "Nhà văn hóa",
                "facilitator": "Chaos",
            },
        )
        session_voided = rng.random() < 0.05
        people: Counter = Counter()
        answers = 0
        for _ in range(rng.randint(3, 12)):
            count = rng.randint(1, 30)
            women, minority = rng.randint(0, count), rng.randint(0, count)
            line = record(
                "attendance",
                {"session_id": session["id"], "count": count, "women": women, "ethnic_minority": minority},
            )
            for _ in range(rng.choice((0, 0, 0, 1, 2))):
                count += rng.randint(1, 5)
                record("correction", {"target_id": line["id"], "changes": {"count": count}})
            if rng.random() < 0.1:
                record("void", {"target_id": line["id"], "reason": "entered twice"})
            else:
                people.update(attendees=count, women=women, ethnic_minority=minority)
        for _ in range(rng.randint(0, 6)):
            record(
                "quiz_response",
                {
                    "quiz_id": "complaints",
                    "lang": "vi",
                    "answers": {"hotline": rng.choice("abcd")},
                    "session_id": session["id"],
                    "phase": rng.choice(("pre", "post")),
                },
            )
            answers += 1
        if session_voided:
            record("void", {"target_id": session["id"], "reason": "a test session"})
        else:
            figures.update(people)
            figures.update(sessions=1, quiz_responses=answers)
        if rng.random() < 0.3:
            record("quiz_response", {"quiz_id": "complaints", "lang": "vi", "answers": {"hotline": "a"}})
            truth.anonymous_answers += 1
        for _ in range(rng.randint(0, 2)):
            code, commune = rng.choice(leaflets)
            # Scanned in the last half hour: after the leaflets were printed (at set-up).
            record("leaflet_scan", {"code": code, "scanned_at": stamp(now - rng.randint(60, 1800))})
            truth.by_commune[commune].update(leaflet_scans=1)
    # Some lines are queued before their session (made on another screen, sent first).
    for i in range(len(records) - 1, 0, -1):
        if records[i]["type"] == "attendance" and rng.random() < 0.1:
            records.insert(0, records.pop(i))
    for seq, entry in enumerate(records, start=1):
        entry["seq"] = seq
    phone.outbox = records
    phone.records = len(records)


# -- the fault-injecting proxy -------------------------------------------------------------------


class ChaosProxy:
    def __init__(self, upstream_port: int, rate: float, rng: random.Random) -> None:
        self.upstream_port = upstream_port
        self.faults: Counter = Counter()
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy.lock:
                    fault = rng.choice(FAULTS) if rng.random() < rate else "ok"
                    proxy.faults[fault] += 1
                if fault == "reset-before":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault == "500":
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if fault == "delay":
                    time.sleep(rng.uniform(1, 3))
                try:
                    upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=60)
                    upstream.request("POST", self.path, body, dict(self.headers))
                    answer = upstream.getresponse()
                    data = answer.read()
                    upstream.close()
                except OSError:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault == "reset-after":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.getheader("Content-Type") or "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2] if fault == "truncate" else data)
                if fault == "truncate":
                    self.close_connection = True

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- phones ------------------------------------------------------------------------------------


def post(port: int, token: str, device_id: str, records: list[dict]) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            "/api/v1/sync",
            json.dumps({"device_id": device_id, "records": records}),
            {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")
    finally:
        connection.close()


def tab(phone: Phone, port: int, rng: random.Random, stats: Counter) -> None:
    """One open tab: send a batch from the front of the outbox until it is empty. The other
    tab of the same phone reads the same front, so batches overlap."""
    while True:
        with phone.lock:
            if not phone.outbox:
                return
            start = rng.randint(0, min(10, len(phone.outbox) - 1))
            batch = phone.outbox[start : start + rng.randint(1, 60)]
        try:
            status, answer = post(port, phone.token, phone.device_id, batch)
        except (OSError, http.client.HTTPException, ValueError):
            stats["retries"] += 1
            time.sleep(rng.uniform(0.05, 0.4))
            continue
        if status != 200:
            stats["retries"] += 1
            time.sleep(rng.uniform(0.05, 0.4))
            continue
        done = set(answer["accepted"]) | set(answer["duplicates"])
        for problem in answer["conflicts"] + answer["rejected"]:
            phone.failures.append(f"{problem.get('code')}: {problem.get('error')}")
            done.add(problem.get("id"))
        with phone.lock:
            phone.outbox = [r for r in phone.outbox if r["id"] not in done]
        stats["accepted"] += len(answer["accepted"])
        stats["duplicates"] += len(answer["duplicates"])
        stats["batches"] += 1


def killer(server: LoaServer, kills: int, stop: threading.Event, stats: Counter, interval: float) -> None:
    for _ in range(kills):
        if stop.wait(interval):
            return
        if server.proc is not None:
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait()
        stats["kills"] += 1
        time.sleep(0.5)
        server.start()


# -- setting up and checking ---------------------------------------------------------------------


def set_up(
    server: LoaServer, phones: int, rng: random.Random
) -> tuple[list[Phone], list[tuple[str, int]], str]:
    """Accounts, tokens and leaflets, made in-process on the server's database."""
    os.environ.update({k: v for k, v in server.env.items() if k.startswith("LOA_")})
    from server import accounts, communes, create_app, devices
    from server.leaflets.store import get_or_create_leaflets
    from server.state import state

    app = create_app()
    with app.app_context():
        places = [c.code for c in communes.communes_of(PROVINCE)][:STAFF_ACCOUNTS]
        staff = [
            accounts.create_user(
                f"chaos{i}", "chaos-password-123", "staff", province_code=PROVINCE, commune_codes=[code]
            )
            for i, code in enumerate(places)
        ]
        boss = accounts.create_user("boss", "chaos-password-123", "organiser")
        organiser_token = devices.issue_token(boss, None, "bench")[0]
        made = []
        for i in range(phones):
            user = staff[i % len(staff)]
            device_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            token = devices.issue_token(user, device_id, f"phone {i}")[0]
            made.append(Phone(i, device_id, places[i % len(places)], token))
        leaflets = get_or_create_leaflets("complaints", "vi", places[:5], state(app).content)
        return made, [(leaflet.code, leaflet.commune_code or 0) for leaflet in leaflets], organiser_token


def stats_of(port: int, token: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "GET", f"/api/v1/stats?province={PROVINCE}", headers={"Authorization": f"Bearer {token}"}
    )
    by_province = json.loads(connection.getresponse().read())
    connection.request("GET", "/api/v1/stats", headers={"Authorization": f"Bearer {token}"})
    everything = json.loads(connection.getresponse().read())
    connection.close()
    return {"all": everything, "province": by_province}


def compare(stats: dict, truth: Truth) -> list[str]:
    wrong = []
    expected_total: Counter = Counter()
    for figures in truth.by_commune.values():
        expected_total.update(figures)
    expected_total.update(quiz_responses=truth.anonymous_answers)
    for name in FIGURES:
        if stats["all"]["totals"][name] != expected_total[name]:
            wrong.append(f"total {name}: {stats['all']['totals'][name]} != {expected_total[name]}")
    provinces = {row["province_code"]: row for row in stats["all"]["by_province"]}
    province_truth: Counter = Counter()
    for figures in truth.by_commune.values():
        province_truth.update(figures)
    for name in FIGURES:
        got = provinces.get(PROVINCE, {}).get(name, 0)
        if got != province_truth[name]:
            wrong.append(f"province {PROVINCE} {name}: {got} != {province_truth[name]}")
    rows = {row["commune_code"]: row for row in stats["all"]["by_commune"]}
    for commune, figures in truth.by_commune.items():
        for name in FIGURES:
            got = rows.get(commune, {}).get(name, 0)
            if got != figures[name]:
                wrong.append(f"commune {commune} {name}: {got} != {figures[name]}")
    return wrong


def query(server: LoaServer, sql: str) -> list[tuple]:
    from sqlalchemy import create_engine, text

    url = server.database_url or f"sqlite:///{server.tmp.name}/loa.sqlite3"
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="20 phones, 1,000 records, 2 kills")
    args = parser.parse_args()
    if args.quick:
        args.phones, args.records, args.kills = 20, 1000, 2
    rng = random.Random(args.seed)
    url = fresh_postgres_url() if args.database == "postgresql" else None
    server = LoaServer(url, LOA_SYNC_RATE_PER_MINUTE=100_000, LOA_WORKERS=8)
    server.loa("init-db")
    phones, leaflets, organiser = set_up(server, args.phones, rng)
    truth = Truth()
    for phone in phones:
        make_records(phone, args.records // args.phones, rng, leaflets, truth)
    generated = {r["id"]: r for phone in phones for r in phone.outbox}
    server.start()
    proxy = ChaosProxy(server.port, args.fault_rate, random.Random(args.seed + 1))
    counters: Counter = Counter()
    stop = threading.Event()
    started = time.monotonic()
    interval = max(2.0, len(generated) / 1500 / (args.kills + 1))
    chaos = threading.Thread(target=killer, args=(server, args.kills, stop, counters, interval), daemon=True)
    chaos.start()
    threads = [
        threading.Thread(target=tab, args=(phone, proxy.port, random.Random(args.seed * 1000 + i), counters))
        for i, phone in enumerate(phones)
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    chaos.join()
    elapsed = time.monotonic() - started
    while counters["kills"] < args.kills:  # the run ended before every kill: kill now, then check
        server.proc.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
        server.proc.wait()  # type: ignore[union-attr]
        counters["kills"] += 1
        server.start()

    # Checks, straight to the server (no faults).
    left = sum(len(p.outbox) for p in phones)
    stored_ids = Counter(row[0] for row in query(server, "select id from sync_records"))
    lost = len(set(generated) - set(stored_ids))
    doubled = sum(n - 1 for n in stored_ids.values() if n > 1)
    per_type = dict(query(server, "select type, count(*) from sync_records group by type"))
    expected_types = Counter(r["type"] for r in generated.values())
    rows = {
        "session": query(server, "select count(*) from sessions")[0][0],
        "attendance": query(server, "select count(*) from attendance")[0][0],
        "quiz_response": query(server, "select count(*) from quiz_responses")[0][0],
        "leaflet_scan": query(server, "select count(*) from leaflet_scans")[0][0],
        "amendments": query(server, "select count(*) from amendments")[0][0],
    }
    waiting = query(server, "select count(*) from amendments where state != 'applied'")[0][0]
    uncounted = query(server, "select count(*) from attendance where commune_code is null")[0][0] + waiting
    gaps = 0
    for phone in phones:
        status, answer = post(server.port, phone.token, phone.device_id, [])
        if status != 200 or answer["device"]["gaps"] or answer["device"]["received_through"] != phone.records:
            gaps += 1
    mismatched = compare(stats_of(server.port, organiser), truth)
    failures = [f for p in phones for f in p.failures]
    server.stop()
    proxy.close()
    if url:
        drop_postgres(url)

    print(
        f"chaos: {len(phones)} phones x 2 tabs, {len(generated):,} records, {args.database}, seed {args.seed}"
    )
    print(
        f"  {elapsed:6.1f} s   {len(generated) / elapsed:,.0f} records/s   {counters['batches']:,} batches answered"
    )
    print(
        f"  faults injected: {dict(proxy.faults)}   server kills: {counters['kills']}   retries: {counters['retries']:,}"
    )
    print(f"  records by type: {dict(expected_types)}   rows: {rows}")
    results = {
        "left in outboxes": left,
        "lost": lost,
        "doubled": doubled,
        "stored types differ": sum(abs(per_type.get(k, 0) - v) for k, v in expected_types.items()),
        "uncounted (no commune, amendment not applied)": uncounted,
        "devices with gaps": gaps,
        "rejected or conflicts": len(failures),
        "mismatched figures": len(mismatched),
    }
    for name, value in results.items():
        print(f"  {name:48} {value:>6}   budget 0  {'ok' if value == 0 else 'FAIL'}")
    for line in (failures + mismatched)[:20]:
        print(f"    {line}")
    return 0 if not any(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
