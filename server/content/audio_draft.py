"""Recordings into the content's draft, for the studio and `loa audio add`: the two files and the
language's audio.yaml entry are saved in one transaction (so a failed upload leaves the draft as
it was), files no recording uses any more are removed, and reviews are signed."""

from __future__ import annotations

from sqlalchemy import Connection

from . import recordings, releases
from .audio import Recording
from .errors import ContentInvalid
from .loader import load_tree
from .model import Content


class NotRecordable(ValueError):
    """The piece named cannot carry a recording in that language (no such topic, key point,
    question, or no text of it in the language)."""


def draft_content(conn: Connection) -> Content:
    try:
        return load_tree(releases.draft_tree(conn))
    except ContentInvalid as exc:
        raise NotRecordable(f"the draft has problems to fix first: {exc.errors[0]}") from exc


def text_of(content: Content, lang: str, key: str) -> str:
    """The text a recording of `key` reads in `lang`; NotRecordable when there is none."""
    if lang not in content.languages:
        raise NotRecordable(f"unknown language '{lang}'")
    text = recordings.spoken_text(content.topics.get(lang, {}), content.quizzes.get(lang, {}), key)
    if text is None:
        raise NotRecordable(f"'{key}' has no text in '{lang}' to record")
    return text


def _users_of(conn: Connection, stem: str, skip: tuple[str, str]) -> bool:
    """Whether any language's audio file other than entry `skip` (lang, key) uses `stem`."""
    for path in releases.draft_manifest(conn):
        if path.endswith(f"/{recordings.AUDIO_FILE}"):
            lang = path.split("/", 1)[0]
            for key, entry in recordings.read_manifest(releases.draft_file(conn, path)).items():
                if (lang, key) != skip and isinstance(entry, dict) and entry.get("file") == stem:
                    return True
    return False


def _save_manifest(conn: Connection, lang: str, before: bytes | None, entries: dict, user: str) -> None:
    data = recordings.render_manifest(entries)
    releases.save_draft(conn, recordings.manifest_path(lang), data or None, before, user)


def _drop_files(conn: Connection, stem: str | None, lang: str, key: str, user: str) -> None:
    if stem and not _users_of(conn, stem, (lang, key)):
        for path in recordings.file_paths(stem):
            current = releases.draft_file(conn, path)
            if current is not None:
                releases.save_draft(conn, path, None, current, user)


def add(conn: Connection, lang: str, key: str, recording: Recording, user: str) -> None:
    """Record `recording` for `key` in `lang` in the draft (replacing any recording there)."""
    text = text_of(draft_content(conn), lang, key)
    for ext, data in (("opus", recording.opus), ("mp3", recording.mp3)):
        path = recording.path(ext)
        if releases.draft_file(conn, path) is None:
            releases.save_draft(conn, path, data, None, user)
    path = recordings.manifest_path(lang)
    before = releases.draft_file(conn, path)
    entries = recordings.read_manifest(before)
    old = entries.get(key, {}).get("file") if isinstance(entries.get(key), dict) else None
    _save_manifest(conn, lang, before, recordings.recorded(entries, key, recording.stem, text, user), user)
    if old != recording.stem:
        _drop_files(conn, old, lang, key, user)


def review(conn: Connection, lang: str, key: str, user: str) -> None:
    """`user` has listened to the recording of `key` and it matches the text as it is now.
    ValueError("own recording") for its maker, NotRecordable when there is nothing to review."""
    text = text_of(draft_content(conn), lang, key)
    path = recordings.manifest_path(lang)
    before = releases.draft_file(conn, path)
    entries = recordings.read_manifest(before)
    if key not in entries:
        raise NotRecordable(f"'{key}' has no recording in '{lang}'")
    _save_manifest(conn, lang, before, recordings.reviewed(entries, key, text, user), user)


def remove(conn: Connection, lang: str, key: str, user: str) -> None:
    path = recordings.manifest_path(lang)
    before = releases.draft_file(conn, path)
    entries = recordings.read_manifest(before)
    entry = entries.pop(key, None)
    if entry is None:
        return
    _save_manifest(conn, lang, before, entries, user)
    _drop_files(conn, entry.get("file") if isinstance(entry, dict) else None, lang, key, user)
