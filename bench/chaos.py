"""Proof of no loss under chaos: no record lost, doubled or miscounted while sync fails.

While the network and the server fail, phones send every kind of record (sessions; attendance, some queued before their session;
quiz answers from staff with their session, anonymous ones, and residents' answers with the
session QR code's key; offline scans of leaflets made beforehand; corrections and voids, some
made on another phone of the same account or by an organiser, so they may arrive before their
target) through a proxy that breaks requests on purpose, while `loa serve` is killed (SIGKILL)
and restarted. Each phone has two tabs sending overlapping batches from the same outbox; a
record leaves the outbox only when the server answers accepted or duplicate.

Faults, per sync request (--fault-rate of them): the connection reset before the request reaches
the server; reset after the server answered (it stored the records, the phone never hears); an
injected 500; the answer cut off half way; a delay of 1-3 s; a stall past the phone's timeout
(the phone gives up and retries; the old request reaches the server later); an answer held past
the phone's timeout.

Then, straight to the server: every outbox is empty; every generated id is stored exactly once
(sync_records and its type's table); every record counts as it should (voided ones not, lines
with their corrections applied in (created_at, id) order); every amendment applied; no device
has a gap in its sequence or anything in `attention`; and every figure of GET /api/v1/stats
(totals, by province, by commune, and per province filter) equals the truth computed from the
generated records alone.

Usage: .venv/bin/python bench/chaos.py [--phones 200] [--records 10000] [--kills 5]
           [--database sqlite|postgresql] [--seed 1] [--fault-rate 0.3] [--no-amendments] [--quick]
Prints lost / doubled / uncounted / mismatched ... (all must be 0) and exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import gzip
import http.client
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import LOA, LoaServer, drop_postgres, fresh_postgres_url, random_id

VIETNAM = dt.timezone(dt.timedelta(hours=7))
PROVINCES = (12, 11, 14)  # Lai Châu, Điện Biên, Sơn La
PASSWORD = "chaos-password-123"
POSTGRES_DATABASE = f"loa_chaos_{os.getpid()}"  # apart from the tests and from another run of this
FIGURES = ("sessions", "attendees", "women", "ethnic_minority", "quiz_responses", "leaflet_scans")
FAULTS = ("reset-before", "reset-after", "500", "truncate", "delay", "stall", "slow-answer")
PHONE_TIMEOUT = 8.0  # seconds a phone waits for an answer
HOLD_VOIDED, HOLD_SESSION_VOIDED = 1, 8  # server/models.py HOLD_*
LINE_FIELDS = ("count", "women", "ethnic_minority")


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds")


# -- what was generated, and what it must add up to ----------------------------------------------


@dataclass
class Session:
    commune: int
    account: int  # index of the staff account that recorded it; -1: an organiser
    created: dt.datetime
    starts: dt.datetime
    qr_key: str | None
    values: dict  # place, facilitator: what corrections may change here
    corrections: list[tuple[dt.datetime, str, dict]] = field(default_factory=list)
    voided: bool = False


@dataclass
class Line:
    session: str
    values: dict[str, int]  # count, women, ethnic_minority as first recorded
    corrections: list[tuple[dt.datetime, str, dict]] = field(default_factory=list)
    voided: bool = False


@dataclass
class Answer:
    session: str | None
    resident: int | None = None  # the resident phone's number (one token each); None: staff
    joins_if_first: bool = False  # a resident's answer with the session's key, within the window
    group: tuple = ()  # (resident, session, quiz, phase): only the first of a group joins
    voided: bool = False


@dataclass
class Scan:
    commune: int | None
    province: int | None
    voided: bool = False


def current(values: dict, corrections: list[tuple[dt.datetime, str, dict]]) -> dict:
    """The original values with every correction applied in the order they were made:
    (created_at, id), whatever order they arrived in."""
    state = dict(values)
    for _, _, changes in sorted(corrections, key=lambda c: (c[0], c[1])):
        state.update(changes)
    return state


@dataclass
class World:
    sessions: dict[str, Session] = field(default_factory=dict)
    lines: dict[str, Line] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    scans: dict[str, Scan] = field(default_factory=dict)
    amendments: set[str] = field(default_factory=set)
    made_at: dict[str, dt.datetime] = field(default_factory=dict)
    account_of: dict[str, int] = field(default_factory=dict)  # record id -> staff account (-1 organiser)
    voided: set[str] = field(default_factory=set)

    def province_of(self, commune: int) -> int:
        from server import communes

        return communes.known_commune(commune).province_code

    def figures(self) -> tuple[Counter, dict[int, Counter], dict[int, Counter]]:
        """(totals, by province, by commune), by the protocol's rules alone."""
        totals: Counter = Counter()
        provinces: dict[int, Counter] = defaultdict(Counter)
        communes_: dict[int, Counter] = defaultdict(Counter)

        def add(commune: int | None, province: int | None, **figures: int) -> None:
            totals.update(figures)
            if province is not None:
                provinces[province].update(figures)
            if commune is not None:
                communes_[commune].update(figures)

        for s in self.sessions.values():
            if not s.voided:
                add(s.commune, self.province_of(s.commune), sessions=1)
        for line in self.lines.values():
            s = self.sessions[line.session]
            if not line.voided and not s.voided:
                now = current(line.values, line.corrections)
                add(
                    s.commune,
                    self.province_of(s.commune),
                    attendees=now["count"],
                    women=now["women"],
                    ethnic_minority=now["ethnic_minority"],
                )
        joined: set[tuple] = set()
        for answer in self.answers.values():
            if answer.voided:
                continue
            if answer.joins_if_first and answer.group not in joined:
                joined.add(answer.group)  # the one that joins: counts for the session, if it counts
            elif answer.resident is not None or answer.session is None:
                add(None, None, quiz_responses=1)  # an anonymous survey answer
                continue
            assert answer.session is not None
            s = self.sessions[answer.session]
            if not s.voided:
                add(s.commune, self.province_of(s.commune), quiz_responses=1)
        for scan in self.scans.values():
            if not scan.voided:
                add(scan.commune, scan.province, leaflet_scans=1)
        return totals, provinces, communes_


