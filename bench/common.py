"""What the benchmarks share: a real `loa serve` in a temporary instance, and a fresh
PostgreSQL database when asked for one."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOA = str(Path(sys.executable).parent / "loa")
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def random_id(rng: random.Random) -> str:
    """A record id (UUID 4) drawn from `rng`, so a seed gives the same records every run."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def attendance_record(rng: random.Random, session_id: str, created_at: str, count: int) -> dict:
    """A tally line as phones send it: `count` people, a random number of them women and
    a random number ethnic minority."""
    return {
        "id": random_id(rng),
        "type": "attendance",
        "created_at": created_at,
        "data": {
            "session_id": session_id,
            "count": count,
            "women": rng.randint(0, count),
            "ethnic_minority": rng.randint(0, count),
        },
    }


def quiz_record(record_id: str, session_id: str, created_at: str, answers: dict, phase: str) -> dict:
    """A resident's answers to the complaints quiz (the caller draws the random parts, in the
    order its seed has always drawn them)."""
    return {
        "id": record_id,
        "type": "quiz_response",
        "created_at": created_at,
        "data": {
            "quiz_id": "complaints",
            "lang": "vi",
            "answers": answers,
            "session_id": session_id,
            "phase": phase,
        },
    }


def fresh_postgres_url(name: str | None = None) -> str:
    """A new empty PostgreSQL database on this machine's cluster (tools/postgres-for-tests.sh):
    a random `loa_bench_...` one, or `name` (dropped first if an earlier run left it)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = subprocess.run(
        ["sh", str(ROOT / "tools" / "postgres-for-tests.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()
    name = name or f"loa_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_postgres(url: str) -> None:
    """Drop the bench's database; after a big load PostgreSQL's autovacuum (a process this
    role may not stop) can hold it for a while, so try again for up to a minute."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(60):
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
                return
            except DBAPIError:
                if attempt == 59:
                    raise
                time.sleep(1)
    finally:
        admin.dispose()


class LoaServer:
    """`loa serve` on a free port, with its own instance folder (and database)."""

    def __init__(self, database_url: str | None = None, threads: int | None = None, **env):
        self.tmp = tempfile.TemporaryDirectory()
        self.port = free_port()
        self.database_url = database_url
        self.env = dict(
            os.environ,
            LOA_INSTANCE_DIR=self.tmp.name,
            PORT=str(self.port),
            LOA_SECRET_KEY="bench",
            LOA_LOG_LEVEL="WARNING",
            **{k: str(v) for k, v in env.items()},
        )
        if database_url:
            self.env["LOA_DATABASE_URL"] = database_url
        if threads:
            self.env["LOA_WORKERS"] = str(threads)
        self.proc: subprocess.Popen[bytes] | None = None

    def loa(self, *args: str) -> str:
        return subprocess.run([LOA, *args], env=self.env, check=True, capture_output=True, text=True).stdout

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> LoaServer:
        self.proc = subprocess.Popen(
            [LOA, "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(600):
            if self.proc.poll() is not None:
                raise RuntimeError("loa serve exited")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("loa serve did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()

    def __enter__(self) -> LoaServer:
        self.loa("init-db")
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        self.tmp.cleanup()


def recent_start(rng: random.Random, days: int = 20) -> str:
    """A session start within the last `days` days, at 08:00–08:59 in Vietnam, RFC 3339: sync
    accepts nothing from the future or older than LOA_MAX_RECORD_AGE_DAYS."""
    import datetime as dt

    vietnam = dt.timezone(dt.timedelta(hours=7))
    day = dt.datetime.now(vietnam).date() - dt.timedelta(days=rng.randint(1, days))
    return dt.datetime.combine(day, dt.time(8, rng.randint(0, 59)), vietnam).isoformat()
