"""Sync protocol version 1: store a batch of records made offline, each exactly once, and say
what happened to every one of them.

    ingest(records, actor, content) -> SyncResult(accepted, duplicates, conflicts, rejected)

Idempotent on record id: the ledger table `sync_records` holds one row per id, ever, with a
fingerprint of the record's content. The same id with the same fingerprint is a duplicate (the
phone may forget it); with another fingerprint a conflict (the server keeps the first). A
batch is stored in one transaction; if another request stores one of its ids at the same
moment, the transaction is retried and those ids come back as duplicates.

Records may arrive in any order. Attendance, answers and show-of-hands tallies before their
session wait for it and are checked when it arrives: a line whose session is in a commune its
author may not record in never counts, and its phone is told at its next sync ("attention"). A
resident's answer joins a session only with the key the session QR code carries, close to the
session's time.
Corrections and voids wait for their target the same way (amendments.py). Reading one record
is in sync_parse.py; devices, sequences and quarantine in provenance.py; what a tally may not
exceed in quiz_tallies.py.

No function here needs a request: the HTTP view, `loa sync import` and the tests call them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from flask import current_app
from sqlalchemy import Table, func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase

from . import amendments, communes, complaints, provenance, quiz_tallies
from .content import Content
from .devices import RESIDENT, Actor
from .extensions import db
from .models import (
    HOLD_NOT_ALLOWED,
    HOLD_QUARANTINED,
    HOLD_SESSION_VOIDED,
    HOLD_VOIDED,
    ORGANISER,
    RECORD_MODELS,
    Amendment,
    Attendance,
    ComplaintStep,
    Device,
    Leaflet,
    QuizResponse,
    QuizTally,
    SyncRecord,
    User,
    UserCommune,
    VillageSession,
    utcnow,
)
from .sync_parse import (
    AMENDMENT_TYPES,
    MAX_ATTENDANCE,
    MAX_TEXT,
    PROTOCOL_VERSION,
    RECORD_TYPES,
    EnvelopeError,
    Parsed,
    RecordInvalid,
    Rules,
    parse_envelope,
    parse_record,
    parse_uuid,
    record_id_of,
    seq_of,
)

__all__ = [
    "MAX_ATTENDANCE",
    "MAX_TEXT",
    "PROTOCOL_VERSION",
    "RECORD_TYPES",
    "EnvelopeError",
    "RecordInvalid",
    "SyncResult",
    "ingest",
    "parse_envelope",
    "parse_uuid",
]
RETRIES = 5
RETRY_STATES = ("40P01", "40001")  # deadlock detected, serialization failure


@dataclass
class SyncResult:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    device: dict | None = None
    attention: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        answer: dict = {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
        }
        if self.device is not None:
            answer["device"] = self.device
            answer["attention"] = self.attention
        return answer

    def reject(self, record_id: str | None, exc: RecordInvalid, **extra) -> None:
        self.rejected.append({"id": record_id, **extra, **exc.as_dict()})


# -- sessions and what points at them ------------------------------------------------------------


@dataclass(frozen=True)
class SessionInfo:
    id: str
    commune_code: int
    province_code: int
    starts_at: dt.datetime
    created_at: dt.datetime
    qr_key_hash: str | None
    hold: int


SESSION_COLUMNS = (
    VillageSession.id,
    VillageSession.commune_code,
    VillageSession.province_code,
    VillageSession.starts_at,
    VillageSession.created_at,
    VillageSession.qr_key_hash,
    VillageSession.hold,
)


def _known_sessions(ids: set[str], batch_sessions: list[dict]) -> dict[str, SessionInfo]:
    sessions = {
        r["id"]: SessionInfo(
            r["id"],
            r["commune_code"],
            r["province_code"],
            r["starts_at"],
            r["created_at"],
            r["qr_key_hash"],
            r["hold"],
        )
        for r in batch_sessions
    }
    wanted = sorted(ids - sessions.keys())
    for start in range(0, len(wanted), 500):
        found = db.session.execute(
            select(*SESSION_COLUMNS).where(VillageSession.id.in_(wanted[start : start + 500]))
        )
        sessions.update({row.id: SessionInfo(*row) for row in found})
    return sessions


class Admission:
    """Whether a line or answer joins its session: checks that do not depend on arrival order."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.resident_joined: set[tuple] = set()  # (token, session, quiz, phase) joined in this batch

    def _resident_already_joined(self, token_id: int | None, row: dict, session: SessionInfo) -> bool:
        key = (token_id, session.id, row["quiz_id"], row["phase"])
        if key in self.resident_joined:
            return True
        self.resident_joined.add(key)
        if token_id is None:
            return False
        earlier = db.session.execute(
            select(func.count())
            .select_from(QuizResponse)
            .join(SyncRecord, SyncRecord.id == QuizResponse.id)
            .where(
                QuizResponse.session_id == session.id,
                QuizResponse.quiz_id == row["quiz_id"],
                QuizResponse.phase == row["phase"],
                QuizResponse.commune_code.is_not(None),
                QuizResponse.id != row["id"],
                SyncRecord.token_id == token_id,
            )
        ).scalar()
        return bool(earlier)

    def decide(self, kind: str, row: dict, author: Actor, session: SessionInfo) -> bool:
        """True: joins the session. False: a resident's answer stays anonymous. RecordInvalid:
        its author may not add to this session."""
        if kind == "quiz_response" and author.role == RESIDENT:
            return (
                row["session_key_hash"] is not None
                and row["session_key_hash"] == session.qr_key_hash
                and abs(row["created_at"] - session.starts_at) <= self.rules.answer_window
                and not self._resident_already_joined(author.token_id, row, session)
            )
        if not author.may_record_in(session.commune_code):
            raise RecordInvalid(
                f"session {session.id} is in commune {communes.commune_name(session.commune_code)} "
                f"({session.commune_code}), "
                "which is not one of your communes",
                "commune_not_yours",
                session_id=session.id,
                commune_code=session.commune_code,
            )
        if row["created_at"] < session.created_at - self.rules.skew:
            raise RecordInvalid(
                f"this {kind.replace('_', ' ')} was made before its session was recorded; "
                "check the phone's date and time",
                "before_session",
                session_id=session.id,
            )
        return True


