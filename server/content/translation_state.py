"""Field by field, where each translation stands: missing, draft, stale (the Vietnamese source
changed after it was translated) or reviewed (by whom, when).

The state lives in the content itself, one file per language (`<lang>/translations.yaml`), so it
round-trips with `loa content export|import` and git like every other file:

    topics/complaints:
      title: {source: 3f9a0c12d4e5, source_sha: <blob of the Vietnamese file>, by: lan, at: 2026-12-05,
              reviewed_by: hoa, reviewed_at: 2026-12-06}

`source` is a fingerprint of the Vietnamese text the field was translated from: when the source
field's fingerprint differs, the translation is stale. `source_sha` names the Vietnamese file as
it was then, so the studio can show what changed in the source (when that version is still in
the database). A translation with no entry (written by hand in the files) is a draft. While a translation is
incomplete (a content file needs every field), its fields wait in their entries as `pending`; the
file is written once every field has a text."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from . import topic_file, yamlio

STATE_FILE = "translations.yaml"
MISSING, DRAFT, STALE, REVIEWED = "missing", "draft", "stale", "reviewed"
STATES = (MISSING, DRAFT, STALE, REVIEWED)

HEADER = (
    "# Where each translated field stands, written by the studio (/organiser/studio): the\n"
    "# fingerprint of the Vietnamese text it was translated from, who translated and who reviewed it.\n"
)


def state_path(lang: str) -> str:
    return f"{lang}/{STATE_FILE}"


def fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:12]


# -- the fields of a file -----------------------------------------------------------------------


def topic_fields(data: bytes | None) -> dict[str, str]:
    """A topic file's translatable fields, in reading order: title, summary, key_points[1..],
    body."""
    if data is None:
        return {}
    try:
        meta, body = topic_file.parse(data)
    except (ValueError, yaml.YAMLError, UnicodeDecodeError):
        return {}
    fields = {name: str(meta[name]) for name in ("title", "summary") if meta.get(name)}
    for i, point in enumerate(meta.get("key_points") or [], start=1):
        fields[f"key_points[{i}]"] = str(point)
    if body.strip():
        fields["body"] = body.strip("\n")
    return fields


def quiz_fields(data: bytes | None) -> dict[str, str]:
    """A quiz file's translatable fields: title, then per question its text, options and
    explanation (`q1.text`, `q1.options.a`, `q1.explanation`)."""
    if data is None:
        return {}
    try:
        quiz = yamlio.load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}
    if not isinstance(quiz, dict):
        return {}
    fields = {"title": str(quiz["title"])} if quiz.get("title") else {}
    for q in quiz.get("questions") or []:
        if not isinstance(q, dict) or not q.get("id"):
            continue
        if q.get("text"):
            fields[f"{q['id']}.text"] = str(q["text"])
        for option in q.get("options") or []:
            if isinstance(option, dict) and option.get("id") is not None and option.get("text") is not None:
                fields[f"{q['id']}.options.{option['id']}"] = str(option["text"])
        if q.get("explanation"):
            fields[f"{q['id']}.explanation"] = str(q["explanation"])
    return fields


def fields_of(kind: str, data: bytes | None) -> dict[str, str]:
    return topic_fields(data) if kind == "topics" else quiz_fields(data)


def file_path(lang: str, kind: str, item_id: str) -> str:
    return f"{lang}/{kind}/{item_id}.{'md' if kind == 'topics' else 'yaml'}"


# -- numbers that must survive translation ------------------------------------------------------

NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")


def numbers_in(text: str) -> list[str]:
    """The numbers of a text, in any script's digits, as ASCII ('19/2023', '5', '30.000'):
    phone numbers, law and article numbers, amounts, days."""
    ascii_text = "".join(
        str(unicodedata.digit(c)) if unicodedata.digit(c, None) is not None else c for c in text
    )
    return sorted(NUMBER.findall(ascii_text))


def number_problem(source: str, translation: str) -> str | None:
    """Why a reviewer should look at the numbers of this translation, or None."""
    mine, theirs = numbers_in(translation), numbers_in(source)
    if not translation or mine == theirs:
        return None
    return f"{', '.join(theirs) or '-'} → {', '.join(mine) or '-'}"


# -- the state file -----------------------------------------------------------------------------


def read_states(data: bytes | None) -> dict[str, dict[str, dict[str, Any]]]:
    """{"topics/complaints": {field: entry}} from a language's state file (empty when none)."""
    if not data:
        return {}
    try:
        states = yamlio.load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}
    return states if isinstance(states, dict) else {}


