"""Corrections and voids: a person fixes or withdraws what they recorded, with a trail.

A correction (`changes`: {field: value}) or void points at a stored record by id. The original
record and every amendment stay; the record's row holds its current values (the original with
every applied correction, in the order of the corrections' times) and its `hold` bits say
whether it is voided. An amendment that arrives before its target waits, and applies when the
target arrives, whatever the order and the concurrency:

- the request storing an amendment and the one storing its target each look, after they
  commit, for waiting amendments of what they stored (`apply_waiting`); whichever looks last
  sees both, so none waits forever;
- applying takes the target's turn (the same turn as the attendance of a session), so a session
  voided while its attendance arrives voids that attendance too.

Broadcasts and show-of-hands tallies may be voided, not corrected (a tally is counted again
with a new record instead: quiz_tallies.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from . import provenance
from .extensions import db
from .models import (
    ATTENDANCE_PARTS,
    HOLD_SESSION_VOIDED,
    HOLD_VOIDED,
    ORGANISER,
    RECORD_MODELS,
    Amendment,
    Attendance,
    QuizResponse,
    QuizTally,
    SyncRecord,
    User,
    utcnow,
)
from .sync_parse import AMENDMENT_TYPES, CORRECTABLE, MAX_TEXT, RecordInvalid, parse_time

TARGET_MODELS: dict[str, Any] = RECORD_MODELS  # broadcasts, tallies, activities: voided only


@dataclass(frozen=True)
class Target:
    id: str
    type: str
    user_id: int | None


def targets(ids: Iterable[str]) -> dict[str, Target]:
    """The stored records among ids: their type and who sent them."""
    wanted = sorted(set(ids))
    found: dict[str, Target] = {}
    for start in range(0, len(wanted), 500):
        rows = db.session.execute(
            select(SyncRecord.id, SyncRecord.type, SyncRecord.user_id).where(
                SyncRecord.id.in_(wanted[start : start + 500])
            )
        )
        found.update((r.id, Target(r.id, r.type, r.user_id)) for r in rows)
    return found


def check(kind: str, changes: dict, author_id: int | None, author_role: str | None, target: Target) -> None:
    """RecordInvalid when this amendment may not apply to this target."""
    if target.type in AMENDMENT_TYPES:
        raise RecordInvalid(
            f"a {kind} cannot point at a {target.type}; point it at the record itself",
            "cannot_amend_amendment",
            target_id=target.id,
        )
    if target.type not in TARGET_MODELS:
        raise RecordInvalid(f"a {target.type} cannot be amended", "cannot_amend", target_id=target.id)
    if author_role != ORGANISER and (author_id is None or target.user_id != author_id):
        raise RecordInvalid(
            f"record {target.id} was made by someone else; only they or an organiser can change it",
            "not_your_record",
            target_id=target.id,
        )
    if kind == "correction":
        allowed = CORRECTABLE.get(target.type, ())
        wrong = sorted(set(changes) - set(allowed))
        if wrong:
            raise RecordInvalid(
                f"a {target.type} cannot have {', '.join(wrong)} corrected; "
                f"only {', '.join(allowed) or 'nothing'}",
                "field_not_correctable",
                target_id=target.id,
                fields=wrong,
            )


def _check_counts(state: dict) -> None:
    for name in ATTENDANCE_PARTS:
        if state[name] > state["count"]:
            raise RecordInvalid(
                f"after this correction {name} ({state[name]}) would be more than the count ({state['count']})",
                "more_than_count",
                field=name,
                value=state[name],
                count=state["count"],
            )


def check_figures(target: Target, changes: dict) -> None:
    """RecordInvalid when a correction of a stored tally line would leave more women or
    ethnic-minority attendees than people (checked again, in order, when it applies)."""
    if target.type != "attendance":
        return
    row = db.session.get(Attendance, target.id)
    if row is not None:
        _check_counts({**_current(row, CORRECTABLE["attendance"]), **changes})


def _current(row, fields: tuple[str, ...]) -> dict:
    values = {}
    for name in fields:
        value = getattr(row, name)
        values[name] = value.isoformat() + "Z" if name == "starts_at" else value
    return values


def _as_column(name: str, value):
    if name == "starts_at":
        return parse_time(value, name)
    if name == "topic_ids":
        return json.dumps(value)
    return value


def _recompute(target: Target, incoming: str | None = None) -> None:
    """Give a record its current values: the original with every applied correction in order
    (plus `incoming`, the correction being applied). RecordInvalid when the result is not a
    valid record (women or ethnic minority above the count)."""
    model = TARGET_MODELS[target.type]
    fields = CORRECTABLE.get(target.type)
    row = db.session.get(model, target.id, populate_existing=True)
    if row is None or not fields:
        return
    # A field that became correctable after the first correction was never corrected: its
    # current value is its original one.
    original = {**_current(row, fields), **(json.loads(row.original) if row.original else {})}
    if target.type == "session":
        original["topic_ids"] = (
            json.loads(original["topic_ids"])
            if isinstance(original["topic_ids"], str)
            else original["topic_ids"]
        )
    state = dict(original)
    corrections = db.session.execute(
        select(Amendment.id, Amendment.changes)
        .where(
            Amendment.target_id == target.id,
            Amendment.kind == "correction",
            (Amendment.state == "applied") | (Amendment.id == (incoming or "")),
        )
        .order_by(Amendment.created_at, Amendment.id)
    )
    for _, changes in corrections:
        state.update(json.loads(changes))
    if target.type == "attendance":
        _check_counts(state)
    row.original = json.dumps(original, sort_keys=True)
    for name in fields:
        setattr(row, name, _as_column(name, state[name]))
    if target.type == "session":
        db.session.execute(
            update(Attendance)
            .where(Attendance.session_id == target.id, Attendance.commune_code.is_not(None))
            .values(session_starts_at=row.starts_at)
        )


def _void(target: Target) -> None:
    model = TARGET_MODELS[target.type]
    db.session.execute(
        update(model).where(model.id == target.id).values(hold=model.hold.op("|")(HOLD_VOIDED))
    )
    if target.type == "session":
        for child in (Attendance, QuizResponse, QuizTally):
            db.session.execute(
                update(child)
                .where(child.session_id == target.id)
                .values(hold=child.hold.op("|")(HOLD_SESSION_VOIDED))
            )


def _roles(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return {
        row.id: row.role
        for row in db.session.execute(select(User.id, User.role).where(User.id.in_(user_ids)))
    }


def apply_waiting(record_ids: Iterable[str]) -> int:
    """Apply every waiting amendment that is among record_ids or points at one of them and
    whose target is now stored. Its own transaction, after the batch committed. Returns how
    many were applied."""
    ids = sorted(set(record_ids))
    if not ids:
        return 0
    waiting: list[Amendment] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        waiting.extend(
            db.session.execute(
                select(Amendment).where(
                    Amendment.state == "waiting",
                    Amendment.id.in_(chunk) | Amendment.target_id.in_(chunk),
                )
            ).scalars()
        )
    if not waiting:
        db.session.rollback()
        return 0
    known = targets(a.target_id for a in waiting)
    ready = {a.id for a in waiting if a.target_id in known}
    if not ready:
        db.session.rollback()
        return 0
    provenance.take_turns(a.target_id for a in waiting if a.id in ready)
    # Read again under the turn: another request may have applied some meanwhile.
    ready_rows = list(
        db.session.execute(
            select(Amendment)
            .where(Amendment.id.in_(ready), Amendment.state == "waiting")
            .order_by(Amendment.created_at, Amendment.id)
            .execution_options(populate_existing=True)
        ).scalars()
    )
    roles = _roles({a.user_id for a in ready_rows if a.user_id is not None})
    applied = 0
    for amendment in ready_rows:
        target = known[amendment.target_id]
        try:
            check(
                amendment.kind,
                json.loads(amendment.changes),
                amendment.user_id,
                roles.get(amendment.user_id) if amendment.user_id is not None else None,
                target,
            )
            # _recompute checks the result before it writes anything: no partial change to undo.
            if amendment.kind == "void":
                _void(target)
            else:
                _recompute(target, incoming=amendment.id)
        except RecordInvalid as exc:
            amendment.state = "refused"
            amendment.problem = exc.code
            amendment.target_type = target.type
            provenance.flag_problem(
                [amendment.id], "amendment_refused", str(exc), reason=exc.code, **exc.params
            )
            continue
        amendment.state = "applied"
        amendment.target_type = target.type
        applied += 1
    db.session.commit()
    return applied


def rows_for(
    parsed_amendments: list, author_id: int | None, device_id: str | None, received_at
) -> list[dict]:
    """Amendment rows for records of type correction/void about to be stored (waiting)."""
    return [
        {
            "id": p.id,
            "kind": p.row["kind"],
            "target_id": p.row["target_id"],
            "target_type": None,
            "changes": p.row["changes"],
            "reason": p.row["reason"],
            "state": "waiting",
            "problem": None,
            "user_id": author_id,
            "device_id": device_id,
            "created_at": p.created_at,
            "received_at": received_at,
        }
        for p in parsed_amendments
    ]


def void_by_organiser(target_id: str, reason: str, user: User) -> str:
    """An organiser voids a stored record with a reason. RecordInvalid when it cannot be voided."""
    target = targets([target_id]).get(target_id)
    if target is None:
        raise RecordInvalid(f"there is no record {target_id}", "unknown_record", target_id=target_id)
    check("void", {}, user.id, user.role, target)
    reason = reason.strip()[: MAX_TEXT["reason"]]
    if not reason:
        raise RecordInvalid("say why the record is voided", "no_reason")
    amendment_id = str(uuid.uuid4())
    now = utcnow()
    db.session.add(
        Amendment(
            id=amendment_id,
            kind="void",
            target_id=target_id,
            target_type=target.type,
            changes="{}",
            reason=reason,
            state="waiting",
            user_id=user.id,
            device_id=None,
            created_at=now,
            received_at=now,
        )
    )
    from . import audit, scope

    audit.record(
        audit.RECORD_VOIDED,
        f"{target.type}:{target_id}",
        province_code=scope.record_province(target_id),
        reason=reason,
    )
    db.session.commit()
    apply_waiting([amendment_id])
    return amendment_id


def trail(target_id: str) -> list[Amendment]:
    """Every amendment of a record, oldest first."""
    return list(
        db.session.execute(
            select(Amendment)
            .where(Amendment.target_id == target_id)
            .order_by(Amendment.created_at, Amendment.id)
        ).scalars()
    )
