"""Where records came from: devices, the sequence numbers they sent, what they are told needs
attention, and the quarantine that holds everything one device sent out of the figures.

Every record stored through sync keeps its device and token in the ledger (`sync_records`); an
online leaflet scan keeps its client, hashed with the day's salt, as device "web:<hash>".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, bindparam, func, select, update
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.types import Text

from . import audit
from .extensions import db
from .models import (
    HOLD_QUARANTINED,
    RECORD_MODELS,
    Device,
    DeviceSeq,
    LeafletScan,
    SyncRecord,
    utcnow,
)

HELD_MODELS = tuple(RECORD_MODELS.values())
WEB_PREFIX = "web:"
MAX_GAPS = 100  # ranges listed in a sync answer
MAX_ATTENTION = 200

# PostgreSQL: one transaction-scoped advisory lock per key, taken in hash order in one statement,
# so that two requests never wait for each other crosswise.
PG_LOCKS = sql(
    "SELECT pg_advisory_xact_lock(h) FROM "
    "(SELECT DISTINCT hashtextextended('loa:' || k, 0) AS h FROM unnest(:keys) AS k ORDER BY h) AS s"
).bindparams(bindparam("keys", type_=ARRAY(Text)))


def dialect() -> str:
    return db.session.get_bind().dialect.name


def take_turns(keys: Iterable[str]) -> None:
    """Requests touching the same keys (a session and what points at it, a device) take turns
    until they commit, so the later one always sees what the earlier one stored. PostgreSQL
    takes an advisory lock per key; SQLite has one writer anyway, so the transaction takes the
    write lock before it reads anything (a write that changes no row)."""
    keys = sorted(set(keys))
    if not keys:
        return
    if dialect() == "postgresql":
        db.session.execute(PG_LOCKS, {"keys": keys})
    else:
        db.session.execute(sql("UPDATE sync_records SET id = id WHERE 0"))


def device_key(device_id: str) -> str:
    return f"device:{device_id}"


def insert_ignoring_duplicates(model, rows: list[dict]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on both engines; how many rows were inserted (for a
    single row: 1 or 0)."""
    if not rows:
        return 0
    insert = pg_insert if dialect() == "postgresql" else sqlite_insert
    result = db.session.execute(insert(model.__table__).on_conflict_do_nothing(), rows)
    return int(result.rowcount)  # type: ignore[attr-defined]


# -- devices ---------------------------------------------------------------------------------


def seen(device_id: str, kind: str, user_id: int | None, token_id: int | None, rejected: int) -> bool:
    """Note that a device sent a batch (inside the sync's transaction, under its device turn);
    True when the device is quarantined, so what it sends now is held too."""
    now = utcnow()
    insert_ignoring_duplicates(
        Device,
        [
            {
                "id": device_id,
                "kind": kind,
                "user_id": user_id,
                "token_id": token_id,
                "first_seen_at": now,
                "last_seen_at": now,
                "rejected": 0,
                "quarantine_reason": "",
            }
        ],
    )
    db.session.execute(
        update(Device)
        .where(Device.id == device_id)
        .values(
            last_seen_at=now,
            user_id=user_id,
            token_id=token_id,
            kind=kind,
            rejected=Device.rejected + rejected,
        )
    )
    return (
        db.session.execute(select(Device.quarantined_at).where(Device.id == device_id)).scalar() is not None
    )


def note_seqs(device_id: str, seqs: Iterable[int]) -> None:
    insert_ignoring_duplicates(DeviceSeq, [{"device_id": device_id, "seq": s} for s in sorted(set(seqs))])


@dataclass(frozen=True)
class Receipt:
    received_through: int
    gaps: list[list[int]]
    highest: int

    def as_dict(self) -> dict:
        return {"received_through": self.received_through, "gaps": self.gaps}


