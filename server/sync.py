"""Sync protocol version 1: validate a batch of records made offline, store each exactly once,
and say what happened to every one of them.

    ingest(records, actor, content) -> SyncResult(accepted, duplicates, conflicts, rejected)

Idempotent on record id: the ledger table `sync_records` holds one row per id, ever, with a
fingerprint of the record's content. The same id with the same fingerprint is a duplicate (the
phone may forget it); with another fingerprint a conflict (the server keeps the first). A
batch is stored in one transaction; if another request stores one of its ids at the same
moment, the transaction is retried and those ids come back as duplicates. Records may arrive
in any order: attendance before its session gets its commune when the session arrives.

No function here needs a request: the HTTP view, `loa sync import` and the tests call them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import Text

from . import communes
from .content import Content, score
from .devices import RESIDENT, Actor
from .extensions import db
from .leaflets.codes import normalize_code
from .models import Attendance, Leaflet, LeafletScan, QuizResponse, SyncRecord, VillageSession, utcnow

PROTOCOL_VERSION = 1
RECORD_TYPES = ("session", "attendance", "quiz_response", "leaflet_scan")
RESIDENT_TYPES = ("quiz_response", "leaflet_scan")
PHASES = ("pre", "post", None)
MAX_ATTENDANCE = 1000
MAX_TEXT = {"place": 200, "facilitator": 120}
RETRIES = 3


class EnvelopeError(ValueError):
    """The request as a whole is malformed (HTTP 400)."""


class RecordInvalid(ValueError):
    """One record is invalid; the message tells a person what to fix."""


@dataclass
class SyncResult:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
        }


# -- parsing ----------------------------------------------------------------------------------

CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def parse_uuid(value, name: str) -> str:
    if not isinstance(value, str):
        raise RecordInvalid(f"{name} must be a UUID string, found {type(value).__name__}")
    if CANONICAL_UUID.fullmatch(value):  # what phones send: skip the slower general parse
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise RecordInvalid(f"{name} '{value[:60]}' is not a UUID") from None


def parse_time(value, name: str) -> dt.datetime:
    """RFC 3339 with an offset -> naive UTC."""
    if not isinstance(value, str):
        raise RecordInvalid(f"{name} must be an RFC 3339 time like 2026-03-15T08:30:00+07:00")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RecordInvalid(
            f"{name} '{value[:40]}' is not an RFC 3339 time like 2026-03-15T08:30:00+07:00"
        ) from None
    if parsed.tzinfo is None:
        raise RecordInvalid(f"{name} '{value[:40]}' needs a time zone offset, e.g. +07:00")
    return parsed.astimezone(dt.UTC).replace(tzinfo=None)


def whole_number(data: dict, name: str, low: int, high: int) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordInvalid(f"{name} must be a whole number from {low} to {high}, found {json.dumps(value)}")
    if not low <= value <= high:
        raise RecordInvalid(f"{name} must be from {low} to {high}, found {value}")
    return value


def text(data: dict, name: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordInvalid(f"{name} must be text")
    if len(value) > MAX_TEXT[name]:
        raise RecordInvalid(f"{name} is {len(value)} characters; at most {MAX_TEXT[name]}")
    return value.strip()


def parse_envelope(payload) -> tuple[str | None, list]:
    """(device_id, records) from a decoded JSON body, or EnvelopeError."""
    if not isinstance(payload, dict):
        raise EnvelopeError("the body must be a JSON object with device_id and records")
    records = payload.get("records")
    if not isinstance(records, list):
        raise EnvelopeError("'records' must be a list of records")
    device_id = payload.get("device_id")
    try:
        device_id = parse_uuid(device_id, "device_id") if device_id is not None else None
    except RecordInvalid as exc:
        raise EnvelopeError(str(exc)) from None
    return device_id, records


# -- one record -------------------------------------------------------------------------------


@dataclass
class Parsed:
    id: str
    type: str
    created_at: dt.datetime
    fingerprint: str
    row: dict


def fingerprint(record: dict) -> str:
    canonical = json.dumps(
        {"type": record.get("type"), "created_at": record.get("created_at"), "data": record.get("data")},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _session(data: dict, actor: Actor, content: Content) -> dict:
    code = data.get("commune_code")
    info = communes.commune(code) if not isinstance(code, bool) else None
    if info is None:
        raise RecordInvalid(f"commune_code {json.dumps(code)} is not an official commune code")
    if not actor.may_record_in(info.code):
        raise RecordInvalid(
            f"commune {info.name} ({info.code}) is not one of your communes; "
            "ask an organiser to add it to your account"
        )
    topic_ids = data.get("topic_ids")
    known = set(content.topic_ids())
    if not isinstance(topic_ids, list) or not all(isinstance(t, str) for t in topic_ids):
        raise RecordInvalid("topic_ids must be a list of topic ids")
    unknown = [t for t in topic_ids if t not in known]
    if unknown:
        raise RecordInvalid(f"unknown topic ids {unknown}; known: {sorted(known)}")
    return {
        "commune_code": info.code,
        "province_code": info.province_code,
        "topic_ids": json.dumps(topic_ids),
        "starts_at": parse_time(data.get("starts_at"), "starts_at"),
        "place": text(data, "place"),
        "facilitator": text(data, "facilitator"),
    }


def _attendance(data: dict, _actor: Actor, _content: Content) -> dict:
    count = whole_number(data, "count", 1, MAX_ATTENDANCE)
    return {
        "session_id": parse_uuid(data.get("session_id"), "session_id"),
        "count": count,
        "women": whole_number(data, "women", 0, count),
        "ethnic_minority": whole_number(data, "ethnic_minority", 0, count),
        "commune_code": None,
        "province_code": None,
        "session_starts_at": None,
    }


def _quiz_response(data: dict, _actor: Actor, content: Content) -> dict:
    quiz_id, lang = data.get("quiz_id"), data.get("lang")
    if lang not in content.languages:
        raise RecordInvalid(f"lang {json.dumps(lang)} is not one of {sorted(content.languages)}")
    found = content.quiz(lang, quiz_id) if isinstance(quiz_id, str) else None
    if found is None:
        raise RecordInvalid(f"quiz_id {json.dumps(quiz_id)} is not a quiz; known: {content.quiz_ids()}")
    answers = data.get("answers")
    if not isinstance(answers, dict) or not answers:
        raise RecordInvalid("answers must be an object {question id: option id} with at least one answer")
    options = found.value.option_ids()
    for question, option in answers.items():
        if question not in options:
            raise RecordInvalid(f"answer to unknown question '{question}' of quiz '{quiz_id}'")
        if option not in options[question]:
            raise RecordInvalid(f"'{option}' is not an option of question '{question}'")
    phase = data.get("phase")
    if phase not in PHASES:
        raise RecordInvalid(f"phase must be 'pre', 'post' or null, found {json.dumps(phase)}")
    session_id = data.get("session_id")
    correct, total = score(found.value, answers)  # from the content, never from the phone
    return {
        "quiz_id": quiz_id,
        "lang": lang,
        "answers": json.dumps(answers, sort_keys=True),
        "session_id": parse_uuid(session_id, "session_id") if session_id is not None else None,
        "phase": phase,
        "correct": correct,
        "total": total,
        "commune_code": None,
        "province_code": None,
    }


def _leaflet_scan(data: dict, _actor: Actor, _content: Content) -> dict:
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        raise RecordInvalid("code must be the leaflet's code")
    return {
        "code": normalize_code(code)[:16],
        "scanned_at": parse_time(data.get("scanned_at"), "scanned_at"),
        "source": "offline",
    }


PARSERS = {
    "session": _session,
    "attendance": _attendance,
    "quiz_response": _quiz_response,
    "leaflet_scan": _leaflet_scan,
}
MODELS = {
    "session": VillageSession,
    "attendance": Attendance,
    "quiz_response": QuizResponse,
    "leaflet_scan": LeafletScan,
}


def parse_record(record, actor: Actor, content: Content) -> Parsed:
    if not isinstance(record, dict):
        raise RecordInvalid("a record must be an object with id, type, created_at and data")
    record_id = parse_uuid(record.get("id"), "id")
    kind = record.get("type")
    if kind not in RECORD_TYPES:
        raise RecordInvalid(f"unknown record type {json.dumps(kind)}; known: {', '.join(RECORD_TYPES)}")
    if actor.role == RESIDENT and kind not in RESIDENT_TYPES:
        raise RecordInvalid(f"a resident's phone cannot send '{kind}' records; log in as staff")
    created_at = parse_time(record.get("created_at"), "created_at")
    data = record.get("data")
    if not isinstance(data, dict):
        raise RecordInvalid("data must be an object")
    row = PARSERS[kind](data, actor, content)
    return Parsed(record_id, kind, created_at, fingerprint(record), row)


# -- a batch ----------------------------------------------------------------------------------


def _record_id_of(record) -> str | None:
    if isinstance(record, dict) and isinstance(record.get("id"), str):
        try:
            return str(uuid.UUID(record["id"]))
        except ValueError:
            return record["id"][:64]
    return None


def _fill_from_sessions(rows_by_type: dict[str, list[dict]], actor: Actor, result: SyncResult) -> None:
    """Give attendance and quiz answers their session's commune, when the session is known
    (stored earlier or in this batch). Staff may not add to another commune's session."""
    linked = rows_by_type["attendance"] + [r for r in rows_by_type["quiz_response"] if r["session_id"]]
    if not linked:
        return
    sessions = {
        r["id"]: (r["commune_code"], r["province_code"], r["starts_at"]) for r in rows_by_type["session"]
    }
    wanted = {r["session_id"] for r in linked} - sessions.keys()
    if wanted:
        found = db.session.execute(
            select(
                VillageSession.id,
                VillageSession.commune_code,
                VillageSession.province_code,
                VillageSession.starts_at,
            ).where(VillageSession.id.in_(wanted))
        )
        sessions.update({row.id: (row.commune_code, row.province_code, row.starts_at) for row in found})
    for kind in ("attendance", "quiz_response"):
        kept = []
        for row in rows_by_type[kind]:
            known = sessions.get(row.get("session_id"))
            if (
                known
                and kind == "attendance"
                and actor.role != RESIDENT
                and not actor.may_record_in(known[0])
            ):
                result.rejected.append(
                    {
                        "id": row["id"],
                        "error": f"session {row['session_id']} is in commune "
                        f"{known[0]}, which is not one of your communes",
                    }
                )
                continue
            if known:
                row["commune_code"], row["province_code"] = known[0], known[1]
                if kind == "attendance":
                    row["session_starts_at"] = known[2]
            kept.append(row)
        rows_by_type[kind] = kept


