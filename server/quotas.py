"""Daily quotas for what anonymous phones may add, and the daily salt that lets the server tell
clients apart for one day without storing who they are.

A client's address (or its `loa_client` cookie) is hashed with a random salt made for the day
(UTC); the salt is deleted once the day is over, so yesterday's hashes can no longer be linked
to anyone. Quotas count per key and day in `quota_use`, with a conditional increment that
cannot overshoot when requests arrive at the same moment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from sqlalchemy import delete, select, update

from .extensions import db
from .models import DailySalt, QuotaUse, utcnow
from .provenance import insert_ignoring_duplicates


class QuotaExceeded(Exception):
    """A daily quota is used up; nothing was stored."""

    def __init__(self, name: str, limit: int, retry_after: int) -> None:
        super().__init__(f"the daily quota '{name}' ({limit}) is used up; try again in {retry_after} s")
        self.name = name
        self.limit = limit
        self.retry_after = retry_after


def now() -> dt.datetime:
    """The server's time (naive UTC); tests move it."""
    return utcnow()


def today() -> dt.date:
    return now().date()


def seconds_to_tomorrow() -> int:
    moment = now()
    midnight = dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time())
    return max(1, int((midnight - moment).total_seconds()) + 1)


def _salt(day: dt.date) -> str:
    found = db.session.execute(select(DailySalt.salt).where(DailySalt.day == day)).scalar()
    if found is not None:
        return found
    insert_ignoring_duplicates(DailySalt, [{"day": day, "salt": secrets.token_hex(32)}])
    db.session.execute(delete(DailySalt).where(DailySalt.day < day - dt.timedelta(days=1)))
    db.session.execute(delete(QuotaUse).where(QuotaUse.day < day - dt.timedelta(days=1)))
    return db.session.execute(select(DailySalt.salt).where(DailySalt.day == day)).scalar_one()


def client_hash(value: str, day: dt.date | None = None) -> str:
    """A client (address or cookie) hashed with the day's salt: the same client the same day
    gives the same hash; nothing links it to the client once the salt is gone."""
    salt = _salt(day or today())
    return hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()


def charge(quotas: Iterable[tuple[str, str, int]], n: int, day: dt.date | None = None) -> None:
    """Use n of each (name, key, limit) quota of the day, inside the caller's transaction;
    QuotaExceeded (and nothing used) when any would go over. The caller rolls back."""
    if n <= 0:
        return
    day = day or today()
    quotas = list(quotas)
    insert_ignoring_duplicates(QuotaUse, [{"key": key, "day": day, "used": 0} for _, key, _ in quotas])
    for name, key, limit in quotas:
        used = db.session.execute(
            update(QuotaUse)
            .where(QuotaUse.key == key, QuotaUse.day == day, QuotaUse.used + n <= limit)
            .values(used=QuotaUse.used + n)
        )
        if used.rowcount != 1:  # type: ignore[attr-defined]
            raise QuotaExceeded(name, limit, seconds_to_tomorrow())
