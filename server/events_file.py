"""The Consumer Rights Day events file (content/events.yaml), edited from the organiser pages.

The file stays the single source: the page reads it, changes one event, checks the result
with the same validation as `loa content check`, and replaces the file atomically, keeping
the comments at its top and every translation the page does not show.

Several organisers (threads of one server, or several server processes on one content folder)
may save at once, so every change is a read-modify-write inside `locked(path)`: an exclusive
`flock` on a sibling lock file (`.events.yaml.lock`), opened anew for each acquisition (flock
locks belong to an open file description, so two threads of one process exclude each other
too), plus a threading lock for file systems where flock is only per process. The new text goes
to a temporary file of its own in the same folder, is flushed to disk and then renamed over the
file, so a reader sees the old file or the new one, never half of one.

A page never overwrites changes it has not seen: the forms carry the `version` of what they
showed. A save (new event or changed one) is refused (409, the form kept as typed) when the
file changed in any way since the page was read. A delete is refused only when that one event
changed since the page showed it (its `event_version`); other events changing meanwhile do not
matter to it, and an event already gone is a 404."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml

from .content import ContentError, ContentInvalid, Language, validate_events

EDITABLE_LANGS = ("vi", "en")
NEW_FILE_MODE = 0o644

_thread_lock = threading.Lock()


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the events file for one read-modify-write, against other threads and processes."""
    with _thread_lock:
        fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the file description releases the flock


def version(source: str | bytes | Path) -> str:
    """A short fingerprint of the file's bytes (of a path, or of its text): any change changes it.
    A missing file has the version of an empty one."""
    if isinstance(source, Path):
        source = source.read_bytes() if source.exists() else b""
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


def read(path: Path) -> tuple[str, dict]:
    """(the comment lines at the top, the YAML data)."""
    header, data, _version = read_versioned(path)
    return header, data


def read_versioned(path: Path) -> tuple[str, dict, str]:
    """(the comment lines at the top, the YAML data, the file's version), from one read."""
    raw = path.read_bytes() if path.exists() else b""
    header, data = parse(raw.decode("utf-8"))
    return header, data, version(raw)


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


def write(path: Path, header: str, data: dict, languages: Mapping[str, Language]) -> str:
    """Check, then replace the file atomically; returns the new version. Raises ContentInvalid,
    leaving the file as it was. Call it inside `locked(path)`, after reading the file there."""
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    errors = validate(text, languages)
    if errors:
        raise ContentInvalid(errors)
    raw = text.encode("utf-8")
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)
    return version(raw)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