def receipts(device_ids: Iterable[str]) -> dict[str, Receipt]:
    """What the server holds of each device's sequence: 1..received_through all arrived; gaps
    are the ranges missing below the highest number received. Two queries for any number of
    devices (the data quality page lists hundreds)."""
    ids = sorted(set(device_ids))
    if not ids:
        return {}
    bounds = {
        device: (first, highest)
        for device, first, highest in db.session.execute(
            select(DeviceSeq.device_id, func.min(DeviceSeq.seq), func.max(DeviceSeq.seq))
            .where(DeviceSeq.device_id.in_(ids))
            .group_by(DeviceSeq.device_id)
        )
    }
    following = func.lead(DeviceSeq.seq).over(partition_by=DeviceSeq.device_id, order_by=DeviceSeq.seq)
    steps = (
        select(DeviceSeq.device_id.label("device"), DeviceSeq.seq.label("seq"), following.label("next"))
        .where(DeviceSeq.device_id.in_(ids))
        .subquery()
    )
    holes: dict[str, list[list[int]]] = {}
    for device, seq, next_seq in db.session.execute(
        select(steps.c.device, steps.c.seq, steps.c.next)
        .where(steps.c.next.is_not(None), steps.c.next > steps.c.seq + 1)
        .order_by(steps.c.device, steps.c.seq)
    ):
        holes.setdefault(device, []).append([seq + 1, next_seq - 1])
    found = {}
    for device in ids:
        first, highest = bounds.get(device, (None, 0))
        if first is None:
            found[device] = Receipt(0, [], 0)
            continue
        gaps = ([[1, first - 1]] if first > 1 else []) + holes.get(device, [])
        received_through = 0 if first > 1 else (gaps[0][0] - 1 if gaps else highest)
        found[device] = Receipt(received_through, gaps[:MAX_GAPS], highest)
    return found


def receipt(device_id: str) -> Receipt:
    return receipts([device_id])[device_id]


def attention(device_id: str) -> list[dict]:
    """Records this device sent that were accepted but no longer count, with the reason."""
    rows = db.session.execute(
        select(SyncRecord.id, SyncRecord.problem, SyncRecord.problem_params)
        .where(SyncRecord.device_id == device_id, SyncRecord.problem.is_not(None))
        .order_by(SyncRecord.received_at, SyncRecord.id)
        .limit(MAX_ATTENTION)
    )
    items = []
    for record_id, code, params in rows:
        decoded = json.loads(params or "{}")
        items.append({"id": record_id, "code": code, "params": decoded, "error": decoded.get("error", code)})
    return items


def flag_problem(record_ids: Iterable[str], code: str, error: str, **params) -> None:
    """Tell the phones that sent these records, at their next sync, that they no longer count."""
    ids = list(record_ids)
    if ids:
        db.session.execute(
            update(SyncRecord)
            .where(SyncRecord.id.in_(ids))
            .values(problem=code, problem_params=json.dumps({**params, "error": error}, ensure_ascii=False))
        )


# -- quarantine ------------------------------------------------------------------------------


def _set_hold(device_id: str, held: bool) -> None:
    for model in HELD_MODELS:
        target: ColumnElement[bool]
        if device_id.startswith(WEB_PREFIX) and model is LeafletScan:
            target = LeafletScan.client_hash.startswith(device_id[len(WEB_PREFIX) :])
        elif device_id.startswith(WEB_PREFIX):
            continue
        else:
            target = model.id.in_(select(SyncRecord.id).where(SyncRecord.device_id == device_id))
        with_bit = model.hold.op("|")(HOLD_QUARANTINED)
        value = with_bit if held else with_bit - HOLD_QUARANTINED
        db.session.execute(update(model).where(target).values(hold=value))


def quarantine(device_id: str, reason: str, by_user: int | None) -> bool:
    """Hold everything a device sent (and will send) out of the figures; kept and reversible.
    False when there is no such device."""
    take_turns([device_key(device_id)])
    device = db.session.get(Device, device_id)
    if device is None and device_id.startswith(WEB_PREFIX):  # an online client: no row until now
        device = Device(id=device_id, kind="web", rejected=0, quarantine_reason="")
        db.session.add(device)
    if device is None:
        db.session.rollback()
        return False
    device.quarantined_at = utcnow()
    device.quarantine_reason = reason[:300]
    device.quarantined_by = by_user
    _set_hold(device_id, True)
    _audit_device(audit.DEVICE_QUARANTINED, device, reason=reason[:300])
    db.session.commit()
    return True


def _audit_device(action: str, device: Device, **detail) -> None:
    from .models import User

    owner = db.session.get(User, device.user_id) if device.user_id else None
    audit.record(
        action, f"device:{device.id}", province_code=owner.province_code if owner else None, **detail
    )


def release(device_id: str) -> bool:
    take_turns([device_key(device_id)])
    device = db.session.get(Device, device_id)
    if device is None or device.quarantined_at is None:
        db.session.rollback()
        return False
    device.quarantined_at = None
    device.quarantine_reason = ""
    device.quarantined_by = None
    _set_hold(device_id, False)
    _audit_device(audit.DEVICE_RELEASED, device)
    db.session.commit()
    return True


def web_device(client_hash: str) -> str:
    return WEB_PREFIX + client_hash[:16]


def known_device(device_id: str) -> Device | None:
    return db.session.get(Device, device_id)