# What points at a session: waits for it, joins it, and is decided by the same rules.
LINKED_TYPES = ("attendance", "quiz_response", "quiz_tally")


def _join(kind: str, row: dict, session: SessionInfo) -> None:
    row["commune_code"], row["province_code"] = session.commune_code, session.province_code
    if kind == "attendance":
        row["session_starts_at"] = session.starts_at
    if session.hold & HOLD_VOIDED:
        row["hold"] |= HOLD_SESSION_VOIDED


def _detach(row: dict) -> None:
    """A resident's answer that may not join its session: an anonymous survey answer."""
    row["session_id"] = None
    row["phase"] = None


def _fill_from_sessions(
    rows_by_type: dict[str, list[dict]], actor: Actor, admission: Admission, result: SyncResult
) -> None:
    """Attendance, answers and tallies whose session is already known (stored earlier or in this
    batch) join it now, or are rejected with the reason while their phone is here to hear it."""
    linked = [r for kind in LINKED_TYPES for r in rows_by_type[kind] if r["session_id"]]
    if not linked:
        return
    sessions = _known_sessions({r["session_id"] for r in linked}, rows_by_type["session"])
    for kind in LINKED_TYPES:
        kept = []
        for row in rows_by_type[kind]:
            session = sessions.get(row.get("session_id") or "")
            if session is not None:
                try:
                    joins = admission.decide(kind, row, actor, session)
                except RecordInvalid as exc:
                    result.reject(row["id"], exc)
                    continue
                if joins:
                    _join(kind, row, session)
                else:
                    _detach(row)
            kept.append(row)
        rows_by_type[kind] = kept


def _fill_from_leaflets(rows: list[dict], rules: Rules, result: SyncResult) -> list[dict]:
    if not rows:
        return rows
    codes = {r["code"] for r in rows}
    leaflets = {
        row.code: row
        for row in db.session.execute(
            select(Leaflet.code, Leaflet.commune_code, Leaflet.province_code, Leaflet.created_at).where(
                Leaflet.code.in_(codes)
            )
        )
    }
    kept = []
    for row in rows:
        leaflet = leaflets.get(row["code"])
        if leaflet is None:
            result.reject(
                row["id"],
                RecordInvalid(
                    f"unknown leaflet code '{row['code']}'", "unknown_leaflet", leaflet=row["code"]
                ),
            )
            continue
        if row["scanned_at"] < leaflet.created_at - rules.skew:
            result.reject(
                row["id"],
                RecordInvalid(
                    f"scanned_at is before leaflet {row['code']} was printed",
                    "before_leaflet",
                    leaflet=row["code"],
                ),
            )
            continue
        row["commune_code"], row["province_code"] = leaflet.commune_code, leaflet.province_code
        kept.append(row)
    return kept


