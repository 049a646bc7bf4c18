"""Limits shared by every server process: requests per window of a key (an address, a device)
and the back-off of an account after wrong passwords.

The counts live in the `throttle` table, so two `loa serve` processes (or two machines) over
one PostgreSQL enforce one limit, not one each. A window's count goes up with a conditional
update (`hits + 1 WHERE hits < limit OR the window is over`) that cannot overshoot when requests
arrive at the same moment: PostgreSQL re-checks the condition once the other request's row lock
is released, SQLite has one writer at a time.

Back-off is never a lockout: after `LOA_LOGIN_FREE_FAILURES` wrong passwords each further try at
that key must wait 1 s, then 2, 4 ... up to `LOA_LOGIN_BACKOFF_MAX_SECONDS`; one right password
clears it. The table stays bounded: expired entries are dropped at most once a minute per
process, and beyond `LOA_THROTTLE_MAX_KEYS` the least recently used plain counters go first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import threading
import time

from flask import current_app
from sqlalchemy import case, delete, func, or_, select, update

from .extensions import db
from .models import Throttle, utcnow
from .provenance import insert_ignoring_duplicates

PURGE_EVERY_SECONDS = 60.0
COUNTER_KEPT = dt.timedelta(minutes=10)  # a plain counter untouched this long is over
FAILURES_KEPT = dt.timedelta(days=1)  # wrong passwords are forgotten a day after the last one
_purge_lock = threading.Lock()
_last_purge = [0.0]


def key(kind: str, value: str) -> str:
    """A throttle key: its kind in the clear, the value (an address, a username, a token id)
    hashed with the secret key, so the table holds no address."""
    secret = str(current_app.config["SECRET_KEY"])
    return f"{kind}:{hashlib.sha256(f'{secret}:{value}'.encode()).hexdigest()[:40]}"


def now() -> dt.datetime:
    """The server's time (naive UTC); tests replace it to move the clock."""
    return utcnow()


def _ensure(key: str, moment: dt.datetime) -> None:
    insert_ignoring_duplicates(
        Throttle, [{"key": key, "window_start": moment, "hits": 0, "failures": 0, "touched_at": moment}]
    )


def _seconds_until(moment: dt.datetime, start: dt.datetime) -> int:
    return max(1, math.ceil((moment - start).total_seconds()))


def hit(key: str, limit: int, window_seconds: int = 60) -> int:
    """Count one request of `key`: 0 when it is within `limit` per window, else the seconds to
    wait (nothing counted). Commits, so the count holds whatever the request does next."""
    moment = now()
    _ensure(key, moment)
    over = Throttle.window_start <= moment - dt.timedelta(seconds=window_seconds)
    counted = db.session.execute(
        update(Throttle)
        .where(Throttle.key == key, or_(over, Throttle.hits < limit))
        .values(
            hits=case((over, 1), else_=Throttle.hits + 1),
            window_start=case((over, moment), else_=Throttle.window_start),
            touched_at=moment,
        )
    )
    wait = 0
    if counted.rowcount != 1:  # type: ignore[attr-defined]
        start = db.session.execute(select(Throttle.window_start).where(Throttle.key == key)).scalar_one()
        wait = _seconds_until(start + dt.timedelta(seconds=window_seconds), moment)
    db.session.commit()
    purge_now_and_then()
    return wait


def backoff(key: str) -> int:
    """Seconds `key` must still wait after its wrong passwords (0: it may try now)."""
    moment = now()
    until = db.session.execute(select(Throttle.blocked_until).where(Throttle.key == key)).scalar()
    return _seconds_until(until, moment) if until is not None and until > moment else 0


def failed(key: str) -> int:
    """One more wrong password for `key`; returns the seconds its next try must wait."""
    config = current_app.config
    moment = now()
    _ensure(key, moment)
    db.session.execute(
        update(Throttle).where(Throttle.key == key).values(failures=Throttle.failures + 1, touched_at=moment)
    )
    failures = db.session.execute(select(Throttle.failures).where(Throttle.key == key)).scalar_one()
    extra = failures - int(config["LOGIN_FREE_FAILURES"])
    wait = 0
    if extra >= 0:
        wait = min(int(config["LOGIN_BACKOFF_MAX_SECONDS"]), 2 ** min(extra, 30))
        db.session.execute(
            update(Throttle)
            .where(Throttle.key == key)
            .values(blocked_until=moment + dt.timedelta(seconds=wait))
        )
    db.session.commit()
    return wait


def succeeded(key: str) -> None:
    """The right password: the key's wrong ones are forgotten."""
    db.session.execute(delete(Throttle).where(Throttle.key == key, Throttle.failures > 0))
    db.session.commit()


def purge(moment: dt.datetime | None = None) -> int:
    """Drop what is over (counters, forgotten failures, finished back-offs), then, beyond the
    size cap, the least recently used counters. Returns how many entries went."""
    moment = moment or now()
    gone = db.session.execute(
        delete(Throttle).where(
            or_(Throttle.blocked_until.is_(None), Throttle.blocked_until < moment),
            or_(
                (Throttle.failures == 0) & (Throttle.touched_at < moment - COUNTER_KEPT),
                Throttle.touched_at < moment - FAILURES_KEPT,
            ),
        )
    ).rowcount  # type: ignore[attr-defined]
    cap = int(current_app.config["THROTTLE_MAX_KEYS"])
    over = db.session.execute(select(func.count()).select_from(Throttle)).scalar_one() - cap
    if over > 0:
        oldest = (
            select(Throttle.key)
            .where(Throttle.failures == 0)
            .order_by(Throttle.touched_at)
            .limit(over)
            .scalar_subquery()
        )
        gone += db.session.execute(delete(Throttle).where(Throttle.key.in_(oldest))).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    return int(gone)


def purge_now_and_then() -> None:
    """purge() at most once a minute in this process."""
    with _purge_lock:
        if time.monotonic() - _last_purge[0] < PURGE_EVERY_SECONDS:
            return
        _last_purge[0] = time.monotonic()
    purge()