# -- the phones and their records ----------------------------------------------------------------


@dataclass
class Phone:
    number: int
    kind: str  # staff | resident | organiser
    device_id: str
    account: int  # staff account index; -1 for organisers and residents
    communes: list[int]
    token: str = ""
    made: list[dict] = field(default_factory=list)
    outbox: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    records: int = 0
    failures: list[str] = field(default_factory=list)
    attention: dict[str, str] = field(default_factory=dict)


@dataclass
class QuizSpec:
    quiz_id: str
    lang: str
    options: dict[str, list[str]]

    def answers(self, rng: random.Random) -> dict[str, str]:
        questions = rng.sample(sorted(self.options), k=rng.randint(1, len(self.options)))
        return {q: rng.choice(self.options[q]) for q in questions}


class Maker:
    """Makes the records of one phone on its own clock, and notes their truth in the world."""

    def __init__(self, phone: Phone, world: World, rng: random.Random, now: dt.datetime) -> None:
        self.phone, self.world, self.rng, self.now = phone, world, rng, now
        self.clock = now - dt.timedelta(days=rng.uniform(2.0, 3.0))

    def tick(self) -> dt.datetime:
        self.clock += dt.timedelta(seconds=self.rng.randint(20, 180))
        return self.clock

    def record(self, kind: str, data: dict, when: dt.datetime | None = None) -> dict:
        when = when or self.tick()
        assert when <= self.now, "a record from the future"
        record_id = random_id(self.rng)
        entry = {"id": record_id, "type": kind, "created_at": stamp(when), "data": data}
        self.phone.made.append(entry)
        self.world.made_at[record_id] = when
        self.world.account_of[record_id] = self.phone.account
        return entry

    def after(self, target: str, minutes: tuple[int, int] = (1, 600)) -> dt.datetime:
        """A time after a record was made (an amendment of it), in the past."""
        when = self.world.made_at[target] + dt.timedelta(minutes=self.rng.randint(*minutes))
        return min(when, self.now - dt.timedelta(minutes=1))

    # -- amendments: only ever valid, whatever order they are applied in --------------------
    def line_changes(self, line: Line) -> dict[str, int]:
        """A line's count may go anywhere not below its first women and ethnic-minority
        figures; those may only go down from their first values: every order of application
        keeps women and ethnic_minority <= count."""
        first = line.values
        changes: dict[str, int] = {}
        for name in self.rng.sample(LINE_FIELDS, k=self.rng.randint(1, 2)):
            if name == "count":
                low = max(1, first["women"], first["ethnic_minority"])
                changes[name] = self.rng.randint(low, min(1000, first["count"] + 25))
            else:
                changes[name] = self.rng.randint(0, first[name])
        return changes

    def correct(self, target: str, when: dt.datetime | None = None) -> None:
        if target in self.world.lines:
            line = self.world.lines[target]
            if line.corrections and self.rng.random() < 0.3:
                when = self.rng.choice(line.corrections)[0]  # the same second: the id decides
            changes: dict = self.line_changes(line)
            entries = line.corrections
        else:
            session = self.world.sessions[target]
            changes = {"place": f"Nhà văn hóa thôn {self.rng.randint(1, 40)}"}
            if self.rng.random() < 0.5:
                changes["facilitator"] = f"Cán bộ {self.rng.randint(1, 99)}"
            entries = session.corrections
        entry = self.record("correction", {"target_id": target, "changes": changes}, when)
        entries.append((self.world.made_at[entry["id"]], entry["id"], changes))
        self.world.amendments.add(entry["id"])

    def void(self, target: str, when: dt.datetime | None = None) -> None:
        """Each record is voided at most once (two voids of one record are not tested here)."""
        if target in self.world.voided:
            return
        entry = self.record("void", {"target_id": target, "reason": "entered by mistake"}, when)
        self.world.voided.add(target)
        self.world.amendments.add(entry["id"])
        voided: Session | Line | Answer | Scan | None = (
            self.world.sessions.get(target)
            or self.world.lines.get(target)
            or self.world.answers.get(target)
            or self.world.scans.get(target)
        )
        assert voided is not None, "a void of an amendment"
        voided.voided = True

    # -- what a staff member records in a village -------------------------------------------
    def session(self, commune: int, amend: bool, quizzes: list[QuizSpec], leaflets: list) -> None:
        rng, world = self.rng, self.world
        created = self.tick()
        starts = created + dt.timedelta(minutes=rng.randint(-30, 30))
        qr_key = (
            base64.urlsafe_b64encode(rng.randbytes(16)).rstrip(b"=").decode() if rng.random() < 0.6 else None
        )
        values = {"place": "Nhà văn hóa", "facilitator": "Chaos"}
        data = {"commune_code": commune, "topic_ids": ["complaints"], "starts_at": stamp(starts), **values}
        if qr_key:
            data["qr_key"] = qr_key
        session = self.record("session", data, created)
        sid = session["id"]
        world.sessions[sid] = Session(commune, self.phone.account, created, starts, qr_key, values)
        for _ in range(rng.randint(2, 10)):
            count = rng.randint(1, 40)
            values_ = {
                "count": count,
                "women": rng.randint(0, count),
                "ethnic_minority": rng.randint(0, count),
            }
            line = self.record("attendance", {"session_id": sid, **values_})
            world.lines[line["id"]] = Line(sid, values_)
            if amend:
                for _ in range(rng.choice((0, 0, 0, 1, 2))):
                    self.correct(line["id"])
                if rng.random() < 0.08:
                    self.void(line["id"])
        for _ in range(rng.randint(0, 5)):
            spec = rng.choice(quizzes)
            answer = self.record(
                "quiz_response",
                {
                    "quiz_id": spec.quiz_id,
                    "lang": spec.lang,
                    "answers": spec.answers(rng),
                    "session_id": sid,
                    "phase": rng.choice(("pre", "post")),
                },
            )
            world.answers[answer["id"]] = Answer(sid)
            if amend and rng.random() < 0.03:
                self.void(answer["id"])
        if amend and rng.random() < 0.05:
            self.correct(sid)
        if amend and rng.random() < 0.04:
            self.void(sid)
        if rng.random() < 0.3:  # the phone passed round outside a session: an anonymous answer
            spec = rng.choice(quizzes)
            answer = self.record(
                "quiz_response", {"quiz_id": spec.quiz_id, "lang": spec.lang, "answers": spec.answers(rng)}
            )
            world.answers[answer["id"]] = Answer(None)
        for _ in range(rng.choice((0, 0, 1, 2))):
            self.scan(leaflets, amend)

    def scan(self, leaflets: list, amend: bool) -> None:
        code, commune, province = self.rng.choice(leaflets)
        when = self.tick()
        if self.rng.random() < 0.2:
            code = code.lower()  # typed from the paper: the server normalises it
        scan = self.record("leaflet_scan", {"code": code, "scanned_at": stamp(when)}, when)
        self.world.scans[scan["id"]] = Scan(commune, province)
        if amend and self.phone.kind != "resident" and self.rng.random() < 0.05:
            self.void(scan["id"])

    # -- what a resident's phone sends ------------------------------------------------------
    def resident_answer(self, quizzes: list[QuizSpec], keyed: list[str], earlier: list[tuple]) -> None:
        rng, world = self.rng, self.world
        spec = rng.choice(quizzes)
        data: dict = {"quiz_id": spec.quiz_id, "lang": spec.lang, "answers": spec.answers(rng)}
        roll = rng.random()
        if roll < 0.15 or not keyed:
            answer = self.record("quiz_response", data, self.tick())
            world.answers[answer["id"]] = Answer(None, self.phone.number)
            return
        if roll < 0.3 and earlier:  # the same resident, session, quiz and phase again
            sid, quiz_id, phase = rng.choice(earlier)
            spec = next(q for q in quizzes if q.quiz_id == quiz_id)
            data.update(quiz_id=spec.quiz_id, lang=spec.lang, answers=spec.answers(rng))
        else:
            sid, phase = rng.choice(keyed), rng.choice(("pre", "post"))
        session = world.sessions[sid]
        key = session.qr_key
        assert key is not None
        window = True
        minutes = rng.randint(5, 600)  # within LOA_SESSION_ANSWER_WINDOW_HOURS (12) of the start
        if roll > 0.9:
            key = base64.urlsafe_b64encode(rng.randbytes(16)).rstrip(b"=").decode()  # a wrong key
        elif roll > 0.85:
            minutes, window = rng.randint(13 * 60, 20 * 60), False  # too late for the session
        elif roll > 0.8:
            key = None  # no key at all
        when = min(session.starts + dt.timedelta(minutes=minutes), self.now - dt.timedelta(minutes=1))
        window = window and abs(when - session.starts) <= dt.timedelta(hours=12)
        data.update(session_id=sid, phase=phase)
        if key is not None:
            data["session_key"] = key
        answer = self.record("quiz_response", data, when)
        joins = key == session.qr_key and window
        world.answers[answer["id"]] = Answer(
            sid, self.phone.number, joins, (self.phone.number, sid, data["quiz_id"], phase)
        )
        if joins:
            earlier.append((sid, data["quiz_id"], phase))