def _authors(user_ids: set[int]) -> dict[int, Actor]:
    """Actors for the senders of stored records (their role and communes as they are now)."""
    if not user_ids:
        return {}
    users = db.session.execute(
        select(User.id, User.role, User.username, User.province_code).where(User.id.in_(user_ids))
    ).all()
    communes_of: dict[int, set[int]] = {}
    for user_id, code in db.session.execute(
        select(UserCommune.user_id, UserCommune.commune_code).where(UserCommune.user_id.in_(user_ids))
    ):
        communes_of.setdefault(user_id, set()).add(code)
    return {
        u.id: Actor(
            None,
            u.role,
            u.id,
            u.username,
            frozenset(communes_of.get(u.id, ())),
            None,
            province_code=u.province_code,
        )
        for u in users
    }


# What points at a session (typed loosely: the models share the columns used here).
LINKED: tuple[tuple[str, Any], ...] = (
    ("attendance", Attendance),
    ("quiz_response", QuizResponse),
    ("quiz_tally", QuizTally),
)
IMPORTED = Actor(None, ORGANISER, None, None, frozenset(), None)  # a record with no sender account


def _attach_late_sessions(session_rows: list[dict], admission: Admission) -> None:
    """Attendance, answers and tallies that arrived before their session are decided now, by
    the same rules as if the session had come first. Lines their author may not add are held
    out of the figures and their phone is told at its next sync. One query per table finds them
    (usually none)."""
    if not session_rows:
        return
    sessions = _known_sessions(set(), session_rows)
    for kind, model in LINKED:
        waiting = db.session.execute(
            select(model, SyncRecord.user_id, SyncRecord.token_id)
            .join(SyncRecord, SyncRecord.id == model.id)
            .where(model.session_id.in_(sessions), model.commune_code.is_(None))
        ).all()
        if not waiting:
            continue
        authors = _authors({user_id for _, user_id, _ in waiting if user_id is not None})
        refused: dict[str, RecordInvalid] = {}
        for row, user_id, token_id in waiting:
            if user_id is not None:
                author = authors.get(user_id) or Actor(token_id, "staff", user_id, None, frozenset(), None)
            elif token_id is not None:
                author = Actor(token_id, RESIDENT, None, None, frozenset(), None)
            else:
                author = IMPORTED
            session = sessions[row.session_id]
            values = {c: getattr(row, c) for c in ("id", "created_at", "hold")}
            values.update(session_id=row.session_id, commune_code=None, province_code=None)
            if kind == "quiz_response":
                values.update(quiz_id=row.quiz_id, phase=row.phase, session_key_hash=row.session_key_hash)
            try:
                joins = admission.decide(kind, values, author, session)
            except RecordInvalid as not_allowed:
                refused[row.id] = not_allowed
                values["hold"] |= HOLD_NOT_ALLOWED
                joins = True
            if joins:
                _join(kind, values, session)
            else:
                _detach(values)
            changes = {k: v for k, v in values.items() if k not in ("id", "created_at", "session_key_hash")}
            if kind == "quiz_response":
                changes.pop("quiz_id")
            else:
                changes.pop("session_id")
            db.session.execute(update(model).where(model.id == row.id).values(**changes))
        for record_id, reason in refused.items():
            provenance.flag_problem([record_id], reason.code, str(reason), **reason.params)


def _table(model: type[DeclarativeBase]) -> Table:
    """A model's Table, for Core inserts (`__table__` is typed as any FromClause)."""
    return cast(Table, model.__table__)


