"""Sync protocol version 1: reading one record. Every check here needs only the record, who
sent it, the content and the time rules; what needs the database (sessions, leaflets, targets)
is in sync.py and amendments.py.

A record that fails a check raises RecordInvalid with a message a person can act on, a stable
`code` and its `params`, so the phone can say it in its user's language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import communes
from .complaint_deadlines import FORWARD_DAYS, add_working_days
from .content import Content, score
from .devices import RESIDENT, Actor
from .leaflets.codes import normalize_code
from .models import (
    ACTIVITY_KINDS,
    ATTENDANCE_PARTS,
    COMPLAINT_OUTCOMES,
    COMPLAINT_STEPS,
    MEDIA_CHANNELS,
    TRAINING_AUDIENCES,
    TRANSFER_TO,
)

PROTOCOL_VERSION = 1
RECORD_TYPES = (
    "session",
    "attendance",
    "quiz_response",
    "leaflet_scan",
    "correction",
    "void",
    "broadcast",
    "quiz_tally",
    "activity",
    "complaint",
    "complaint_step",
)
RESIDENT_TYPES = ("quiz_response", "leaflet_scan", "complaint")
AMENDMENT_TYPES = ("correction", "void")
# What a correction may change, per type of record: only what a person could have mistyped.
CORRECTABLE = {
    "attendance": ("count", *ATTENDANCE_PARTS),
    "session": ("place", "facilitator", "starts_at", "topic_ids"),
}
PHASES = ("pre", "post", None)
MAX_ATTENDANCE = 1000
MAX_TEXT = {
    "goods": 200,
    "seller": 200,
    "what_happened": 2000,
    "contact_name": 120,
    "contact_phone": 24,
    "place": 200,
    "facilitator": 120,
    "reason": 300,
    "station": 120,
    "batch": 120,
    "note": 300,
    "link": 500,
}
MAX_DAYS_AHEAD = 31  # a session (or a broadcast) may be recorded before it starts, by up to a month
MAX_MINUTES = 240  # one airing of a loudspeaker broadcast
MAX_REPEATS = 50  # airings of the same broadcast
MAX_HANDS = 10_000  # hands raised for one option of a question asked aloud
# The most one activity record may count, per kind (ACTIVITY_KINDS says what is counted).
MAX_ACTIVITY_COUNT = {
    "leaflets": 100_000,
    "banner": 1_000,
    "fair": 100_000,
    "media": 1_000,
    "training": 5_000,
}
MAX_LEAFLET_CODES = 50  # leaflet codes named by one "leaflets handed out" record
# The fields that belong to one kind of activity only.
ACTIVITY_FIELDS = {
    "leaflet_codes": "leaflets",
    "batch": "leaflets",
    "channel": "media",
    "link": "media",
    "audience": "training",
}
LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
MAX_AMOUNT = 1_000_000_000_000  # VND, on one complaint
MAX_PHOTOS = 5  # photos of one complaint
PHONE_NUMBER = re.compile(r"\+?[0-9][0-9 .-]{5,22}")
QR_KEY = re.compile(r"[A-Za-z0-9_-]{22,64}")


class EnvelopeError(ValueError):
    """The request as a whole is malformed (HTTP 400)."""


class RecordInvalid(ValueError):
    """One record is invalid; the message tells a person what to fix, `code` and `params` let
    the phone say it in its user's language."""

    def __init__(self, message: str, code: str = "invalid", **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params

    def as_dict(self) -> dict:
        return {"error": str(self), "code": self.code, "params": self.params}


@dataclass(frozen=True)
class Rules:
    """The time rules of one sync: records are bounded in time around the server's clock."""

    now: dt.datetime  # naive UTC
    skew: dt.timedelta = dt.timedelta(minutes=60)
    max_age: dt.timedelta = dt.timedelta(days=120)
    answer_window: dt.timedelta = dt.timedelta(hours=12)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], now: dt.datetime) -> Rules:
        return cls(
            now=now,
            skew=dt.timedelta(minutes=int(config.get("CLOCK_SKEW_MINUTES", 60))),
            max_age=dt.timedelta(days=int(config.get("MAX_RECORD_AGE_DAYS", 120))),
            answer_window=dt.timedelta(hours=int(config.get("SESSION_ANSWER_WINDOW_HOURS", 12))),
        )

    def check(self, value: dt.datetime, name: str, ahead: dt.timedelta | None = None) -> dt.datetime:
        """A record's time: not later than now plus the clock skew (or `ahead`), not older than
        the oldest a phone may keep records."""
        latest = self.now + (ahead if ahead is not None else self.skew)
        if value > latest:
            raise RecordInvalid(
                f"{name} {_stamp(value)} is in the future (the server's time is {_stamp(self.now)}); "
                "check the phone's date and time",
                "time_in_future",
                field=name,
                value=_stamp(value),
                server_time=_stamp(self.now),
            )
        if value < self.now - self.max_age:
            raise RecordInvalid(
                f"{name} {_stamp(value)} is older than {self.max_age.days} days; "
                "records that old are not accepted",
                "time_too_old",
                field=name,
                value=_stamp(value),
                days=self.max_age.days,
            )
        return value


