"""Daily quotas for what strangers may add, and the daily salt that lets the server tell
clients apart for one day without storing who they are.

A client's address (or its `loa_client` cookie) is hashed with a random salt made for the day
(UTC); the salts of days before yesterday are deleted, so older hashes can no longer be linked
to anyone. Quotas count per key and day in `quota_use`, with a conditional increment
(`used = used + n WHERE used + n <= limit`) that cannot overshoot when requests arrive at the
same moment: PostgreSQL re-checks the condition once the other request's row lock is released,
SQLite has one writer at a time.

The day and the time come from `now()`, which tests replace to move to another day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Iterable

from sqlalchemy import delete, select, update

from .extensions import db
from .models import DailySalt, QuotaUse, utcnow
from .provenance import insert_ignoring_duplicates

# The quotas, named by their setting; what each allows, in the English of the 429's message.
SCANS_PER_ADDRESS = "LOA_SCANS_PER_ADDRESS_PER_DAY"
RECORDS_PER_PHONE = "LOA_RESIDENT_RECORDS_PER_DAY"
RECORDS_PER_ADDRESS = "LOA_RESIDENT_RECORDS_PER_ADDRESS_PER_DAY"
TOKENS_PER_ADDRESS = "LOA_RESIDENT_TOKENS_PER_ADDRESS_PER_DAY"
COMPLAINTS_PER_PHONE = "LOA_RESIDENT_COMPLAINTS_PER_DAY"
COMPLAINTS_PER_ADDRESS = "LOA_RESIDENT_COMPLAINTS_PER_ADDRESS_PER_DAY"
WHAT = {
    COMPLAINTS_PER_PHONE: "complaints a resident's phone may send a day",
    COMPLAINTS_PER_ADDRESS: "complaints residents' phones behind one address may send a day",
    SCANS_PER_ADDRESS: "online scans of one leaflet per address a day",
    RECORDS_PER_PHONE: "records a resident's phone may send a day",
    RECORDS_PER_ADDRESS: "records residents' phones behind one address may send a day",
    TOKENS_PER_ADDRESS: "resident phone tokens per address a day",
}


class QuotaExceeded(Exception):
    """A daily quota is used up (or would be by this request); nothing was stored."""

    def __init__(self, name: str, limit: int, retry_after: int, remaining: int = 0) -> None:
        what = WHAT.get(name, name)
        super().__init__(
            f"the daily quota of {what} ({name}: {limit}) would be exceeded; {remaining} left today, "
            f"try again in {retry_after} s"
        )
        self.name = name
        self.limit = limit
        self.retry_after = retry_after
        self.remaining = remaining


def now() -> dt.datetime:
    """The server's time (naive UTC); tests replace it to move to another day."""
    return utcnow()


def today() -> dt.date:
    return now().date()


def seconds_to_tomorrow(moment: dt.datetime | None = None) -> int:
    """Whole seconds until the next UTC midnight, when every daily quota starts again (>= 1)."""
    moment = moment or now()
    midnight = dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time())
    return max(1, math.ceil((midnight - moment).total_seconds()))


def _salt(day: dt.date) -> str:
    found = db.session.execute(select(DailySalt.salt).where(DailySalt.day == day)).scalar()
    if found is None:
        _make_salt(day)
        found = db.session.execute(select(DailySalt.salt).where(DailySalt.day == day)).scalar_one()
    return found


def _make_salt(day: dt.date) -> None:
    """The day's salt, made by whichever request comes first (insert-or-ignore: two at the same
    moment agree on one) and committed at once, so that it never goes with a later rollback of
    the caller; the salts and quota counts of days before yesterday go with it. (A connection
    of its own would need a second connection per request: under load the pool runs out.)"""
    insert_ignoring_duplicates(DailySalt, [{"day": day, "salt": secrets.token_hex(32)}])
    db.session.execute(delete(DailySalt).where(DailySalt.day < day - dt.timedelta(days=1)))
    db.session.execute(delete(QuotaUse).where(QuotaUse.day < day - dt.timedelta(days=1)))
    db.session.commit()


def client_hash(value: str, day: dt.date | None = None) -> str:
    """A client (a cookie or an address) hashed with the day's salt (sha256, hex): the same
    client the same day gives the same hash; nothing leads back to it once the salt is gone.

    Call it before the request writes anything: the first call of a day makes the salt and
    commits the session."""
    salt = _salt(day or today())
    return hashlib.sha256(f"{salt}{value}".encode()).hexdigest()


def address_hash(address: str, day: dt.date | None = None) -> str:
    """A client's address, hashed with the day's salt: the only form in which Loa keeps it."""
    return client_hash(f"address:{address}", day)


def charge(quotas: Iterable[tuple[str, str, int]], n: int, day: dt.date | None = None) -> None:
    """Use n of each (name, key, limit) quota of the day, inside the caller's transaction.
    QuotaExceeded when any would go over; the caller then rolls back, so nothing is used.
    Keys are charged in the order given (list them in the same order everywhere)."""
    if n <= 0:
        return
    day = day or today()
    quotas = list(quotas)
    insert_ignoring_duplicates(QuotaUse, [{"key": key, "day": day, "used": 0} for _, key, _ in quotas])
    for name, key, limit in quotas:
        charged = db.session.execute(
            update(QuotaUse)
            .where(QuotaUse.key == key, QuotaUse.day == day, QuotaUse.used + n <= limit)
            .values(used=QuotaUse.used + n)
        )
        if charged.rowcount != 1:  # type: ignore[attr-defined]
            used = db.session.execute(
                select(QuotaUse.used).where(QuotaUse.key == key, QuotaUse.day == day)
            ).scalar()
            remaining = max(0, limit - (used or 0))
            raise QuotaExceeded(name, limit, seconds_to_tomorrow(), remaining)