def _turn_keys(parsed: list[Parsed], device_id: str | None) -> list[str]:
    """What a batch takes turns on: every session it writes or points at, every record its
    corrections and voids point at, and its device."""
    keys = {p.id for p in parsed if p.type == "session"}
    keys.update(p.row["session_id"] for p in parsed if p.type in LINKED_TYPES and p.row.get("session_id"))
    keys.update(p.row["target_id"] for p in parsed if p.type in AMENDMENT_TYPES)
    keys.update(p.row["complaint_id"] for p in parsed if p.type == "complaint_step")
    keys.update(p.id for p in parsed if p.type == "complaint")
    if device_id:
        keys.add(provenance.device_key(device_id))
    return sorted(keys)


def _check_amendments(parsed: list[Parsed], actor: Actor, result: SyncResult) -> list[Parsed]:
    """Corrections and voids whose target is already known are checked now (the phone hears
    why at once); the others wait for their target."""
    wanted = [p for p in parsed if p.type in AMENDMENT_TYPES]
    if not wanted:
        return parsed
    in_batch = {p.id: amendments.Target(p.id, p.type, actor.user_id) for p in parsed}
    known = amendments.targets(p.row["target_id"] for p in wanted)
    kept = []
    for p in parsed:
        if p.type in AMENDMENT_TYPES:
            target = known.get(p.row["target_id"]) or in_batch.get(p.row["target_id"])
            if target is not None:
                try:
                    changes = json.loads(p.row["changes"])
                    amendments.check(p.type, changes, actor.user_id, actor.role, target)
                    if p.type == "correction" and target.id in known:
                        amendments.check_figures(target, changes)
                except RecordInvalid as exc:
                    result.reject(p.id, exc)
                    continue
        kept.append(p)
    return kept


def _store_once(
    parsed: list[Parsed],
    actor: Actor,
    device_id: str | None,
    rules: Rules,
    received_at: dt.datetime,
    result: SyncResult,
    seqs: list[int],
    charge: Callable[[Counter[str]], None] | None,
) -> None:
    """One transaction: sort out duplicates and conflicts against the ledger, insert the rest."""
    provenance.take_turns(_turn_keys(parsed, device_id))
    existing: dict[str, str] = {}
    ids = [p.id for p in parsed]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found = db.session.execute(
            select(SyncRecord.id, SyncRecord.fingerprint).where(SyncRecord.id.in_(chunk))
        )
        existing.update((row.id, row.fingerprint) for row in found)
    fresh: list[Parsed] = []
    for p in parsed:
        if p.id in existing:
            if existing[p.id] == p.fingerprint:
                result.duplicates.append(p.id)
            else:
                result.conflicts.append(
                    {
                        "id": p.id,
                        "error": "a different record with this id was stored earlier; the server kept the first one",
                        "code": "conflict",
                        "params": {},
                    }
                )
        else:
            fresh.append(p)
    fresh = _check_amendments(fresh, actor, result)
    quarantined = bool(
        device_id and db.session.execute(select(Device.quarantined_at).where(Device.id == device_id)).scalar()
    )
    rows_by_type: dict[str, list[dict]] = {kind: [] for kind in RECORD_TYPES}
    for p in fresh:
        row = dict(p.row, id=p.id, created_at=p.created_at, received_at=received_at)
        if p.type == "session":
            row.update(user_id=actor.user_id, device_id=device_id)
        rows_by_type[p.type].append(row)
    admission = Admission(rules)
    _fill_from_sessions(rows_by_type, actor, admission, result)
    rows_by_type["quiz_tally"] = quiz_tallies.within_attendance(
        rows_by_type["quiz_tally"], rows_by_type["attendance"], result.reject
    )
    rows_by_type["leaflet_scan"] = _fill_from_leaflets(rows_by_type["leaflet_scan"], rules, result)
    if quarantined:
        for row in rows_by_type["complaint_step"]:
            result.reject(
                row["id"], RecordInvalid("this phone is quarantined by an organiser", "device_quarantined")
            )
        rows_by_type["complaint_step"] = []
    rows_by_type["complaint_step"], moved = complaints.admit_steps(
        rows_by_type["complaint_step"], rows_by_type["complaint"], actor, result.reject
    )
    stored = {row["id"] for rows in rows_by_type.values() for row in rows}
    if quarantined:
        for kind in MODELS:
            for row in rows_by_type[kind]:
                row["hold"] |= HOLD_QUARANTINED
    ledger = [
        {
            "id": p.id,
            "type": p.type,
            "fingerprint": p.fingerprint,
            "device_id": device_id,
            "token_id": actor.token_id,
            "user_id": actor.user_id,
            "created_at": p.created_at,
            "received_at": received_at,
            "seq": p.seq,
        }
        for p in fresh
        if p.id in stored
    ]
    # Core executemany inserts: the ORM's per-object machinery is not needed for new rows.
    if ledger:
        db.session.execute(_table(SyncRecord).insert(), ledger)
    for kind, model in MODELS.items():
        if rows_by_type[kind]:
            db.session.execute(_table(model).insert(), rows_by_type[kind])
    if rows_by_type["complaint_step"]:
        db.session.execute(_table(ComplaintStep).insert(), rows_by_type["complaint_step"])
        complaints.apply_moves(moved)
    amendment_rows = amendments.rows_for(
        [p for p in fresh if p.type in AMENDMENT_TYPES and p.id in stored],
        actor.user_id,
        device_id,
        received_at,
    )
    if amendment_rows:
        db.session.execute(_table(Amendment).insert(), amendment_rows)
    _attach_late_sessions(rows_by_type["session"], admission)
    result.accepted.extend(p.id for p in fresh if p.id in stored)
    if device_id:
        provenance.note_seqs(device_id, seqs)
        provenance.seen(device_id, actor.role, actor.user_id, actor.token_id, len(result.rejected))
    if charge is not None:
        charge(Counter(p.type for p in fresh if p.id in stored))


