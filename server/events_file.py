"""The Consumer Rights Day events file (content/events.yaml), edited from the organiser pages.

The file stays the single source: the page reads it, changes one event, checks the result
with the same validation as `loa content check`, and replaces the file atomically, keeping
the comments at its top and every translation the page does not show."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from .content import ContentError, ContentInvalid, Language, validate_events

EDITABLE_LANGS = ("vi", "en")


def read(path: Path) -> tuple[str, dict]:
    """(the comment lines at the top, the YAML data)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    match = re.match(r"((?:\s*#[^\n]*\n|\s*\n)*)", text)
    header = match.group(1) if match else ""  # the pattern matches every text, if only with ""
    data = yaml.safe_load(text) or {}
    data.setdefault("events", [])
    return header, data


def slug_for(title: str, date: str) -> str:
    from .communes import fold

    words = re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")[:40].strip("-")
    return f"{date[:4]}-{words}" if words else f"{date}-event"


def upsert(data: dict, fields: dict, original_id: str | None = None) -> str:
    """Add an event, or change the one with `original_id`; returns the event's id."""
    events = data["events"]
    existing = next((e for e in events if e.get("id") == original_id), None) if original_id else None
    event = existing if existing is not None else {}
    event["id"] = (
        fields.get("id")
        or (existing or {}).get("id")
        or slug_for(fields["title"].get("vi", ""), fields["date"])
    )
    event["date"] = fields["date"]
    if fields.get("end_date"):
        event["end_date"] = fields["end_date"]
    else:
        event.pop("end_date", None)
    for key in ("province", "commune"):
        if fields.get(key) is not None:
            event[key] = fields[key]
        else:
            event.pop(key, None)
    for key in ("title", "place", "description"):
        texts = dict(event.get(key) or {}) if isinstance(event.get(key), dict) else {}
        for lang in EDITABLE_LANGS:
            value = (fields.get(key) or {}).get(lang, "").strip()
            if value:
                texts[lang] = value
            else:
                texts.pop(lang, None)
        if texts:
            event[key] = texts
        else:
            event.pop(key, None)
    if existing is None:
        events.append(event)
    return event["id"]


def delete(data: dict, event_id: str) -> bool:
    before = len(data["events"])
    data["events"] = [e for e in data["events"] if e.get("id") != event_id]
    return len(data["events"]) < before


def validate(text: str, languages: Mapping[str, Language]) -> list[ContentError]:
    """Errors the content check would report for this events file."""
    return validate_events(text, languages)


def write(path: Path, header: str, data: dict, languages: Mapping[str, Language]) -> None:
    """Check, then replace the file atomically. Raises ContentInvalid, leaving the file as it was."""
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    errors = validate(text, languages)
    if errors:
        raise ContentInvalid(errors)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
