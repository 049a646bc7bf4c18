"""The Consumer Rights Day events file (events.yaml of the content), edited from the organiser pages.

The file lives in the database with the rest of the content (server/content/releases.py): the
page reads the draft's events.yaml, changes one event, checks the result with the same
validation as `loa content check`, saves it and publishes it at once as a release of its own,
keeping the comments at its top and every translation the page does not show.

Several organisers (threads of one server, or several servers on one database) may save at
once. Every change is one transaction that saves the file only if it still holds what was read
(else `releases.Conflict`), and a release number can be taken once, so nothing is lost.

A page never overwrites changes it has not seen: the forms carry the `version` of what they
showed. A save (new event or changed one) is refused (409, the form kept as typed) when the
file changed in any way since the page was read. A delete is refused only when that one event
changed since the page showed it (its `event_version`); other events changing meanwhile do not
matter to it, and an event already gone is a 404."""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Mapping

import yaml
from sqlalchemy import Engine

from .content import ContentError, ContentInvalid, Language, releases, validate_events

EDITABLE_LANGS = ("vi", "en")
EVENTS_FILE = "events.yaml"


def version(source: str | bytes) -> str:
    """A short fingerprint of the file's bytes (or text): any change changes it. A missing file
    has the version of an empty one."""
    if isinstance(source, str):
        source = source.encode("utf-8")
    return hashlib.sha256(source).hexdigest()[:16]


def event_version(event: Mapping) -> str:
    """A short fingerprint of one event as the file holds it (for deleting just that one)."""
    return version(yaml.safe_dump(dict(event), allow_unicode=True, sort_keys=True))


def parse(text: str) -> tuple[str, dict]:
    """(the comment lines at the top, the YAML data) of the file's text."""
    match = re.match(r"((?:\s*#[^\n]*\n|\s*\n)*)", text)
    header = match.group(1) if match else ""  # the pattern matches every text, if only with ""
    data = yaml.safe_load(text) or {}
    data.setdefault("events", [])
    return header, data


def render(header: str, data: dict) -> str:
    """The file's text: the comment lines kept at the top, then the data."""
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


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
    event["status"] = fields.get("status") or "example"
    if fields.get("national"):
        event["national"] = True
    elif fields.get("national") is not None:  # None: the editor may not change it; kept as it is
        event.pop("national", None)
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


def find(data: dict, event_id: str) -> dict | None:
    return next((e for e in data["events"] if isinstance(e, dict) and e.get("id") == event_id), None)


def delete(data: dict, event_id: str) -> bool:
    before = len(data["events"])
    data["events"] = [e for e in data["events"] if e.get("id") != event_id]
    return len(data["events"]) < before


def validate(text: str, languages: Mapping[str, Language]) -> list[ContentError]:
    """Errors the content check would report for this events file."""
    return validate_events(text, languages)


def read(engine: Engine) -> bytes:
    """The events file as the draft holds it now (empty when there is none)."""
    with engine.connect() as conn:
        return releases.draft_file(conn, EVENTS_FILE) or b""


def apply(
    engine: Engine,
    user: str,
    note: str,
    languages: Mapping[str, Language],
    edit: Callable[[dict, str], None],
) -> str:
    """Change the events file and publish it, in one transaction: `edit(data, version)` changes
    the data read (or raises to refuse: a stale version, a province not the user's); the result is
    checked (ContentInvalid, nothing saved), saved only over what was read (releases.Conflict
    otherwise) and published. Returns the new version."""

    def change(conn) -> str:
        raw = releases.draft_file(conn, EVENTS_FILE)
        header, data = parse((raw or b"").decode("utf-8"))
        edit(data, version(raw or b""))
        text = render(header, data)
        errors = validate(text, languages)
        if errors:
            raise ContentInvalid(errors)
        releases.save_draft(conn, EVENTS_FILE, text.encode("utf-8"), raw, user)
        with contextlib.suppress(releases.NothingToPublish):  # saved as it was
            releases.publish(conn, user, note, paths=[EVENTS_FILE], kind=releases.EVENTS)
        return version(text)

    return releases.run(engine, change)