MODELS = RECORD_MODELS


def ingest(
    records: list,
    actor: Actor,
    content: Content,
    device_id: str | None = None,
    received_at: dt.datetime | None = None,
    charge: Callable[[Counter[str]], None] | None = None,
    rules: Rules | None = None,
) -> SyncResult:
    """Validate and store a batch; every record ends up in exactly one list of the result.

    `charge(counts)` is called inside the storing transaction with the number of records about
    to be accepted, by type; if it raises (a quota is used up), nothing is stored and the exception
    propagates."""
    received_at = received_at or utcnow()
    rules = rules or Rules.from_config(current_app.config, received_at)
    parsed: list[Parsed] = []
    invalid = SyncResult()
    seen: dict[str, str] = {}
    in_batch_duplicates: list[str] = []
    in_batch_conflicts: list[dict] = []
    seqs = [s for r in records if (s := seq_of(r)) is not None]
    for index, record in enumerate(records):
        try:
            p = parse_record(record, actor, content, rules)
        except RecordInvalid as exc:
            invalid.reject(record_id_of(record), exc, index=index)
            continue
        if p.id in seen:  # the same id twice in one batch
            if seen[p.id] == p.fingerprint:
                in_batch_duplicates.append(p.id)
            else:
                in_batch_conflicts.append(
                    {
                        "id": p.id,
                        "error": "this id appears twice in the batch with different content; the first was kept",
                        "code": "conflict_in_batch",
                        "params": {},
                    }
                )
            continue
        seen[p.id] = p.fingerprint
        parsed.append(p)
    for attempt in range(RETRIES):
        result = SyncResult(rejected=list(invalid.rejected))
        try:
            _store_once(parsed, actor, device_id, rules, received_at, result, seqs, charge)
            db.session.commit()
            break
        except IntegrityError:
            # Another request stored some of these ids just now: try again, they will be duplicates.
            db.session.rollback()
            if attempt == RETRIES - 1:
                raise
        except OperationalError as exc:
            # PostgreSQL broke a deadlock by failing this request: two batches adding to the same
            # communes' daily figures in opposite orders. Nothing of it was stored; try again.
            db.session.rollback()
            if getattr(exc.orig, "sqlstate", None) not in RETRY_STATES or attempt == RETRIES - 1:
                raise
        except BaseException:
            db.session.rollback()
            raise
    result.duplicates.extend(in_batch_duplicates)
    result.conflicts.extend(in_batch_conflicts)
    amendments.apply_waiting(p.id for p in parsed)
    if device_id:
        result.device = provenance.receipt(device_id).as_dict()
        result.attention = provenance.attention(device_id)
        db.session.rollback()  # end the read transaction
    return result