def render_states(states: dict[str, dict[str, dict[str, Any]]]) -> bytes:
    ordered = {key: states[key] for key in sorted(states) if states[key]}
    return (HEADER + yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=10**6)).encode()


@dataclass(frozen=True)
class FieldState:
    name: str
    source: str
    text: str
    state: str
    by: str = ""
    reviewed_by: str = ""
    reviewed_at: dt.date | None = None
    source_diff: str = ""  # for a stale field: what changed in the Vietnamese since
    numbers: str | None = None  # numbers of the source and the translation that differ


def field_states(
    kind: str,
    source_data: bytes | None,
    translation_data: bytes | None,
    entries: dict[str, dict[str, Any]],
    old_source: Callable[[str], bytes | None] = lambda sha: None,
) -> list[FieldState]:
    """Every field of the Vietnamese file, with its translation and state. `old_source(sha)` gives
    an older Vietnamese file by its blob, for the diff of a stale field."""
    from .releases import text_diff

    source, translated = fields_of(kind, source_data), fields_of(kind, translation_data)
    out = []
    for name, text in source.items():
        entry = entries.get(name) or {}
        mine = translated.get(name) or str(entry.get("pending", ""))
        diff = ""
        if not mine:
            state = MISSING
        elif entry.get("source") and entry["source"] != fingerprint(text):
            state = STALE
            before = old_source(str(entry.get("source_sha", ""))) if entry.get("source_sha") else None
            old_text = fields_of(kind, before).get(name) if before else None
            diff = text_diff(old_text.encode(), text.encode()) if old_text is not None else ""
        elif entry.get("reviewed_by"):
            state = REVIEWED
        else:
            state = DRAFT
        out.append(
            FieldState(
                name=name,
                source=text,
                text=mine,
                state=state,
                by=str(entry.get("by", "")),
                reviewed_by=str(entry.get("reviewed_by", "")) if state == REVIEWED else "",
                reviewed_at=entry.get("reviewed_at") if state == REVIEWED else None,
                source_diff="\n".join(diff.splitlines()[2:]),  # without the file-name lines
                numbers=number_problem(text, mine),
            )
        )
    return out


def counts(states: list[FieldState]) -> dict[str, int]:
    return {state: sum(1 for f in states if f.state == state) for state in STATES}


def item_states(tree, lang: str, kind: str, item_id: str) -> list[FieldState]:
    """The field states of one topic or quiz of `tree` (a Tree) in `lang`."""
    entries = read_states(tree.read(state_path(lang))).get(f"{kind}/{item_id}", {})
    return field_states(
        kind,
        tree.read(file_path("vi", kind, item_id)),
        tree.read(file_path(lang, kind, item_id)),
        entries,
    )


def language_counts(tree, lang: str) -> dict[str, int]:
    """How many fields of every Vietnamese topic and quiz of `tree` are missing, draft, stale and
    reviewed in `lang`."""
    total = dict.fromkeys(STATES, 0)
    for kind, suffix in (("topics", ".md"), ("quizzes", ".yaml")):
        for path in tree.listdir(f"vi/{kind}", suffix):
            item_id = path.rsplit("/", 1)[1][: -len(suffix)]
            for state, n in counts(item_states(tree, lang, kind, item_id)).items():
                total[state] += n
    return total