def make_records(
    phones: list[Phone],
    total: int,
    rng: random.Random,
    quizzes: list[QuizSpec],
    leaflets: list,
    amend: bool,
) -> World:
    """At least `total` records over the phones, in the order each phone made them, each
    with its seq; and the world they describe."""
    world = World()
    now = dt.datetime.now(VIETNAM) - dt.timedelta(minutes=5)
    staff = [p for p in phones if p.kind == "staff"]
    residents = [p for p in phones if p.kind == "resident"]
    organisers = [p for p in phones if p.kind == "organiser"]
    resident_share = min(90, int(total * 0.06) // max(1, len(residents)))
    organiser_share = int(total * 0.015) // max(1, len(organisers)) if amend else 0
    staff_share = -(
        -(total - resident_share * len(residents) - organiser_share * len(organisers)) // len(staff)
    )
    makers = {p.number: Maker(p, world, rng, now) for p in phones}
    for phone in staff:
        maker = makers[phone.number]
        while len(phone.made) < staff_share:
            maker.session(rng.choice(phone.communes), amend, quizzes, leaflets)
    if amend:
        # Amendments made on another phone of the same account: they may reach the server
        # before what they amend, and interleave with that phone's own corrections.
        by_account: dict[int, list[Phone]] = defaultdict(list)
        for phone in staff:
            by_account[phone.account].append(phone)
        for phone in staff:
            maker = makers[phone.number]
            others = [r["id"] for p in by_account[phone.account] if p is not phone for r in p.made]
            for _ in range(rng.choice((0, 1, 2, 3)) if others else 0):
                target = rng.choice(others)
                if target in world.lines or target in world.sessions:
                    maker.correct(target, maker.after(target))
                elif target in world.answers or target in world.scans:
                    maker.void(target, maker.after(target))
    keyed = [sid for sid, s in world.sessions.items() if s.qr_key]
    for phone in residents:
        maker, earlier = makers[phone.number], list[tuple]()
        for _ in range(resident_share):
            if rng.random() < 0.8:
                maker.resident_answer(quizzes, keyed, earlier)
            else:
                maker.clock = now - dt.timedelta(hours=rng.uniform(1, 40))
                maker.scan(leaflets, amend)
    staff_records = [r["id"] for p in staff for r in p.made if r["type"] in ("session", "attendance")]
    for phone in organisers:
        maker = makers[phone.number]
        maker.session(rng.choice(list(world.sessions.values())).commune, amend, quizzes, leaflets)
        while len(phone.made) < organiser_share:
            target = rng.choice(staff_records)
            if rng.random() < 0.1:
                maker.void(target, maker.after(target, (60, 900)))
            else:
                maker.correct(target, maker.after(target, (60, 900)))
    for phone in phones:
        records = sorted(phone.made, key=lambda r: world.made_at[r["id"]])
        # Some lines and answers are queued before their session (made on another screen).
        for i in range(len(records) - 1, 0, -1):
            if records[i]["type"] in ("attendance", "quiz_response") and rng.random() < 0.1:
                records.insert(0, records.pop(i))
        for seq, entry in enumerate(records, start=1):
            entry["seq"] = seq
        phone.outbox = list(records)
        phone.records = len(records)
    return world


# -- the fault-injecting proxy -------------------------------------------------------------------


class ChaosProxy:
    def __init__(self, upstream_port: int, rate: float, rng: random.Random) -> None:
        self.upstream_port = upstream_port
        self.faults: Counter = Counter()
        self.upstream_status: Counter = Counter()
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def reset(self) -> None:
                """A TCP reset: the phone sees the connection torn down."""
                self.close_connection = True
                try:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                except OSError:
                    pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy.lock:
                    fault = rng.choice(FAULTS) if rng.random() < rate else "ok"
                    wait = rng.uniform(1, 3) if fault == "delay" else PHONE_TIMEOUT + rng.uniform(0.5, 3)
                    proxy.faults[fault] += 1
                if fault == "reset-before":
                    return self.reset()
                if fault == "500":
                    return self.answer(500, b'{"error": "injected failure"}')
                if fault in ("delay", "stall"):
                    time.sleep(wait)
                try:
                    upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=120)
                    try:
                        headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                        upstream.request("POST", self.path, body, headers)
                        response = upstream.getresponse()
                        status, data = response.status, response.read()
                        kind = response.getheader("Content-Type") or "application/json"
                    finally:
                        upstream.close()
                except (OSError, http.client.HTTPException):
                    with proxy.lock:
                        proxy.upstream_status["no answer (server down or killed)"] += 1
                    return self.reset()
                with proxy.lock:
                    proxy.upstream_status[status] += 1
                if fault == "reset-after":
                    return self.reset()
                if fault == "slow-answer":
                    time.sleep(wait)
                self.answer(status, data, kind, truncate=fault == "truncate")

            def answer(
                self, status: int, data: bytes, kind: str = "application/json", truncate=False
            ) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2] if truncate else data)
                except OSError:
                    pass  # the phone gave up waiting
                if truncate:
                    self.close_connection = True

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address) -> None:
                pass  # a reset or a phone that gave up: expected here

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- phones sending ------------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.accepted: Counter = Counter()  # how often the server said "accepted" of each id

    def add(self, **counts: int) -> None:
        with self.lock:
            self.counts.update(counts)


