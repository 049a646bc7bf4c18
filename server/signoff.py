"""Signing off a period: a province organiser reviews the report of a month, a quarter, the
Consumer Rights Day campaign or a year and locks it. The report is frozen as it was signed, and
says when and by whom. Records that arrive later for a locked period are kept, counted live as
always, and listed as "after sign-off"; signing a new revision takes them into the report, dated.
Unlocking needs a reason; both are in the audit log.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from . import audit, ministry_report
from .content import Content
from .extensions import db
from .models import NATIONAL, RECORD_MODELS, Signoff, SyncRecord, utcnow
from .periods import Period

MAX_REASON = 300
# The day each kind of record belongs to, for "records of the period".
DAY_OF = {
    "session": "starts_at",
    "attendance": "session_starts_at",
    "quiz_response": "created_at",
    "leaflet_scan": "scanned_at",
    "broadcast": "started_at",
    "quiz_tally": "created_at",
    "activity": "held_at",
    "complaint": "taken_at",
}


class SignoffError(ValueError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def _code(province: int | None) -> int:
    return NATIONAL if province is None else province


def latest(province: int | None, period: Period) -> Signoff | None:
    """The newest sign-off of the period, locked or unlocked (None: never signed)."""
    return db.session.execute(
        select(Signoff)
        .where(Signoff.province_code == _code(province), Signoff.period == period.key)
        .order_by(Signoff.revision.desc())
        .limit(1)
    ).scalar()


def locked(province: int | None, period: Period) -> Signoff | None:
    found = latest(province, period)
    return found if found is not None and found.unlocked_at is None else None


def sign(province: int | None, period: Period, content: Content, lang: str, by: str) -> Signoff:
    """Freeze the period's report as a new revision. A locked period is signed again only to
    take in records that arrived after its sign-off."""
    current = latest(province, period)
    if (
        current is not None
        and current.unlocked_at is None
        and not late_records(province, period, current.signed_at)
    ):
        raise SignoffError("the period is signed off and nothing arrived since", "nothing_new")
    report = ministry_report.report(province, period, content, lang)
    row = Signoff(
        province_code=_code(province),
        period=period.key,
        revision=(current.revision if current else 0) + 1,
        report=json.dumps(report, ensure_ascii=False, sort_keys=True),
        signed_by=by,
        signed_at=utcnow(),
    )
    db.session.add(row)
    audit.record(
        audit.PERIOD_SIGNED,
        f"{row.province_code}:{period.key}",
        province_code=province,
        revision=row.revision,
    )
    try:
        db.session.commit()
    except IntegrityError:  # two organisers signing at the same moment: the first revision stands
        db.session.rollback()
        raise SignoffError("someone signed this period at the same moment", "signed_meanwhile") from None
    return row


def unlock(province: int | None, period: Period, reason: str, by: str) -> Signoff:
    reason = reason.strip()
    if not reason:
        raise SignoffError("say why the period is unlocked", "reason_needed")
    current = locked(province, period)
    if current is None:
        raise SignoffError("the period is not signed off", "not_locked")
    current.unlocked_at, current.unlocked_by, current.unlock_reason = utcnow(), by, reason[:MAX_REASON]
    audit.record(
        audit.PERIOD_UNLOCKED,
        f"{current.province_code}:{period.key}",
        province_code=province,
        reason=reason[:MAX_REASON],
    )
    db.session.commit()
    return current


def late_records(province: int | None, period: Period, signed_at: dt.datetime) -> dict[str, int]:
    """{record type: how many} of the period and province that arrived after `signed_at`."""
    start = dt.datetime.combine(period.start, dt.time())
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())
    found = {}
    for kind, model in RECORD_MODELS.items():
        day = getattr(model, DAY_OF[kind])
        query = (
            select(func.count())
            .select_from(model)
            .join(SyncRecord, SyncRecord.id == model.id)
            .where(SyncRecord.received_at > signed_at, day >= start, day < end, model.hold == 0)
        )
        if province is not None:
            query = query.where(model.province_code == province)
        count = int(db.session.execute(query).scalar() or 0)
        if count:
            found[kind] = count
    return found


def frozen(row: Signoff) -> dict:
    return json.loads(row.report)