def _fill_from_leaflets(rows: list[dict], result: SyncResult) -> list[dict]:
    if not rows:
        return rows
    codes = {r["code"] for r in rows}
    leaflets = {
        row.code: row
        for row in db.session.execute(
            select(Leaflet.code, Leaflet.commune_code, Leaflet.province_code).where(Leaflet.code.in_(codes))
        )
    }
    kept = []
    for row in rows:
        leaflet = leaflets.get(row["code"])
        if leaflet is None:
            result.rejected.append({"id": row["id"], "error": f"unknown leaflet code '{row['code']}'"})
            continue
        row["commune_code"], row["province_code"] = leaflet.commune_code, leaflet.province_code
        kept.append(row)
    return kept


def _attach_late_sessions(session_rows: list[dict]) -> None:
    """Attendance and answers that arrived before their session get its commune now. One
    query per table finds them (usually none), so the common case costs two lookups."""
    if not session_rows:
        return
    by_id = {s["id"]: s for s in session_rows}
    for model in (Attendance, QuizResponse):
        waiting = (
            db.session.execute(
                select(model.session_id)
                .distinct()
                .where(model.session_id.in_(by_id), model.commune_code.is_(None))
            )
            .scalars()
            .all()
        )
        for session_id in waiting:
            s = by_id[session_id]
            values = {"commune_code": s["commune_code"], "province_code": s["province_code"]}
            if model is Attendance:
                values["session_starts_at"] = s["starts_at"]
            db.session.execute(
                update(model)
                .where(model.session_id == session_id, model.commune_code.is_(None))
                .values(**values)
            )