def post(
    port: int, token: str, device_id: str, records: list[dict], zipped: bool = False
) -> tuple[int, dict]:
    body = json.dumps({"device_id": device_id, "records": records}).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if zipped:
        body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PHONE_TIMEOUT)
    try:
        connection.request("POST", "/api/v1/sync", body, headers)
        answer = connection.getresponse()
        data = answer.read()
        return answer.status, (json.loads(data) if answer.status == 200 else {})
    finally:
        connection.close()


def tab(phone: Phone, port: int, rng: random.Random, tally: Tally, stop: threading.Event) -> None:
    """One open tab of the PWA: send a batch from the front of the outbox until it is empty,
    backing off (capped, with jitter) after a failure. The other tab of the same phone reads
    the same front, so the same records are often in flight twice."""
    backoff = 0.1
    while not stop.is_set():
        with phone.lock:
            if not phone.outbox:
                return
            start = rng.randint(0, min(10, len(phone.outbox) - 1))
            batch = phone.outbox[start : start + rng.randint(1, 60)]
        try:
            status, answer = post(port, phone.token, phone.device_id, batch, zipped=rng.random() < 0.2)
        except (OSError, http.client.HTTPException, ValueError):
            status, answer = 0, {}
        if status != 200:
            tally.add(retries=1)
            time.sleep(rng.uniform(0.5, 1.0) * backoff)
            backoff = min(backoff * 2, 3.0)
            continue
        backoff = 0.1
        done = set(answer["accepted"]) | set(answer["duplicates"])
        for problem in answer["conflicts"] + answer["rejected"]:
            phone.failures.append(
                f"phone {phone.number} {problem.get('id')}: {problem.get('code')}: {problem.get('error')}"
            )
            done.add(problem.get("id"))  # to "needs attention": out of the outbox, a failure here
        for problem in answer.get("attention", []):
            phone.attention[problem["id"]] = f"{problem.get('code')}: {problem.get('error')}"
        with phone.lock:
            phone.outbox = [r for r in phone.outbox if r["id"] not in done]
        with tally.lock:
            tally.accepted.update(answer["accepted"])
            tally.counts.update(
                batches=1, accepted=len(answer["accepted"]), duplicates=len(answer["duplicates"])
            )


