"""The data quality panel: per device, what it sent and what became of it (counted, waiting
for its session, late, held out of the figures, rejected, never arrived), and the records of one
device with their state, so an organiser can find and quarantine or void what is wrong.

Plain query functions; the organiser views render them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, case, func, literal_column, select
from sqlalchemy.sql import ColumnElement

from . import communes, provenance
from .extensions import db
from .models import (
    HOLD_NOT_ALLOWED,
    HOLD_QUARANTINED,
    HOLD_SESSION_VOIDED,
    HOLD_VOIDED,
    RECORD_MODELS,
    Amendment,
    Attendance,
    Device,
    LeafletScan,
    QuizResponse,
    QuizTally,
    SyncRecord,
    User,
)

LATE_DAYS = 7  # a record received more than this long after it was made is "late"
MAX_DEVICES = 300
MAX_RECORDS = 200
FIGURE_MODELS: dict[str, Any] = RECORD_MODELS
LINKED_MODELS = (Attendance, QuizResponse, QuizTally)  # what waits for its session


def _late() -> ColumnElement[bool]:
    """received_at more than LATE_DAYS after created_at, on either engine."""
    if provenance.dialect() == "postgresql":
        return SyncRecord.received_at - SyncRecord.created_at > literal_column(f"interval '{LATE_DAYS} days'")
    return func.julianday(SyncRecord.received_at) - func.julianday(SyncRecord.created_at) > LATE_DAYS


def _bit(column, bit: int):
    return func.sum(case((column.op("&")(bit) != 0, 1), else_=0))


@dataclass
class DeviceQuality:
    device: Device
    account: str
    records: int = 0
    late: int = 0
    waiting: int = 0
    quarantined: int = 0
    voided: int = 0
    not_allowed: int = 0
    gaps: list[list[int]] = field(default_factory=list)
    received_through: int = 0

    @property
    def gap_text(self) -> str:
        return ", ".join(f"{a}–{b}" if a != b else str(a) for a, b in self.gaps)


def device_quality(province: int | None = None) -> list[DeviceQuality]:
    """Every device that sent records, most recent first, with what became of them. For one
    province: the devices of its accounts only."""
    query = select(Device).order_by(Device.last_seen_at.desc()).limit(MAX_DEVICES)
    if province is not None:
        query = query.where(Device.user_id.in_(select(User.id).where(User.province_code == province)))
    devices = list(db.session.execute(query).scalars())
    names = {
        u.id: u.username
        for u in db.session.execute(
            select(User.id, User.username).where(User.id.in_({d.user_id for d in devices if d.user_id}))
        )
    }
    rows = {d.id: DeviceQuality(d, names.get(d.user_id, "") if d.user_id else "") for d in devices}
    ids = list(rows)
    if not ids:
        return []
    for device_id, records, late in db.session.execute(
        select(SyncRecord.device_id, func.count(), func.sum(case((_late(), 1), else_=0)))
        .where(SyncRecord.device_id.in_(ids))
        .group_by(SyncRecord.device_id)
    ):
        rows[device_id].records, rows[device_id].late = records, int(late or 0)
    for model in FIGURE_MODELS.values():
        waiting = (
            func.sum(case((model.session_id.is_not(None) & model.commune_code.is_(None), 1), else_=0))
            if model in LINKED_MODELS
            else func.sum(literal_column("0", Integer))
        )
        for device_id, quarantined, voided, not_allowed, still_waiting in db.session.execute(
            select(
                SyncRecord.device_id,
                _bit(model.hold, HOLD_QUARANTINED),
                _bit(model.hold, HOLD_VOIDED | HOLD_SESSION_VOIDED),
                _bit(model.hold, HOLD_NOT_ALLOWED),
                waiting,
            )
            .join(SyncRecord, SyncRecord.id == model.id)
            .where(SyncRecord.device_id.in_(ids))
            .group_by(SyncRecord.device_id)
        ):
            row = rows[device_id]
            row.quarantined += int(quarantined or 0)
            row.voided += int(voided or 0)
            row.not_allowed += int(not_allowed or 0)
            row.waiting += int(still_waiting or 0)
    for device_id, receipt in provenance.receipts(ids).items():
        rows[device_id].gaps, rows[device_id].received_through = receipt.gaps, receipt.received_through
    return list(rows.values())


def summary(quality: list[DeviceQuality]) -> dict:
    return {
        "devices": len(quality),
        "records": sum(q.records for q in quality),
        "waiting": sum(q.waiting for q in quality),
        "late": sum(q.late for q in quality),
        "quarantined": sum(q.quarantined for q in quality),
        "voided": sum(q.voided for q in quality),
        "not_allowed": sum(q.not_allowed for q in quality),
        "rejected": sum(q.device.rejected for q in quality),
        "with_gaps": sum(1 for q in quality if q.gaps),
    }


def web_clients(limit: int = 20) -> list[dict]:
    """Online scans per anonymous web client (hashed with a daily salt), most first."""
    rows = db.session.execute(
        select(LeafletScan.client_hash, func.count(), func.max(LeafletScan.scanned_at))
        .where(LeafletScan.client_hash.is_not(None))
        .group_by(LeafletScan.client_hash)
        .order_by(func.count().desc())
        .limit(limit)
    )
    return [
        {"device": provenance.web_device(client or ""), "scans": count, "last": last}
        for client, count, last in rows
    ]


# -- the records of one device ---------------------------------------------------------------------


@dataclass
class RecordLine:
    id: str
    type: str
    seq: int | None
    created_at: dt.datetime
    received_at: dt.datetime
    what: str
    state: str  # counts | waiting | voided | quarantined | not_allowed | amendment
    problem: str | None


def _state(hold: int | None, waiting: bool) -> str:
    if hold is None:
        return "amendment"
    if hold & (HOLD_VOIDED | HOLD_SESSION_VOIDED):
        return "voided"
    if hold & HOLD_QUARANTINED:
        return "quarantined"
    if hold & HOLD_NOT_ALLOWED:
        return "not_allowed"
    return "waiting" if waiting else "counts"


def device_records(device_id: str, names: Mapping[str, str] | None = None) -> list[RecordLine]:
    """The latest records of a device, newest first, with what each says and its state."""
    ledger = list(
        db.session.execute(
            select(SyncRecord)
            .where(SyncRecord.device_id == device_id)
            .order_by(SyncRecord.received_at.desc(), SyncRecord.seq.desc())
            .limit(MAX_RECORDS)
        ).scalars()
    )
    by_type: dict[str, list[str]] = {}
    for r in ledger:
        by_type.setdefault(r.type, []).append(r.id)
    details: dict[str, tuple[str, int | None, bool]] = {}
    for kind, ids in by_type.items():
        if kind in FIGURE_MODELS:
            for row in db.session.execute(
                select(FIGURE_MODELS[kind]).where(FIGURE_MODELS[kind].id.in_(ids))
            ).scalars():
                details[row.id] = _describe(kind, row, names or {})
        else:
            for amendment in db.session.execute(select(Amendment).where(Amendment.id.in_(ids))).scalars():
                changes = json.loads(amendment.changes or "{}")
                what = ", ".join(f"{k} → {v}" for k, v in changes.items()) or amendment.reason
                details[amendment.id] = (f"{amendment.target_id[:8]}…: {what}", None, False)
    lines = []
    for r in ledger:
        what, hold, waiting = details.get(r.id, ("", None, False))
        lines.append(
            RecordLine(
                r.id, r.type, r.seq, r.created_at, r.received_at, what, _state(hold, waiting), r.problem
            )
        )
    return lines


def _describe(kind: str, row, names: Mapping[str, str]) -> tuple[str, int, bool]:
    """What a record was, for a person; `names` gives quizzes' titles and languages' names."""
    if kind == "session":
        return (f"{communes.commune_name(row.commune_code)}, {row.place}", row.hold, False)
    if kind == "attendance":
        return (f"{row.count} ({row.women} / {row.ethnic_minority})", row.hold, row.commune_code is None)
    if kind == "quiz_response":
        waiting = row.session_id is not None and row.commune_code is None
        quiz, lang = names.get(row.quiz_id, row.quiz_id), names.get(row.lang, row.lang)
        return (f"{quiz} ({lang}) {row.correct}/{row.total}", row.hold, waiting)
    if kind == "quiz_tally":
        quiz, lang = names.get(row.quiz_id, row.quiz_id), names.get(row.lang, row.lang)
        phase = f", {row.phase}" if row.phase else ""
        counts = ", ".join(f"{option}: {n}" for option, n in json.loads(row.counts).items())
        return (f"{quiz} ({lang}{phase}) {row.question_id}: {counts}", row.hold, row.commune_code is None)
    if kind == "broadcast":
        lang = names.get(row.lang, row.lang)
        return (f"{row.station} ({lang}) {row.minutes} × {row.repeats}", row.hold, False)
    if kind == "complaint":
        return (f"{row.goods} ({row.status})", row.hold, False)
    if kind == "activity":
        return (f"{row.kind} {row.count} ({communes.commune_name(row.commune_code)})", row.hold, False)
    return (row.code, row.hold, False)
