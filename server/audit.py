"""The audit log: who did what on the organiser side and on the command line.

`record()` adds an entry to the caller's transaction, so an action and its entry are stored
together or not at all. Entries are never changed; national organisers read and export them
(/organiser/audit)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from flask import g, has_request_context
from sqlalchemy import select

from .extensions import db
from .models import AuditEntry, User

COMMAND_LINE = "command line"

# The actions, named once; the audit page shows each in the reader's language.
USER_CREATED = "user.created"
USER_DISABLED = "user.disabled"
USER_ENABLED = "user.enabled"
PASSWORD_SET = "user.password_set"
PASSWORD_RESET = "user.password_reset"
PASSWORD_CHANGED = "user.password_changed"
DEVICE_REVOKED = "device.revoked"
DEVICE_QUARANTINED = "device.quarantined"
DEVICE_RELEASED = "device.released"
RECORD_VOIDED = "record.voided"
EVENT_SAVED = "event.saved"
EVENT_DELETED = "event.deleted"
CONTENT_PUBLISHED = "content.published"
CONTENT_SAVED = "content.saved"
CONTENT_ROLLED_BACK = "content.rolled_back"
CONTENT_ROLES_SET = "user.content_roles"
CONTACTS_SAVED = "contacts.saved"
AREAS_SAVED = "areas.saved"
TARGETS_SAVED = "targets.saved"
PERIOD_SIGNED = "period.signed"
PERIOD_UNLOCKED = "period.unlocked"
ACTIONS = (
    USER_CREATED,
    USER_DISABLED,
    USER_ENABLED,
    PASSWORD_SET,
    PASSWORD_RESET,
    PASSWORD_CHANGED,
    DEVICE_REVOKED,
    DEVICE_QUARANTINED,
    DEVICE_RELEASED,
    RECORD_VOIDED,
    EVENT_SAVED,
    EVENT_DELETED,
    CONTENT_PUBLISHED,
    CONTENT_SAVED,
    CONTENT_ROLLED_BACK,
    CONTENT_ROLES_SET,
    CONTACTS_SAVED,
    AREAS_SAVED,
    TARGETS_SAVED,
    PERIOD_SIGNED,
    PERIOD_UNLOCKED,
)


def _who() -> tuple[int | None, str]:
    user = g.get("session_user") if has_request_context() else None
    if isinstance(user, User):
        return user.id, user.username
    actor = g.get("actor") if has_request_context() else None
    if actor is not None and getattr(actor, "username", None):
        return actor.user_id, actor.username
    return None, COMMAND_LINE


def record(action: str, target: str = "", *, province_code: int | None = None, **detail) -> None:
    """Add an entry for `action` on `target` by whoever is acting now (the logged-in organiser,
    the phone's account, or the command line). The caller commits."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    actor_id, actor_name = _who()
    db.session.add(
        AuditEntry(
            actor_id=actor_id,
            actor_name=actor_name[:64],
            action=action,
            target=target[:120],
            province_code=province_code,
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else "",
        )
    )


def entries(action: str | None = None, limit: int | None = 500) -> list[AuditEntry]:
    """The newest entries first (of one action, if given)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if limit:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())


CSV_COLUMNS = ("id", "at_utc", "actor", "action", "target", "province_code", "detail")


def as_csv(rows: Iterable[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in rows:
        writer.writerow(
            [
                e.id,
                e.at.isoformat(timespec="seconds"),
                e.actor_name,
                e.action,
                e.target,
                e.province_code or "",
                e.detail,
            ]
        )
    return out.getvalue()
