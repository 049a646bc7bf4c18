"""Which recording reads which piece of content, per language, and where each stands.

One file per language, `<lang>/audio.yaml`, written by the studio and `loa audio add`, so it
round-trips with releases, `loa content export|import` and git like the translation states:

    topics/complaints/narration:      the whole topic read aloud
      file: 3f2a0c12d4e5b6a7-73200    media/audio/<file>.opus and .mp3
      text: 9c1e2f3a4b5c              fingerprint of the text it reads, when it was recorded
      by: lan
      at: 2026-12-05
      reviewed_by: hoa                (optional)
      reviewed_at: 2026-12-06
    topics/complaints/key-points/2:   one key point
    topics/complaints/spot:           a dedicated recording for the commune loudspeaker
    quizzes/complaints-basics/q1:     one question with its options

A recording is *stale* when the text it reads has changed since (the fingerprint differs), as
with translations; *reviewed* once someone other than its maker has listened to it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml

from . import yamlio
from .translation_state import DRAFT, MISSING, REVIEWED, STALE, fingerprint

AUDIO_FILE = "audio.yaml"
AUDIO_DIR = "media/audio"  # the recordings' files, beside the pictures
NARRATION, SPOT = "narration", "spot"
KEY = re.compile(
    r"^(?:topics/(?P<topic>[a-z0-9][a-z0-9-]*)/(?P<part>narration|spot|key-points/(?P<n>[1-9][0-9]?))"
    r"|quizzes/(?P<quiz>[a-z0-9][a-z0-9-]*)/(?P<question>[A-Za-z0-9_-]{1,64}))$"
)
STEM = re.compile(r"^[0-9a-f]{16}-\d{1,8}$")
HEADER = (
    "# Recordings of this language's content, written by the studio and `loa audio add`: the file\n"
    "# (media/audio/<file>.opus and .mp3), a fingerprint of the text it reads, who recorded and who\n"
    '# reviewed it. See README "Audio".\n'
)
TAG = re.compile(r"<[^>]+>")


def manifest_path(lang: str) -> str:
    return f"{lang}/{AUDIO_FILE}"


def narration_key(topic_id: str) -> str:
    return f"topics/{topic_id}/{NARRATION}"


def spot_key(topic_id: str) -> str:
    return f"topics/{topic_id}/{SPOT}"


def key_point_key(topic_id: str, number: int) -> str:
    return f"topics/{topic_id}/key-points/{number}"


def question_key(quiz_id: str, question_id: str) -> str:
    return f"quizzes/{quiz_id}/{question_id}"


def file_paths(stem: str) -> tuple[str, str]:
    return f"{AUDIO_DIR}/{stem}.opus", f"{AUDIO_DIR}/{stem}.mp3"


@dataclass(frozen=True)
class Clip:
    """A recording of one piece of content in one language, as residents get it."""

    key: str
    stem: str
    seconds: float
    state: str  # draft | stale | reviewed
    by: str = ""
    at: dt.date | None = None
    reviewed_by: str = ""
    reviewed_at: dt.date | None = None

    @property
    def opus_url(self) -> str:
        return f"/{AUDIO_DIR}/{self.stem}.opus"

    @property
    def mp3_url(self) -> str:
        return f"/{AUDIO_DIR}/{self.stem}.mp3"


def read_manifest(data: bytes | None) -> dict[str, dict[str, Any]]:
    """{key: entry} of a language's audio file (empty when none or unreadable)."""
    if not data:
        return {}
    try:
        found = yamlio.load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}
    return found if isinstance(found, dict) else {}


def render_manifest(entries: dict[str, dict[str, Any]]) -> bytes:
    ordered = {key: entries[key] for key in sorted(entries)}
    return (HEADER + yamlio.dump(ordered)).encode() if ordered else b""


def plain(html: str) -> str:
    return " ".join(TAG.sub(" ", html).split())


def spoken_text(topics: dict, quizzes: dict, key: str) -> str | None:
    """The text a recording under `key` reads, from one language's topics and quizzes; None
    when that piece does not exist in the language."""
    found = KEY.match(key)
    if not found:
        return None
    if found["topic"]:
        topic = topics.get(found["topic"])
        if topic is None:
            return None
        if found["n"]:
            number = int(found["n"])
            return topic.key_points[number - 1] if number <= len(topic.key_points) else None
        return "\n".join([topic.title, topic.summary, *topic.key_points, plain(topic.body_html)])
    quiz = quizzes.get(found["quiz"])
    question = next((q for q in quiz.questions if q.id == found["question"]), None) if quiz else None
    if question is None:
        return None
    return "\n".join([question.text, *(o.text for o in question.options)])


def state_of(entry: dict[str, Any], text: str) -> str:
    if entry.get("text") != fingerprint(text):
        return STALE
    return REVIEWED if entry.get("reviewed_by") else DRAFT


def clip_of(key: str, entry: dict[str, Any], text: str) -> Clip:
    stem = str(entry.get("file", ""))
    return Clip(
        key=key,
        stem=stem,
        seconds=int(stem.rsplit("-", 1)[1]) / 1000 if STEM.match(stem) else 0.0,
        state=state_of(entry, text),
        by=str(entry.get("by", "")),
        at=entry.get("at") if isinstance(entry.get("at"), dt.date) else None,
        reviewed_by=str(entry.get("reviewed_by", "") or ""),
        reviewed_at=entry.get("reviewed_at") if isinstance(entry.get("reviewed_at"), dt.date) else None,
    )


def entry_problem(key: str, entry: Any, files: set[str]) -> str | None:
    """What is wrong with one entry of an audio file (None: nothing)."""
    if not KEY.match(key):
        return f"'{key}' is not a topic narration, spot, key point or quiz question"
    if not isinstance(entry, dict):
        return "must be a mapping with file, text, by and at"
    stem = entry.get("file")
    if not isinstance(stem, str) or not STEM.match(stem):
        return "field 'file' must name a recording Loa made (media/audio/<fingerprint>-<ms>)"
    missing = [p for p in file_paths(stem) if p not in files]
    if missing:
        return f"field 'file': {', '.join(missing)} is missing"
    return None


def recorded(entries: dict[str, dict[str, Any]], key: str, stem: str, text: str, user: str) -> dict:
    """`entries` with `stem` recorded for `key` by `user` now (any review starts again)."""
    out = dict(entries)
    out[key] = {"file": stem, "text": fingerprint(text), "by": user, "at": dt.date.today()}
    return out


def reviewed(entries: dict[str, dict[str, Any]], key: str, text: str, user: str) -> dict:
    """`entries` with `key` reviewed by `user`: the recording matches the text as it is now.
    ValueError when there is no recording or `user` made it."""
    entry = entries.get(key)
    if not entry:
        raise ValueError("there is no recording to review")
    if entry.get("by") == user:
        raise ValueError("own recording")
    out = dict(entries)
    out[key] = {**entry, "text": fingerprint(text), "reviewed_by": user, "reviewed_at": dt.date.today()}
    return out


STATES = (MISSING, DRAFT, STALE, REVIEWED)