def _table(model: type[DeclarativeBase]) -> Table:
    """A model's Table, for Core inserts (`__table__` is typed as any FromClause)."""
    return cast(Table, model.__table__)


# PostgreSQL: one transaction-scoped advisory lock per session, taken in hash order so that two
# requests never wait for each other crosswise.
PG_SESSION_LOCKS = sql(
    "SELECT pg_advisory_xact_lock(h) FROM "
    "(SELECT DISTINCT hashtextextended('loa-session:' || k, 0) AS h FROM unnest(:keys) AS k ORDER BY h) AS s"
).bindparams(bindparam("keys", type_=ARRAY(Text)))


def _session_ids(parsed: list[Parsed]) -> list[str]:
    """Every session a batch writes or points at (its sessions, their attendance and answers)."""
    ids = {p.id for p in parsed if p.type == "session"}
    ids.update(p.row["session_id"] for p in parsed if p.type != "session" and p.row.get("session_id"))
    return sorted(ids)


def _take_turns_on_sessions(parsed: list[Parsed]) -> None:
    """Requests that write a session and the attendance or answers pointing at it take turns,
    so the later one always sees what the earlier one stored: an attendance line stored while
    another request stores its session can no longer miss its commune. On PostgreSQL the turns
    are per session; SQLite has one writer anyway, so the batch takes the write lock before it
    reads anything (a write that changes no row)."""
    session_ids = _session_ids(parsed)
    if not session_ids:
        return
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(PG_SESSION_LOCKS, {"keys": session_ids})
    elif dialect == "sqlite":
        db.session.execute(sql("UPDATE sync_records SET id = id WHERE 0"))