class ChaosServer(LoaServer):
    """`loa serve` as in the other benches, its output kept in a log to read when it fails."""

    def start(self) -> ChaosServer:
        log = open(Path(self.tmp.name) / "server.log", "ab")  # noqa: SIM115 (the child keeps it open)
        self.proc = subprocess.Popen(
            [LOA, "serve", "--port", str(self.port)], env=self.env, stdout=log, stderr=log
        )
        log.close()
        for _ in range(600):
            if self.proc.poll() is not None:
                raise RuntimeError("loa serve exited: " + self.log_tail())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("loa serve did not start")

    def log_tail(self, size: int = 3000) -> str:
        path = Path(self.tmp.name) / "server.log"
        return path.read_text(errors="replace")[-size:] if path.exists() else ""

    def sigkill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def killer(
    server: ChaosServer,
    phones: list[Phone],
    kills: int,
    tally: Tally,
    rng: random.Random,
    stop: threading.Event,
    problems: list[str],
) -> None:
    """SIGKILL the server when the outboxes are 1/(kills+1), 2/(kills+1)... of the way to empty:
    every kill lands while phones are sending, then it is started again at once. Should it not
    start again, the run stops (reported as a failure) rather than phones waiting forever."""
    total = sum(p.records for p in phones)
    try:
        for i in range(1, kills + 1):
            while sum(len(p.outbox) for p in phones) > total * (1 - i / (kills + 1)):
                if stop.wait(0.02):
                    return
            time.sleep(rng.uniform(0, 0.3))
            server.sigkill()
            tally.add(kills=1)
            time.sleep(rng.uniform(0.2, 1.0))  # down for a moment: phones retry against nothing
            server.start()
    except Exception as exc:
        problems.append(f"the server did not start again after a kill: {exc}")
        stop.set()


# -- setting up ---------------------------------------------------------------------------------