def _stamp(value: dt.datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# -- fields -------------------------------------------------------------------------------------

CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def parse_uuid(value, name: str) -> str:
    if not isinstance(value, str):
        raise RecordInvalid(
            f"{name} must be a UUID string, found {type(value).__name__}", "not_uuid", field=name
        )
    if CANONICAL_UUID.fullmatch(value):  # what phones send: skip the slower general parse
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise RecordInvalid(f"{name} '{value[:60]}' is not a UUID", "not_uuid", field=name) from None


def parse_time(value, name: str) -> dt.datetime:
    """RFC 3339 with an offset -> naive UTC."""
    example = "2026-03-15T08:30:00+07:00"
    if not isinstance(value, str):
        raise RecordInvalid(f"{name} must be an RFC 3339 time like {example}", "not_time", field=name)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RecordInvalid(
            f"{name} '{value[:40]}' is not an RFC 3339 time like {example}", "not_time", field=name
        ) from None
    if parsed.tzinfo is None:
        raise RecordInvalid(
            f"{name} '{value[:40]}' needs a time zone offset, e.g. +07:00", "time_without_offset", field=name
        )
    return parsed.astimezone(dt.UTC).replace(tzinfo=None)


def whole_number(data: Mapping, name: str, low: int, high: int) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordInvalid(
            f"{name} must be a whole number from {low} to {high}, found {json.dumps(value)[:40]}",
            "not_whole_number",
            field=name,
            low=low,
            high=high,
        )
    if not low <= value <= high:
        raise RecordInvalid(
            f"{name} must be from {low} to {high}, found {value}",
            "out_of_range",
            field=name,
            low=low,
            high=high,
            value=value,
        )
    return value


def text(data: Mapping, name: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordInvalid(f"{name} must be text", "not_text", field=name)
    if len(value) > MAX_TEXT[name]:
        raise RecordInvalid(
            f"{name} is {len(value)} characters; at most {MAX_TEXT[name]}",
            "text_too_long",
            field=name,
            length=len(value),
            limit=MAX_TEXT[name],
        )
    return value.strip()


def topic_list(value, content: Content) -> list[str]:
    known = set(content.topic_ids())
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise RecordInvalid("topic_ids must be a list of topic ids", "not_topic_list", field="topic_ids")
    unknown = [t for t in value if t not in known]
    if unknown:
        raise RecordInvalid(
            f"unknown topic ids {unknown}; known: {sorted(known)}",
            "unknown_topic",
            field="topic_ids",
            topics=unknown,
        )
    return value


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
    seq: int | None = None
    extra: dict = field(default_factory=dict)  # what is checked against the database later


def fingerprint(record: dict) -> str:
    canonical = json.dumps(
        {"type": record.get("type"), "created_at": record.get("created_at"), "data": record.get("data")},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _own_commune(data: dict, actor: Actor) -> communes.CommuneInfo:
    """The official commune of `commune_code`, one its author may record in (a session's or a
    broadcast's)."""
    code = data.get("commune_code")
    info = communes.commune(code) if not isinstance(code, bool) else None
    if info is None:
        raise RecordInvalid(
            f"commune_code {json.dumps(code)[:20]} is not an official commune code",
            "unknown_commune",
            commune_code=str(code)[:20],
        )
    if not actor.may_record_in(info.code):
        raise RecordInvalid(
            f"commune {info.name} ({info.code}) is not one of your communes; "
            "ask an organiser to add it to your account",
            "commune_not_yours",
            commune=info.name,
            commune_code=info.code,
        )
    return info


def _language(data: dict, content: Content) -> str:
    """`lang`: a content language (an old code, such as hnj, counts for the language that
    replaced it)."""
    lang = data.get("lang")
    if isinstance(lang, str):
        lang = content.canonical_lang(lang)
    if lang not in content.languages:
        raise RecordInvalid(
            f"lang {json.dumps(lang)[:20]} is not one of {sorted(content.languages)}", "unknown_language"
        )
    return lang


def _session(data: dict, actor: Actor, content: Content, rules: Rules) -> dict:
    info = _own_commune(data, actor)
    qr_key = data.get("qr_key")
    if qr_key is not None and (not isinstance(qr_key, str) or not QR_KEY.fullmatch(qr_key)):
        raise RecordInvalid("qr_key must be 22 to 64 letters, digits, '-' or '_'", "bad_qr_key")
    starts_at = parse_time(data.get("starts_at"), "starts_at")
    return {
        "commune_code": info.code,
        "province_code": info.province_code,
        "topic_ids": json.dumps(topic_list(data.get("topic_ids"), content)),
        "starts_at": rules.check(starts_at, "starts_at", ahead=dt.timedelta(days=MAX_DAYS_AHEAD)),
        "place": text(data, "place"),
        "facilitator": text(data, "facilitator"),
        "qr_key_hash": hash_key(qr_key) if qr_key else None,
        "hold": 0,
    }


def _attendance(data: dict, _actor: Actor, _content: Content, _rules: Rules) -> dict:
    count = whole_number(data, "count", 1, MAX_ATTENDANCE)
    return {
        "session_id": parse_uuid(data.get("session_id"), "session_id"),
        "count": count,
        "women": whole_number(data, "women", 0, count),
        "ethnic_minority": whole_number(data, "ethnic_minority", 0, count),
        # recorded where staff count them; a phone from before they existed sends neither
        **{
            part: whole_number(data, part, 0, count) if part in data else 0
            for part in ("elderly", "disabled")
        },
        "commune_code": None,
        "province_code": None,
        "session_starts_at": None,
        "hold": 0,
    }


def _quiz_response(data: dict, _actor: Actor, content: Content, _rules: Rules) -> dict:
    quiz_id, lang = data.get("quiz_id"), _language(data, content)
    found = content.quiz(lang, quiz_id) if isinstance(quiz_id, str) else None
    if found is None:
        raise RecordInvalid(
            f"quiz_id {json.dumps(quiz_id)[:40]} is not a quiz; known: {content.quiz_ids()}", "unknown_quiz"
        )
    answers = data.get("answers")
    if not isinstance(answers, dict) or not answers:
        raise RecordInvalid(
            "answers must be an object {question id: option id} with at least one answer", "no_answers"
        )
    options = found.value.option_ids()
    for question, option in answers.items():
        if question not in options:
            raise RecordInvalid(
                f"answer to unknown question '{question[:40]}' of quiz '{quiz_id}'", "unknown_question"
            )
        if option not in options[question]:
            raise RecordInvalid(
                f"'{str(option)[:40]}' is not an option of question '{question}'", "unknown_option"
            )
    phase = data.get("phase")
    if phase not in PHASES:
        raise RecordInvalid(
            f"phase must be 'pre', 'post' or null, found {json.dumps(phase)[:20]}", "bad_phase"
        )
    session_id = data.get("session_id")
    key = data.get("session_key")
    if key is not None and not isinstance(key, str):
        raise RecordInvalid("session_key must be the text of the session QR code's key", "bad_qr_key")
    correct, total = score(found.value, answers)  # from the content, never from the phone
    return {
        "quiz_id": quiz_id,
        "lang": lang,
        "answers": json.dumps(answers, sort_keys=True),
        "session_id": parse_uuid(session_id, "session_id") if session_id is not None else None,
        "phase": phase if session_id is not None else None,
        "correct": correct,
        "total": total,
        "commune_code": None,
        "province_code": None,
        "session_key_hash": hash_key(key[:64]) if key else None,
        "hold": 0,
    }


def _leaflet_scan(data: dict, _actor: Actor, _content: Content, rules: Rules) -> dict:
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        raise RecordInvalid("code must be the leaflet's code", "no_leaflet_code")
    return {
        "code": normalize_code(code)[:16],
        "scanned_at": rules.check(parse_time(data.get("scanned_at"), "scanned_at"), "scanned_at"),
        "source": "offline",
        "hold": 0,
    }


def _broadcast(data: dict, actor: Actor, content: Content, rules: Rules) -> dict:
    """A loudspeaker broadcast: its commune is checked like a session's; airtime is minutes ×
    repeats."""
    info = _own_commune(data, actor)
    started_at = parse_time(data.get("started_at"), "started_at")
    return {
        "commune_code": info.code,
        "province_code": info.province_code,
        "station": text(data, "station") or info.name,
        "started_at": rules.check(started_at, "started_at", ahead=dt.timedelta(days=MAX_DAYS_AHEAD)),
        "topic_ids": json.dumps(topic_list(data.get("topic_ids"), content)),
        "lang": _language(data, content),
        "minutes": whole_number(data, "minutes", 1, MAX_MINUTES),
        "repeats": whole_number(data, "repeats", 1, MAX_REPEATS),
        "hold": 0,
    }


def _choice(data: dict, name: str, allowed) -> str:
    value = data.get(name)
    if value not in allowed:
        raise RecordInvalid(
            f"{name} must be one of {', '.join(allowed)}, found {json.dumps(value)[:40]}",
            "bad_choice",
            field=name,
            allowed=", ".join(allowed),
        )
    return str(value)


def _leaflet_codes(value) -> list[str]:
    """The codes printed on the leaflets handed out (as on the leaflet, any case or dashes)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(c, str) and c.strip() for c in value):
        raise RecordInvalid(
            "leaflet_codes must be a list of leaflet codes", "bad_leaflet_codes", field="leaflet_codes"
        )
    if len(value) > MAX_LEAFLET_CODES:
        raise RecordInvalid(
            f"leaflet_codes names {len(value)} leaflets; at most {MAX_LEAFLET_CODES}",
            "too_many_leaflet_codes",
            field="leaflet_codes",
            limit=MAX_LEAFLET_CODES,
        )
    return sorted({normalize_code(c)[:16] for c in value})


def _activity(data: dict, actor: Actor, content: Content, rules: Rules) -> dict:
    """A campaign activity: its commune is checked like a session's; `count` counts what its
    kind says (ACTIVITY_KINDS), and a field of another kind is named, not silently dropped."""
    kind = _choice(data, "kind", tuple(ACTIVITY_KINDS))
    for name, owner in ACTIVITY_FIELDS.items():
        if owner != kind and data.get(name) not in (None, "", []):
            raise RecordInvalid(
                f"{name} belongs to a '{owner}' activity, not to a '{kind}' one",
                "field_not_for_kind",
                field=name,
                kind=kind,
            )
    info = _own_commune(data, actor)
    held_at = parse_time(data.get("held_at"), "held_at")
    link = text(data, "link")
    if link and not LINK.fullmatch(link):
        raise RecordInvalid(
            "link must be a web address starting with http:// or https://", "bad_link", field="link"
        )
    return {
        "kind": kind,
        "commune_code": info.code,
        "province_code": info.province_code,
        "held_at": rules.check(held_at, "held_at", ahead=dt.timedelta(days=MAX_DAYS_AHEAD)),
        "topic_ids": json.dumps(topic_list(data.get("topic_ids", []), content)),
        "count": whole_number(data, "count", 1, MAX_ACTIVITY_COUNT[kind]),
        "leaflet_codes": json.dumps(_leaflet_codes(data.get("leaflet_codes"))),
        "batch": text(data, "batch"),
        "channel": _choice(data, "channel", MEDIA_CHANNELS) if kind == "media" else "",
        "link": link,
        "audience": _choice(data, "audience", TRAINING_AUDIENCES) if kind == "training" else "",
        "note": text(data, "note"),
        "hold": 0,
    }


def _required_text(data: dict, name: str) -> str:
    value = text(data, name)
    if not value:
        raise RecordInvalid(f"{name} is needed", "text_needed", field=name)
    return value


def _money(data: dict, name: str) -> int | None:
    return whole_number(data, name, 0, MAX_AMOUNT) if data.get(name) is not None else None


def _complaint(data: dict, actor: Actor, content: Content, rules: Rules) -> dict:
    """A consumer's complaint as taken in the commune. Staff take it in one of their communes;
    a consumer sending it from their own phone may name a commune or not. The contact is kept
    only with the consumer's consent."""
    if actor.role == RESIDENT:
        code = data.get("commune_code")
        info = communes.commune(code) if code is not None and not isinstance(code, bool) else None
        if code is not None and info is None:
            raise RecordInvalid(
                f"commune_code {json.dumps(code)[:20]} is not an official commune code", "unknown_commune"
            )
    else:
        info = _own_commune(data, actor)
    contact = {name: text(data, name) for name in ("contact_name", "contact_phone")}
    consent = data.get("consent", False)
    if not isinstance(consent, bool):
        raise RecordInvalid("consent must be true or false", "not_boolean", field="consent")
    if any(contact.values()) and not consent:
        raise RecordInvalid(
            "a contact is kept only with the consumer's consent (consent: true)",
            "consent_needed",
            field="consent",
        )
    if contact["contact_phone"] and not PHONE_NUMBER.fullmatch(contact["contact_phone"]):
        raise RecordInvalid("contact_phone is not a phone number", "bad_phone", field="contact_phone")
    photos = data.get("photo_ids", [])
    if not isinstance(photos, list) or len(photos) > MAX_PHOTOS:
        raise RecordInvalid(
            f"photo_ids must be a list of at most {MAX_PHOTOS} ids", "bad_photos", limit=MAX_PHOTOS
        )
    taken_at = rules.check(parse_time(data.get("taken_at"), "taken_at"), "taken_at")
    return {
        "commune_code": info.code if info else None,
        "province_code": info.province_code if info else None,
        "taken_at": taken_at,
        "source": "resident" if actor.role == RESIDENT else actor.role,
        "goods": _required_text(data, "goods"),
        "seller": text(data, "seller"),
        "place": text(data, "place"),
        "what_happened": _required_text(data, "what_happened"),
        "amount": _money(data, "amount"),
        "wanted": _choice(data, "wanted", COMPLAINT_OUTCOMES),
        "lang": _language(data, content),
        "status": "received",
        "status_at": taken_at,
        "due_at": add_working_days(taken_at, FORWARD_DAYS),
        "transferred_to": "",
        "money_recovered": 0,
        "photo_ids": json.dumps(sorted({parse_uuid(p, "photo_ids") for p in photos})),
        "consent": consent,
        **contact,
        "personal_deleted_at": None,
        "user_id": actor.user_id,
        "hold": 0,
    }


def _complaint_step(data: dict, actor: Actor, _content: Content, rules: Rules) -> dict:
    """A step of a case: advised, transferred (to whom), resolved (money recovered) or closed.
    Whether it may follow the case's steps so far is decided against the case (complaints.py)."""
    step = _choice(data, "step", COMPLAINT_STEPS[1:])
    return {
        "complaint_id": parse_uuid(data.get("complaint_id"), "complaint_id"),
        "step": step,
        "taken_at": rules.check(parse_time(data.get("taken_at"), "taken_at"), "taken_at"),
        "user_id": actor.user_id,
        "by": actor.username or "",
        "note": text(data, "note"),
        "transferred_to": _choice(data, "transferred_to", TRANSFER_TO) if step == "transferred" else "",
        "money_recovered": (_money(data, "money_recovered") or 0) if step == "resolved" else 0,
    }


def _hands(counts, question: str, options: set[str]) -> dict[str, int]:
    """{option id: hands} of one question asked aloud; a wrong option or number is named."""
    if not isinstance(counts, dict) or not counts:
        raise RecordInvalid(
            "counts must be an object {option id: hands} with at least one option", "no_counts"
        )
    checked = {}
    for option in counts:
        if option not in options:
            raise RecordInvalid(
                f"'{option[:40]}' is not an option of question '{question}'; options: {sorted(options)}",
                "unknown_option",
                option=option[:40],
                question=question,
            )
        try:
            checked[option] = whole_number(counts, option, 0, MAX_HANDS)
        except RecordInvalid as exc:
            raise RecordInvalid(
                f"counts of option '{option}': {exc}", exc.code, **exc.params, option=option
            ) from None
    return checked


def _quiz_tally(data: dict, _actor: Actor, content: Content, _rules: Rules) -> dict:
    """A question of a quiz asked aloud at a session, with the hands raised per option."""
    session_id = parse_uuid(data.get("session_id"), "session_id")
    quiz_id, lang = data.get("quiz_id"), _language(data, content)
    found = content.quiz(lang, quiz_id) if isinstance(quiz_id, str) else None
    if found is None:
        raise RecordInvalid(
            f"quiz_id {json.dumps(quiz_id)[:40]} is not a quiz; known: {content.quiz_ids()}", "unknown_quiz"
        )
    question = data.get("question_id")
    options = found.value.option_ids()
    if not isinstance(question, str) or question not in options:
        raise RecordInvalid(
            f"question_id {json.dumps(question)[:40]} is not a question of quiz '{quiz_id}'",
            "unknown_question",
            question=str(question)[:40],
            quiz=quiz_id,
        )
    phase = data.get("phase")
    if phase not in PHASES:
        raise RecordInvalid(
            f"phase must be 'pre', 'post' or null, found {json.dumps(phase)[:20]}", "bad_phase"
        )
    counts = _hands(data.get("counts"), question, options[question])
    return {
        "session_id": session_id,
        "quiz_id": quiz_id,
        "lang": lang,
        "phase": phase,
        "question_id": question,
        "counts": json.dumps(counts, sort_keys=True),
        "hands": sum(counts.values()),
        "commune_code": None,
        "province_code": None,
        "hold": 0,
    }


def correction_value(name: str, value, content: Content):
    """A corrected field's value, checked like the field itself (in JSON form)."""
    if name in ("count",):
        return whole_number({name: value}, name, 1, MAX_ATTENDANCE)
    if name in ATTENDANCE_PARTS:
        return whole_number({name: value}, name, 0, MAX_ATTENDANCE)
    if name in ("place", "facilitator"):
        return text({name: value}, name)
    if name == "starts_at":
        parse_time(value, name)
        return value
    if name == "topic_ids":
        return topic_list(value, content)
    fields = sorted({f for names in CORRECTABLE.values() for f in names})
    raise RecordInvalid(
        f"'{name[:40]}' cannot be corrected; only {', '.join(fields)}",
        "field_not_correctable",
        field=name[:40],
    )


def _correction(data: dict, _actor: Actor, content: Content, _rules: Rules) -> dict:
    changes = data.get("changes")
    if not isinstance(changes, dict) or not changes:
        raise RecordInvalid(
            "changes must be an object {field: new value} with at least one field", "no_changes"
        )
    checked = {name: correction_value(str(name), value, content) for name, value in changes.items()}
    return {
        "kind": "correction",
        "target_id": parse_uuid(data.get("target_id"), "target_id"),
        "changes": json.dumps(checked, sort_keys=True),
        "reason": text(data, "reason"),
    }


def _void(data: dict, _actor: Actor, _content: Content, _rules: Rules) -> dict:
    return {
        "kind": "void",
        "target_id": parse_uuid(data.get("target_id"), "target_id"),
        "changes": "{}",
        "reason": text(data, "reason"),
    }


PARSERS = {
    "session": _session,
    "attendance": _attendance,
    "quiz_response": _quiz_response,
    "leaflet_scan": _leaflet_scan,
    "correction": _correction,
    "void": _void,
    "broadcast": _broadcast,
    "quiz_tally": _quiz_tally,
    "activity": _activity,
    "complaint": _complaint,
    "complaint_step": _complaint_step,
}


def parse_record(record, actor: Actor, content: Content, rules: Rules) -> Parsed:
    if not isinstance(record, dict):
        raise RecordInvalid("a record must be an object with id, type, created_at and data", "not_record")
    record_id = parse_uuid(record.get("id"), "id")
    kind = record.get("type")
    if kind not in RECORD_TYPES:
        raise RecordInvalid(
            f"unknown record type {json.dumps(kind)[:40]}; known: {', '.join(RECORD_TYPES)}", "unknown_type"
        )
    if actor.role == RESIDENT and kind not in RESIDENT_TYPES:
        raise RecordInvalid(
            f"a resident's phone cannot send '{kind}' records; log in as staff", "resident_cannot", type=kind
        )
    seq = record.get("seq")
    if seq is not None:
        seq = whole_number(record, "seq", 1, 2**31 - 1)
    created_at = rules.check(parse_time(record.get("created_at"), "created_at"), "created_at")
    data = record.get("data")
    if not isinstance(data, dict):
        raise RecordInvalid("data must be an object", "no_data")
    row = PARSERS[kind](data, actor, content, rules)
    return Parsed(record_id, kind, created_at, fingerprint(record), row, seq)


def record_id_of(record) -> str | None:
    if isinstance(record, dict) and isinstance(record.get("id"), str):
        try:
            return str(uuid.UUID(record["id"]))
        except ValueError:
            return record["id"][:64]
    return None


def seq_of(record) -> int | None:
    """A record's sequence number when it is a plausible one, even if the record is invalid."""
    seq = record.get("seq") if isinstance(record, dict) else None
    if isinstance(seq, int) and not isinstance(seq, bool) and 1 <= seq < 2**31:
        return seq
    return None
