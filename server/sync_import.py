"""`loa sync import`: records exported from a phone, stored through the same idempotent
path as POST /api/v1/sync."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from . import sync
from .devices import Actor, actor_of_user
from .extensions import db
from .models import User
from .web import get_content

EXPORT_FORMAT = "loa-outbox"


@dataclass
class ImportSummary:
    accepted: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.accepted} stored, {self.duplicates} already there"
        if self.problems:
            text += f", {len(self.problems)} need attention:\n" + "\n".join(f"  - {p}" for p in self.problems)
        return text


def read_export(path: Path) -> tuple[str | None, list]:
    """(device_id, records) from a phone's export file, or ValueError saying what is wrong."""
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a Loa export (JSON): {exc}") from None
    if isinstance(payload, dict) and payload.get("format") not in (None, EXPORT_FORMAT):
        raise ValueError(f"format '{payload.get('format')}' is not '{EXPORT_FORMAT}'")
    try:
        return sync.parse_envelope(payload)
    except sync.EnvelopeError as exc:
        raise ValueError(str(exc)) from None


def actor_for_user(username: str) -> Actor:
    user = db.session.execute(db.select(User).filter_by(username=username.strip().lower())).scalar()
    if user is None or not user.active:
        raise ValueError(f"no active user '{username}'")
    return actor_of_user(user)


def import_file(path: Path, username: str) -> ImportSummary:
    device_id, records = read_export(path)
    actor = actor_for_user(username)
    batch = current_app.config["SYNC_MAX_RECORDS"]
    summary = ImportSummary()
    for start in range(0, len(records), batch):
        result = sync.ingest(records[start : start + batch], actor, get_content(), device_id=device_id)
        summary.accepted += len(result.accepted)
        summary.duplicates += len(result.duplicates)
        summary.problems += [f"{r['id']}: {r['error']}" for r in result.conflicts + result.rejected]
    return summary