def set_up(server: LoaServer, phone_count: int, rng: random.Random) -> tuple[list[Phone], list, list, str]:
    """Accounts, device tokens and leaflets, made in-process on the server's database with the
    functions `loa users`, `loa devices enroll` and `loa leaflets build` use."""
    os.environ.update({k: v for k, v in server.env.items() if k.startswith("LOA_")})
    from sqlalchemy import update

    from server import accounts, communes, create_app, devices
    from server.extensions import db
    from server.leaflets.store import get_or_create_leaflets
    from server.models import Leaflet, utcnow
    from server.state import state

    organisers = 2 if phone_count >= 20 else 1
    residents = max(2, phone_count // 10)
    staff_phones = phone_count - organisers - residents
    account_count = max(2, min(24, staff_phones // 6))
    app = create_app()
    with app.app_context():
        content = state(app).content
        places: list[list[int]] = []
        staff = []
        for i in range(account_count):
            province = PROVINCES[i % len(PROVINCES)]
            codes = [c.code for c in communes.communes_of(province)]
            j = i // len(PROVINCES)
            mine = [codes[j % len(codes)], codes[(j + 1) % len(codes)]]  # neighbours share a commune
            places.append(mine)
            staff.append(
                accounts.create_user(
                    f"chaos{i}", PASSWORD, "staff", province_code=province, commune_codes=mine
                )
            )
        boss = accounts.create_user("boss", PASSWORD, "organiser")
        stats_token = devices.issue_token(boss, None, "stats")[0]
        phones = []
        for i in range(phone_count):
            device_id = random_id(rng)
            if i < organisers:
                phone = Phone(i, "organiser", device_id, -1, [])
                phone.token = devices.issue_token(boss, device_id, f"organiser phone {i}")[0]
            elif i < organisers + residents:
                phone = Phone(i, "resident", device_id, -1, [])
                phone.token = devices.issue_token(None, device_id, "")[0]
            else:
                account = i % account_count
                phone = Phone(i, "staff", device_id, account, places[account])
                phone.token = devices.issue_token(staff[account], device_id, f"phone {i}")[0]
            phones.append(phone)
        covered = sorted({c for mine in places for c in mine})
        others = [c.code for p in PROVINCES for c in communes.communes_of(p)[-3:]]  # where nobody records
        made = get_or_create_leaflets("complaints", "vi", covered[:12] + others, content)
        made += get_or_create_leaflets("counterfeit", "en", covered[-4:], content)
        made += get_or_create_leaflets("complaints", "km", [None], content)  # a leaflet for every commune
        # Printed a week ago: offline scans of the last days are after the printing.
        db.session.execute(update(Leaflet).values(created_at=utcnow() - dt.timedelta(days=7)))
        db.session.commit()
        leaflets = [(leaflet.code, leaflet.commune_code, leaflet.province_code) for leaflet in made]
        quizzes = []
        for quiz_id in content.quiz_ids():
            for lang in sorted(content.languages):
                found = content.quiz(lang, quiz_id)
                if found is not None and not found.fallback:
                    options = {q: sorted(o) for q, o in found.value.option_ids().items()}
                    quizzes.append(QuizSpec(quiz_id, lang, options))
        db.session.remove()
        db.engine.dispose()
    return phones, leaflets, quizzes, stats_token


# -- checking -----------------------------------------------------------------------------------


def get_json(port: int, path: str, token: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {data[:300]!r}")
        return json.loads(data)
    finally:
        connection.close()


def compare_stats(port: int, token: str, world: World) -> list[str]:
    """Every figure of GET /api/v1/stats against the truth: one line per figure that differs."""
    totals, provinces, communes_ = world.figures()
    wrong = []

    def check(where: str, got: dict | None, expected: Counter) -> None:
        for name in FIGURES:
            value = (got or {}).get(name, 0)
            if value != expected[name]:
                wrong.append(f"{where} {name}: server {value}, truth {expected[name]}")

    stats = get_json(port, "/api/v1/stats", token)
    check("total", stats["totals"], totals)
    rows = {r["province_code"]: r for r in stats["by_province"]}
    for code in sorted(set(rows) | set(provinces)):
        check(f"province {code}", rows.get(code), provinces.get(code, Counter()))
    rows = {r["commune_code"]: r for r in stats["by_commune"]}
    for code in sorted(set(rows) | set(communes_)):
        check(f"commune {code}", rows.get(code), communes_.get(code, Counter()))
    for name, value in stats["waiting_for_session"].items():
        if value:
            wrong.append(f"waiting for their session {name}: {value}")
    for code in sorted(provinces):
        filtered = get_json(port, f"/api/v1/stats?province={code}", token)
        check(f"?province={code} total", filtered["totals"], provinces[code])
    return wrong


def query(url: str, sql: str) -> list[tuple]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def exercised(url: str, world: World) -> dict[str, int]:
    """How often the paths that are easy to get wrong were taken in this run (from the server's
    received_at times): lines and answers stored before their session, amendments before their
    target, corrections of one record arriving in another order than they were made."""
    before_session = "select count(*) from {table} x join sessions s on s.id = x.session_id where x.received_at < s.received_at"
    out_of_order = """select count(*) from amendments a join amendments b on a.target_id = b.target_id
        where a.kind = 'correction' and b.kind = 'correction'
        and (a.created_at < b.created_at or (a.created_at = b.created_at and a.id < b.id))
        and a.received_at > b.received_at"""
    return {
        "lines before their session": query(url, before_session.format(table="attendance"))[0][0],
        "answers before their session": query(url, before_session.format(table="quiz_responses"))[0][0],
        "amendments before their target": query(
            url,
            "select count(*) from amendments a join sync_records t on t.id = a.target_id "
            "where a.received_at < t.received_at",
        )[0][0],
        "correction pairs out of order": query(url, out_of_order)[0][0],
        "correction pairs made in the same second": sum(
            len(c) - len({when for when, _, _ in c})
            for c in (line.corrections for line in world.lines.values())
        ),
        "resident answers joining a session": len(
            {a.group for a in world.answers.values() if a.joins_if_first}
        ),
        "resident answers kept anonymous": sum(1 for a in world.answers.values() if a.resident is not None)
        - len({a.group for a in world.answers.values() if a.joins_if_first}),
    }


def check_records(url: str, world: World, generated: dict[str, dict]) -> dict[str, list[str]]:
    """Record by record, from the database: stored once, counted as it should be."""
    found: dict[str, list[str]] = defaultdict(list)
    ledger = Counter(r[0] for r in query(url, "select id from sync_records"))
    types = dict(query(url, "select id, type from sync_records"))
    tables = {
        "session": "sessions",
        "attendance": "attendance",
        "quiz_response": "quiz_responses",
        "leaflet_scan": "leaflet_scans",
        "correction": "amendments",
        "void": "amendments",
    }
    rows_of: dict[str, Counter] = {
        table: Counter(r[0] for r in query(url, f"select id from {table}")) for table in set(tables.values())
    }
    for record_id, record in generated.items():
        table = tables[record["type"]]
        if not ledger[record_id] or not rows_of[table][record_id]:
            found["lost"].append(
                f"{record['type']} {record_id}: ledger {ledger[record_id]}, {table} {rows_of[table][record_id]}"
            )
        elif types[record_id] != record["type"]:
            found["lost"].append(f"{record['type']} {record_id} stored as a {types[record_id]}")
    everywhere: Counter = Counter(ledger)
    for table, ids in rows_of.items():
        everywhere.update(
            {i: n for i, n in ids.items() if table != "amendments" or types.get(i) in ("correction", "void")}
        )
    for record_id, n in everywhere.items():
        if n > 2 or ledger[record_id] > 1:
            found["doubled"].append(f"{record_id} stored {n} times (ledger {ledger[record_id]})")
        if record_id not in generated:
            found["doubled"].append(f"{record_id} stored but never sent")

    def judge(what: str, hold: int, commune, expected_hold: int, expected_commune) -> None:
        """Counted where it should be, or held out of the figures with the right reason."""
        if hold == expected_hold and commune == expected_commune:
            return
        counts, should = (
            hold == 0 and commune is not None,
            expected_hold == 0 and expected_commune is not None,
        )
        key = (
            "uncounted"
            if should and not counts
            else "counted though voided"
            if counts and not should
            else "wrong hold"
        )
        found[key].append(
            f"{what}: hold {hold} commune {commune}, truth hold {expected_hold} commune {expected_commune}"
        )

    for sid, place, facilitator, hold, commune in query(
        url, "select id, place, facilitator, hold, commune_code from sessions"
    ):
        s = world.sessions.get(sid)
        if s is None:
            continue
        judge(f"session {sid}", hold, commune, HOLD_VOIDED if s.voided else 0, s.commune)
        if {"place": place, "facilitator": facilitator} != current(s.values, s.corrections):
            found["wrong values"].append(
                f"session {sid}: {place!r} {facilitator!r}, truth {current(s.values, s.corrections)}"
            )
    for lid, count, women, minority, hold, commune in query(
        url, "select id, count, women, ethnic_minority, hold, commune_code from attendance"
    ):
        line = world.lines.get(lid)
        if line is None:
            continue
        s = world.sessions[line.session]
        expected = (HOLD_VOIDED if line.voided else 0) | (HOLD_SESSION_VOIDED if s.voided else 0)
        judge(f"attendance {lid}", hold, commune, expected, s.commune)
        truth = current(line.values, line.corrections)
        if (count, women, minority) != tuple(truth[f] for f in LINE_FIELDS):
            found["wrong values"].append(
                f"attendance {lid}: {count}/{women}/{minority}, truth {truth} "
                f"(first {line.values}, {len(line.corrections)} corrections)"
            )
    joined: Counter = Counter()
    groups: dict[tuple, list[str]] = defaultdict(list)
    for aid, session_id, hold, commune in query(
        url, "select id, session_id, hold, commune_code from quiz_responses"
    ):
        answer = world.answers.get(aid)
        if answer is None:
            continue
        voided_bit = HOLD_VOIDED if answer.voided else 0
        if answer.resident is None and answer.session is not None:
            s = world.sessions[answer.session]
            expected = voided_bit | (HOLD_SESSION_VOIDED if s.voided else 0)
            judge(f"staff answer {aid}", hold, commune, expected, s.commune)
        elif answer.joins_if_first:
            assert answer.session is not None
            s = world.sessions[answer.session]
            groups[answer.group].append(aid)
            if commune is not None:
                joined[answer.group] += 1
                expected = HOLD_SESSION_VOIDED if s.voided else 0
                if commune != s.commune or hold != expected or session_id != answer.session:
                    found["wrong hold"].append(f"resident answer {aid}: hold {hold} commune {commune}")
            elif session_id is not None or hold != 0:
                found["wrong hold"].append(
                    f"resident answer {aid} neither joined nor anonymous: session {session_id} hold {hold}"
                )
        else:
            judge(f"anonymous answer {aid}", hold, commune, voided_bit, None)
            if answer.resident is not None and session_id is not None:
                found["wrong hold"].append(
                    f"resident answer {aid} kept its session {session_id} without joining"
                )
    for group, members in groups.items():
        if joined[group] != 1:
            found["uncounted" if joined[group] == 0 else "counted though voided"].append(
                f"resident answers {group[1:]} of phone {group[0]}: {joined[group]} of {len(members)} joined their session, truth 1"
            )
    for scan_id, hold, commune in query(url, "select id, hold, commune_code from leaflet_scans"):
        scan = world.scans.get(scan_id)
        if scan is None:
            continue
        judge(f"scan {scan_id}", hold, commune, HOLD_VOIDED if scan.voided else 0, scan.commune)
    for amendment_id, state, problem in query(url, "select id, state, problem from amendments"):
        if amendment_id in world.amendments and state != "applied":
            found["amendments not applied"].append(f"{amendment_id}: {state} {problem or ''}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--fault-rate", type=float, default=0.3, help="share of sync requests broken")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--amendments",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="send corrections and voids (--no-amendments for a server without them)",
    )
    parser.add_argument("--quick", action="store_true", help="24 phones, 1,200 records, 2 kills")
    parser.add_argument("--timeout", type=float, default=900, help="give up sending after this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the database (printed) to look into")
    args = parser.parse_args()
    if args.quick:
        args.phones, args.records, args.kills = 24, 1200, 2
    if args.phones < 6:
        parser.error("--phones: at least 6 (organiser, residents, staff)")
    url = fresh_postgres_url(POSTGRES_DATABASE) if args.database == "postgresql" else None
    server = ChaosServer(
        url,
        threads=8,
        LOA_SYNC_RATE_PER_MINUTE=1_000_000,
        # Every phone reaches the server from 127.0.0.1 here; one village's address in real life.
        LOA_RESIDENT_RECORDS_PER_ADDRESS_PER_DAY=1_000_000,
    )
    try:
        return run(args, server, url or f"sqlite:///{server.tmp.name}/loa.sqlite3")
    finally:
        server.stop()
        if args.keep:
            if url:
                print(f"  database kept: {url}")
            else:
                kept = Path(f"/tmp/loa-chaos-{args.seed}")
                shutil.rmtree(kept, ignore_errors=True)
                shutil.copytree(server.tmp.name, kept)
                print(f"  instance kept: {kept}")
        elif url:
            drop_postgres(url)
        server.tmp.cleanup()


def run(args: argparse.Namespace, server: ChaosServer, db_url: str) -> int:
    rng = random.Random(args.seed)
    server.loa("init-db")
    phones, leaflets, quizzes, stats_token = set_up(server, args.phones, rng)
    world = make_records(phones, args.records, rng, quizzes, leaflets, args.amendments)
    generated = {r["id"]: r for phone in phones for r in phone.outbox}
    server.start()
    proxy = ChaosProxy(server.port, args.fault_rate, random.Random(args.seed + 1))
    tally = Tally()
    stop = threading.Event()
    started = time.monotonic()
    problems: list[str] = []
    chaos = threading.Thread(
        target=killer,
        args=(server, phones, args.kills, tally, random.Random(args.seed + 2), stop, problems),
        daemon=True,
    )
    chaos.start()
    tabs = [
        threading.Thread(
            target=tab, args=(phone, proxy.port, random.Random(args.seed * 1000 + 2 * i + t), tally, stop)
        )
        for i, phone in enumerate(phones)
        for t in range(2)
    ]
    for thread in tabs:
        thread.start()
    deadline = started + args.timeout
    for thread in tabs:
        thread.join(max(0.0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in tabs):
        problems.append(f"phones still sending after --timeout {args.timeout:.0f} s")
    stop.set()
    for thread in tabs:
        thread.join()
    elapsed = time.monotonic() - started
    chaos.join(60)
    kills_during_run = tally.counts["kills"]
    if chaos.is_alive() or problems:
        print("\n".join(["chaos: the run did not finish", *problems, server.log_tail()]))
        return 1
    proxy.close()

    # -- checks, straight to the server (no faults) ----------------------------------------------
    left = sum(len(p.outbox) for p in phones)
    found = check_records(db_url, world, generated)
    paths = exercised(db_url, world)
    for phone in phones:
        try:
            status, answer = post(server.port, phone.token, phone.device_id, [])
        except (OSError, http.client.HTTPException) as exc:
            found["devices with gaps"].append(f"phone {phone.number}: {exc}")
            continue
        device = answer.get("device") or {}
        if status != 200 or device.get("gaps") or device.get("received_through") != phone.records:
            found["devices with gaps"].append(
                f"phone {phone.number}: {status} received_through {device.get('received_through')} "
                f"of {phone.records}, gaps {device.get('gaps')}"
            )
        for problem in answer.get("attention", []):
            phone.attention[problem["id"]] = f"{problem.get('code')}: {problem.get('error')}"
    mismatched = compare_stats(server.port, stats_token, world)
    accepted_twice = sum(n - 1 for n in tally.accepted.values() if n > 1)
    if accepted_twice:
        found["doubled"].append(f"{accepted_twice} ids answered 'accepted' more than once")

    types = Counter(r["type"] for r in generated.values())
    counts = tally.counts
    print(
        f"chaos: {len(phones)} phones x 2 tabs ({Counter(p.kind for p in phones)}), {len(generated):,} records, "
        f"{args.database}, seed {args.seed}, amendments {'on' if args.amendments else 'off'}"
    )
    print(f"  records by type: {dict(types)}")
    print(
        f"  {elapsed:.1f} s sending, {len(generated) / elapsed:,.0f} records/s; {counts['batches']:,} batches answered, "
        f"{counts['retries']:,} retries, {counts['accepted']:,} accepted + {counts['duplicates']:,} duplicates"
    )
    injected = {k: v for k, v in proxy.faults.items() if k != "ok"}
    print(
        f"  faults injected: {sum(injected.values()):,} of {sum(proxy.faults.values()):,} requests {injected}; "
        f"server answers behind the proxy: {dict(proxy.upstream_status)}"
    )
    print(f"  server killed (SIGKILL) and restarted {kills_during_run} times while phones were sending")
    print(f"  exercised: {paths}")
    results = {
        "left in outboxes": left,
        "lost": len(found["lost"]),
        "doubled": len(found["doubled"]),
        "uncounted": len(found["uncounted"]),
        "counted though voided": len(found["counted though voided"]),
        "wrong hold or session": len(found["wrong hold"]),
        "wrong values (corrections)": len(found["wrong values"]),
        "amendments not applied": len(found["amendments not applied"]),
        "devices with gaps": len(found["devices with gaps"]),
        "rejected or conflicts": sum(len(p.failures) for p in phones),
        "needing attention": sum(len(p.attention) for p in phones),
        "mismatched figures": len(mismatched),
        "kills short of --kills": max(0, args.kills - kills_during_run),
    }
    for name, value in results.items():
        print(f"  {name:32} {value:>6}   budget 0   {'ok' if value == 0 else 'FAIL'}")
    details = [line for key in found for line in found[key][:8]]
    details += [f for p in phones for f in p.failures][:8]
    details += [f"phone {p.number} attention {i}: {why}" for p in phones for i, why in p.attention.items()][
        :8
    ]
    details += mismatched[:20]
    for line in details:
        print(f"    {line}")
    failed = any(results.values())
    if failed:
        print(f"  the server's log ends:\n{server.log_tail(1500)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