def _store_once(
    parsed: list[Parsed], actor: Actor, device_id: str | None, received_at: dt.datetime, result: SyncResult
) -> None:
    """One transaction: sort out duplicates and conflicts against the ledger, insert the rest."""
    _take_turns_on_sessions(parsed)
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
                        "error": "a different record with this id was stored "
                        "earlier; the server kept the first one",
                    }
                )
        else:
            fresh.append(p)
    rows_by_type: dict[str, list[dict]] = {kind: [] for kind in RECORD_TYPES}
    for p in fresh:
        row = dict(p.row, id=p.id, created_at=p.created_at, received_at=received_at)
        if p.type == "session":
            row.update(user_id=actor.user_id, device_id=device_id)
        rows_by_type[p.type].append(row)
    _fill_from_sessions(rows_by_type, actor, result)
    rows_by_type["leaflet_scan"] = _fill_from_leaflets(rows_by_type["leaflet_scan"], result)
    stored = {row["id"] for rows in rows_by_type.values() for row in rows}
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
        }
        for p in fresh
        if p.id in stored
    ]
    # Core executemany inserts: the ORM's per-object machinery is not needed for new rows.
    if ledger:
        db.session.execute(_table(SyncRecord).insert(), ledger)
    for kind, rows in rows_by_type.items():
        if rows:
            db.session.execute(_table(MODELS[kind]).insert(), rows)
    _attach_late_sessions(rows_by_type["session"])
    result.accepted.extend(p.id for p in fresh if p.id in stored)


def ingest(
    records: list,
    actor: Actor,
    content: Content,
    device_id: str | None = None,
    received_at: dt.datetime | None = None,
) -> SyncResult:
    """Validate and store a batch; every record ends up in exactly one list of the result."""
    received_at = received_at or utcnow()
    parsed: list[Parsed] = []
    rejected: list[dict] = []
    seen: dict[str, str] = {}
    in_batch_duplicates: list[str] = []
    in_batch_conflicts: list[dict] = []
    for index, record in enumerate(records):
        try:
            p = parse_record(record, actor, content)
        except RecordInvalid as exc:
            rejected.append({"id": _record_id_of(record), "index": index, "error": str(exc)})
            continue
        if p.id in seen:  # the same id twice in one batch
            if seen[p.id] == p.fingerprint:
                in_batch_duplicates.append(p.id)
            else:
                in_batch_conflicts.append(
                    {
                        "id": p.id,
                        "error": "this id appears twice in the batch with "
                        "different content; the first was kept",
                    }
                )
            continue
        seen[p.id] = p.fingerprint
        parsed.append(p)
    for attempt in range(RETRIES):
        result = SyncResult(rejected=list(rejected))
        try:
            _store_once(parsed, actor, device_id, received_at, result)
            db.session.commit()
            break
        except IntegrityError:
            # Another request stored some of these ids just now: try again, they will be duplicates.
            db.session.rollback()
            if attempt == RETRIES - 1:
                raise
    result.duplicates.extend(in_batch_duplicates)
    result.conflicts.extend(in_batch_conflicts)
    return result
