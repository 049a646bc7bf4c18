"""GET /api/v1/openapi.json: an OpenAPI 3 description of /api/v1."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app

from ..config import sync_limits
from ..models import (
    ACTIVITY_KINDS,
    COMPLAINT_OUTCOMES,
    COMPLAINT_STEPS,
    MEDIA_CHANNELS,
    TRAINING_AUDIENCES,
    TRANSFER_TO,
)
from ..sync import MAX_ATTENDANCE, MAX_TEXT, RECORD_TYPES
from ..sync_parse import (
    MAX_ACTIVITY_COUNT,
    MAX_DAYS_AHEAD,
    MAX_HANDS,
    MAX_LEAFLET_CODES,
    MAX_MINUTES,
    MAX_PHOTOS,
    MAX_REPEATS,
)
from . import bp


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(schema_ref: str, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": schema_ref}}}}


RFC3339 = {
    "type": "string",
    "format": "date-time",
    "description": "RFC 3339 with an offset, e.g. 2026-03-15T08:30:00+07:00",
}
UUID = {"type": "string", "format": "uuid"}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {
            "error": {"type": "string"},
            "status": {"type": "integer"},
            "message": {"type": "string"},
            "limits": {"$ref": "#/components/schemas/Limits"},
        },
    },
    "SessionData": {
        "type": "object",
        "required": ["commune_code", "topic_ids", "starts_at"],
        "properties": {
            "commune_code": {"type": "integer", "description": "official code from vietnam-provinces"},
            "topic_ids": {"type": "array", "items": {"type": "string"}},
            "starts_at": RFC3339,
            "place": {"type": "string", "maxLength": MAX_TEXT["place"]},
            "facilitator": {"type": "string", "maxLength": MAX_TEXT["facilitator"]},
            "qr_key": {
                "type": "string",
                "pattern": "^[A-Za-z0-9_-]{22,64}$",
                "description": "the secret the session QR code carries; residents' answers join with it",
            },
        },
    },
    "AttendanceData": {
        "type": "object",
        "required": ["session_id", "count"],
        "properties": {
            "session_id": UUID,
            "count": {"type": "integer", "minimum": 1, "maximum": MAX_ATTENDANCE},
            "women": {"type": "integer", "minimum": 0, "description": "0..count"},
            "ethnic_minority": {"type": "integer", "minimum": 0, "description": "0..count"},
            "elderly": {
                "type": "integer",
                "minimum": 0,
                "description": "0..count: aged 60 or over; optional",
            },
            "disabled": {
                "type": "integer",
                "minimum": 0,
                "description": "0..count: with disabilities; optional",
            },
        },
    },
    "QuizResponseData": {
        "type": "object",
        "required": ["quiz_id", "lang", "answers"],
        "properties": {
            "quiz_id": {"type": "string"},
            "lang": {"type": "string"},
            "answers": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "{question id: option id}; the server computes the score",
            },
            "session_id": {**UUID, "nullable": True},
            "phase": {"type": "string", "enum": ["pre", "post"], "nullable": True},
            "session_key": {
                "type": "string",
                "description": "from the session QR code: a resident's answer joins the session only with it",
            },
        },
    },
    "LeafletScanData": {
        "type": "object",
        "required": ["code", "scanned_at"],
        "properties": {"code": {"type": "string"}, "scanned_at": RFC3339},
    },
    "CorrectionData": {
        "type": "object",
        "required": ["target_id", "changes"],
        "properties": {
            "target_id": UUID,
            "changes": {
                "type": "object",
                "description": "{field: new value}: attendance count, women, ethnic_minority, elderly, disabled; session place, "
                "facilitator, starts_at, topic_ids. Applied in the order the corrections were made",
            },
            "reason": {"type": "string", "maxLength": MAX_TEXT["reason"]},
        },
    },
    "VoidData": {
        "type": "object",
        "required": ["target_id"],
        "properties": {"target_id": UUID, "reason": {"type": "string", "maxLength": MAX_TEXT["reason"]}},
    },
    "BroadcastData": {
        "type": "object",
        "description": "a commune loudspeaker broadcast; airtime = minutes × repeats",
        "required": ["commune_code", "started_at", "topic_ids", "lang", "minutes", "repeats"],
        "properties": {
            "commune_code": {
                "type": "integer",
                "description": "official code; one of the author's communes, as for a session "
                "(else code commune_not_yours)",
            },
            "station": {
                "type": "string",
                "maxLength": MAX_TEXT["station"],
                "description": "the station's name; empty: the commune's name",
            },
            "started_at": {
                **RFC3339,
                "description": f"when it went on air; at most {MAX_DAYS_AHEAD} days ahead",
            },
            "topic_ids": {"type": "array", "items": {"type": "string"}},
            "lang": {"type": "string", "description": "a content language"},
            "minutes": {"type": "integer", "minimum": 1, "maximum": MAX_MINUTES, "description": "one airing"},
            "repeats": {"type": "integer", "minimum": 1, "maximum": MAX_REPEATS, "description": "airings"},
        },
    },
    "QuizTallyData": {
        "type": "object",
        "description": "one question of a quiz asked aloud at a session, with the hands raised per "
        "option; reported apart from individual answers. A later tally of the same session, quiz, "
        "phase and question replaces it; more hands than the session's attendance is rejected "
        "(code tally_over_attendance, params hands and attendance) when the attendance is known, "
        "else not counted",
        "required": ["session_id", "quiz_id", "lang", "question_id", "counts"],
        "properties": {
            "session_id": {**UUID, "description": "its session; may arrive before it"},
            "quiz_id": {"type": "string"},
            "lang": {"type": "string"},
            "phase": {"type": "string", "enum": ["pre", "post"], "nullable": True},
            "question_id": {"type": "string", "description": "a question of the quiz"},
            "counts": {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 0, "maximum": MAX_HANDS},
                "minProperties": 1,
                "description": "{option id: hands}; options of the question only",
            },
        },
    },
    "ActivityData": {
        "type": "object",
        "description": "a campaign activity other than a session; count counts what its kind says: "
        + "; ".join(f"{kind}: {what}" for kind, what in ACTIVITY_KINDS.items())
        + ". A field of another kind is rejected (code field_not_for_kind)",
        "required": ["kind", "commune_code", "held_at", "count"],
        "properties": {
            "kind": {"type": "string", "enum": list(ACTIVITY_KINDS)},
            "commune_code": {
                "type": "integer",
                "description": "one of the author's communes, as for a session",
            },
            "held_at": {
                **RFC3339,
                "description": f"the day it took place; at most {MAX_DAYS_AHEAD} days ahead",
            },
            "topic_ids": {"type": "array", "items": {"type": "string"}},
            "count": {
                "type": "integer",
                "minimum": 1,
                "description": "at most "
                + ", ".join(f"{n:,} ({kind})" for kind, n in MAX_ACTIVITY_COUNT.items()),
            },
            "leaflet_codes": {
                "type": "array",
                "items": {"type": "string"},
                "maxItems": MAX_LEAFLET_CODES,
                "description": "leaflets: the codes printed on the leaflets handed out",
            },
            "batch": {"type": "string", "maxLength": MAX_TEXT["batch"], "description": "leaflets: a batch"},
            "channel": {"type": "string", "enum": list(MEDIA_CHANNELS), "description": "media: required"},
            "link": {
                "type": "string",
                "maxLength": MAX_TEXT["link"],
                "description": "media: http(s) address",
            },
            "audience": {
                "type": "string",
                "enum": list(TRAINING_AUDIENCES),
                "description": "training: required",
            },
            "note": {"type": "string", "maxLength": MAX_TEXT["note"]},
        },
    },
    "ComplaintData": {
        "type": "object",
        "description": "a consumer's complaint taken in the commune (staff: one of their communes; a "
        "resident's phone: any commune or none, at most LOA_RESIDENT_COMPLAINTS_PER_DAY a day). The "
        "contact is kept only with consent (else code consent_needed)",
        "required": ["taken_at", "goods", "what_happened", "wanted", "lang"],
        "properties": {
            "commune_code": {"type": "integer", "nullable": True},
            "taken_at": RFC3339,
            "goods": {"type": "string", "maxLength": MAX_TEXT["goods"], "description": "goods or service"},
            "seller": {"type": "string", "maxLength": MAX_TEXT["seller"]},
            "place": {"type": "string", "maxLength": MAX_TEXT["place"]},
            "what_happened": {"type": "string", "maxLength": MAX_TEXT["what_happened"]},
            "amount": {"type": "integer", "minimum": 0, "nullable": True, "description": "VND paid"},
            "wanted": {"type": "string", "enum": list(COMPLAINT_OUTCOMES)},
            "lang": {"type": "string"},
            "consent": {"type": "boolean", "description": "the consumer agrees their contact is kept"},
            "contact_name": {"type": "string", "maxLength": MAX_TEXT["contact_name"]},
            "contact_phone": {"type": "string", "maxLength": MAX_TEXT["contact_phone"]},
            "photo_ids": {
                "type": "array",
                "items": UUID,
                "maxItems": MAX_PHOTOS,
                "description": "photos uploaded afterwards with PUT /api/v1/photos/{id}",
            },
        },
    },
    "ComplaintStepData": {
        "type": "object",
        "description": "a step of a case, signed by its sender: advised, transferred (to whom), resolved "
        "(money recovered) or closed. Never back, never before the last step, nothing after resolved or "
        "closed (codes step_out_of_order, step_before_previous, case_finished, unknown_case)",
        "required": ["complaint_id", "step", "taken_at"],
        "properties": {
            "complaint_id": UUID,
            "step": {"type": "string", "enum": list(COMPLAINT_STEPS[1:])},
            "taken_at": RFC3339,
            "note": {"type": "string", "maxLength": MAX_TEXT["note"]},
            "transferred_to": {"type": "string", "enum": list(TRANSFER_TO)},
            "money_recovered": {"type": "integer", "minimum": 0},
        },
    },
    "Record": {
        "type": "object",
        "required": ["id", "type", "created_at", "data"],
        "properties": {
            "id": {**UUID, "description": "made on the phone when the record is made; the idempotency key"},
            "type": {"type": "string", "enum": list(RECORD_TYPES)},
            "created_at": RFC3339,
            "seq": {
                "type": "integer",
                "minimum": 1,
                "description": "the phone's sequence number for this record, per device_id, from 1",
            },
            "data": {
                "oneOf": [
                    {"$ref": f"#/components/schemas/{name}"}
                    for name in (
                        "SessionData",
                        "AttendanceData",
                        "QuizResponseData",
                        "LeafletScanData",
                        "CorrectionData",
                        "VoidData",
                        "BroadcastData",
                        "QuizTallyData",
                        "ActivityData",
                        "ComplaintData",
                        "ComplaintStepData",
                    )
                ]
            },
        },
    },
    "Limits": {
        "type": "object",
        "description": "the server's sync batch limits (LOA_SYNC_MAX_RECORDS, LOA_MAX_BODY_BYTES)",
        "properties": {"max_records": {"type": "integer"}, "max_bytes": {"type": "integer"}},
    },
    "Problem": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "nullable": True},
            "index": {"type": "integer"},
            "error": {"type": "string", "description": "in English, for people reading logs"},
            "code": {"type": "string", "description": "a stable identifier, e.g. commune_not_yours"},
            "params": {"type": "object", "description": "the values the message names"},
        },
    },
    "SyncResponse": {
        "type": "object",
        "required": ["accepted", "duplicates", "conflicts", "rejected", "server_time"],
        "properties": {
            "accepted": {"type": "array", "items": UUID, "description": "stored now"},
            "limits": {"$ref": "#/components/schemas/Limits"},
            "resident_answers": {
                "type": "object",
                "description": "staff phones: answers residents sent from their own phones (with the session "
                "QR key) to the sessions this device recorded in the last 30 days, {session id: {phase: count}}",
                "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}},
            },
            "duplicates": {
                "type": "array",
                "items": UUID,
                "description": "already stored with the same content; forget it",
            },
            "conflicts": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Problem"},
                "description": "same id, different content; the server kept the first",
            },
            "rejected": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Problem"},
                "description": "invalid, with a message a person can act on",
            },
            "server_time": RFC3339,
            "device": {
                "type": "object",
                "description": "what the server holds of this device's sequence numbers",
                "properties": {
                    "received_through": {"type": "integer", "description": "1..N all arrived"},
                    "gaps": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
                },
            },
            "attention": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Problem"},
                "description": "records of this device accepted earlier that no longer count, with the reason",
            },
        },
    },
    "Login": {
        "type": "object",
        "required": ["username", "password"],
        "properties": {
            "username": {"type": "string"},
            "password": {"type": "string", "format": "password"},
            "device_id": UUID,
            "label": {"type": "string"},
            "new_password": {
                "type": "string",
                "format": "password",
                "description": "required after an organiser reset the password (403 password_change_required)",
            },
        },
    },
    "PasswordChange": {
        "type": "object",
        "required": ["current_password", "new_password"],
        "properties": {
            "current_password": {"type": "string", "format": "password"},
            "new_password": {"type": "string", "format": "password"},
        },
    },
    "Token": {
        "type": "object",
        "properties": {
            "token": {"type": "string"},
            "token_id": {"type": "integer"},
            "role": {"type": "string"},
            "username": {"type": "string"},
            "communes": {"type": "array", "items": {"type": "object"}},
        },
    },
}


def sync_request(limits: dict[str, int]) -> dict:
    return {
        "type": "object",
        "required": ["records"],
        "description": f"at most {limits['max_records']} records and {limits['max_bytes']} bytes "
        "(after gzip is undone)",
        "properties": {
            "device_id": UUID,
            "records": {
                "type": "array",
                "maxItems": limits["max_records"],
                "items": {"$ref": "#/components/schemas/Record"},
            },
        },
    }


def document(config: Mapping[str, Any]) -> dict:
    """The OpenAPI document, with the limits of this server's settings."""
    limits = sync_limits(config)
    bearer: list[dict[str, list[str]]] = [{"bearer": []}]
    paths = {
        "/api/v1/sync": {
            "post": {
                "summary": "Send records made offline (sync protocol version 1)",
                "description": "Idempotent on record id. Records may arrive in any order and in any batch. "
                "Content-Encoding: gzip is accepted.",
                "security": bearer,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SyncRequest"}}},
                },
                "responses": {
                    "200": _json("#/components/schemas/SyncResponse", "what happened to each record"),
                    "400": _error("malformed envelope"),
                    "401": _error("missing, unknown, expired or revoked token (code login_needed)"),
                    "413": _error(
                        f"more than {limits['max_records']} records or more than {limits['max_bytes']} bytes; "
                        "the answer carries the limits"
                    ),
                    "429": _error(
                        "too many requests, or a resident's daily quota used up (code quota_exceeded, "
                        "with quota, limit, remaining and retry_after; nothing stored); see Retry-After"
                    ),
                    "503": _error("database unavailable; nothing stored"),
                },
            }
        },
        "/api/v1/auth/login": {
            "post": {
                "summary": "Staff log in on a phone and receive a device token",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Login"}}},
                },
                "responses": {
                    "200": _json("#/components/schemas/Token"),
                    "400": _error(
                        "the new password is refused (code password_too_short, password_common, ...)"
                    ),
                    "401": _error("wrong username or password (code wrong_credentials)"),
                    "403": _error(
                        "the password was reset: send new_password (code password_change_required)"
                    ),
                    "429": _error(
                        "too many attempts from this address or at this account (code too_many_attempts, "
                        "params.seconds); see Retry-After"
                    ),
                },
            }
        },
        "/api/v1/auth/password": {
            "post": {
                "summary": "Change one's own password; the account's other phones and logins end",
                "security": bearer,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/PasswordChange"}}
                    },
                },
                "responses": {
                    "200": {"description": "changed"},
                    "400": _error(
                        "the new password is refused (code password_too_short, password_common, ...)"
                    ),
                    "401": _error(
                        "the current password is wrong (code wrong_current_password), or a bad token"
                    ),
                    "429": _error("too many attempts; see Retry-After"),
                },
            }
        },
        "/api/v1/auth/logout": {
            "post": {
                "summary": "Revoke this device token",
                "security": bearer,
                "responses": {"200": {"description": "revoked"}, "401": _error("missing or revoked token")},
            }
        },
        "/api/v1/devices/anonymous": {
            "post": {
                "summary": "A token for a resident's phone (quiz answers, leaflet scans and complaints only)",
                "responses": {"200": _json("#/components/schemas/Token"), "429": _error("too many requests")},
            }
        },
        "/api/v1/me": {
            "get": {
                "summary": "Who this token belongs to",
                "security": bearer,
                "responses": {"200": {"description": "the account"}, "401": _error("bad token")},
            }
        },
        "/api/v1/photos/{photo_id}": {
            "get": {
                "summary": "How much of a complaint's photo arrived: {id, received, size, complete}",
                "security": bearer,
                "responses": {
                    "200": {"description": "where to resume"},
                    "404": _error("no complaint of this phone names the photo (code unknown_photo)"),
                },
            },
            "put": {
                "summary": "Send a piece of a complaint's photo: Content-Range: bytes START-END/TOTAL, at "
                "most 256 KB a piece, TOTAL at most LOA_PHOTO_MAX_BYTES; a piece sent twice changes nothing",
                "security": bearer,
                "responses": {
                    "200": {"description": "{id, received, size, complete}"},
                    "400": _error("no or a wrong Content-Range (code bad_range)"),
                    "404": _error("no complaint of this phone names the photo (code unknown_photo)"),
                    "409": _error("send from byte params.received (code resume_from), or another size"),
                    "413": _error("the photo or the piece is too large (params.limit)"),
                    "415": _error("the whole photo is not a JPEG, PNG or WebP image; send it again"),
                },
            },
        },
        "/api/v1/stats": {
            "get": {
                "summary": "Participation figures for organisers: totals, by province, by commune",
                "security": bearer,
                "parameters": [
                    {"name": n, "in": "query", "required": False, "schema": {"type": t}, "description": d}
                    for n, t, d in (
                        ("province", "integer", "official province code"),
                        ("commune", "integer", "official commune code"),
                        ("topic", "string", "topic id"),
                        ("lang", "string", "language code"),
                        ("from", "string", "first day, YYYY-MM-DD"),
                        ("to", "string", "last day, YYYY-MM-DD"),
                    )
                ],
                "responses": {
                    "200": {
                        "description": "totals, by_province and by_commune, each with sessions, "
                        "attendees, women, ethnic_minority, elderly, disabled, quiz_responses, leaflet_scans, broadcasts "
                        "and broadcast_minutes (loudspeaker airtime: minutes × repeats); broadcasts "
                        "{by_language, by_topic: [{lang or topic, broadcasts, minutes}]}; activities "
                        "{by_kind: {kind: {activities, count}}, by_commune: [{commune_code, commune, "
                        "province, activities, kinds: {kind: {activities, count}}}]}; complaints {received, by_status, "
                        "advised_share, resolved_share, success_rate, money_recovered, overdue}; "
                        "waiting_for_session {attendance_lines, people, quiz_responses, quiz_tallies}"
                    },
                    "400": _error("a filter names an unknown code or the dates are inverted"),
                    "401": _error("no organiser token or session"),
                    "403": _error("not an organiser"),
                },
            }
        },
        "/api/v1/content/{lang}": {
            "get": {
                "summary": "Content index of a language: topics, quizzes, events, precache list",
                "parameters": [
                    {"name": "lang", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "the index"}, "404": _error("unknown language")},
            }
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Loa API",
            "version": "1",
            "description": "Consumer-rights campaigns offline: sync records from phones, read content.",
        },
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, "SyncRequest": sync_request(limits)},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "a device token (loa_...)"}
            },
        },
    }


@bp.get("/openapi.json")
def openapi():
    return document(current_app.config)
