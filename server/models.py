"""Database models. Records made on phones use the phone's UUID as their primary key, which
is what makes every sync idempotent: the same record can arrive any number of times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import Model

# Account roles, named once: organisers see figures and manage accounts; staff record sessions
# in their own communes.
ORGANISER = "organiser"
STAFF = "staff"
ROLES = (ORGANISER, STAFF)

# What the stats read, as the trailing columns of the covering indexes (after the place codes).
# The parts of an attendance line: women and ethnic minority always; elderly (60 or over) and
# people with disabilities where staff record them (0 otherwise). Each is from 0 to the count.
ATTENDANCE_PARTS = ("women", "ethnic_minority", "elderly", "disabled")
ATTENDANCE_FIGURES = ("commune_code", "session_starts_at", "count", *ATTENDANCE_PARTS, "hold")
QUIZ_FIGURES = ("created_at", "lang", "quiz_id", "hold")
BROADCAST_FIGURES = ("commune_code", "started_at", "hold", "lang", "minutes", "repeats")
TALLY_FIGURES = ("created_at", "lang", "quiz_id", "hold")
ACTIVITY_FIGURES = ("commune_code", "held_at", "hold", "kind", "count")
UUID_LEN = 36
SHA256_HEX = 64
CONTENT_PATH_LEN = 200  # a content file's path inside the content folder

# Why a stored record is held out of the figures: bits of the `hold` column of sessions,
# attendance, quiz answers and leaflet scans. A record counts when hold is 0; each reason is
# set and cleared on its own, so releasing a quarantine never brings back a voided record.
HOLD_VOIDED = 1  # voided by the person who made it or by an organiser
HOLD_QUARANTINED = 2  # everything its device sent is quarantined by an organiser
HOLD_NOT_ALLOWED = 4  # its session is in a commune its author may not record in
HOLD_SESSION_VOIDED = 8  # an attendance line, answer or show-of-hands tally of a voided session


def utcnow() -> dt.datetime:
    """Naive UTC: every datetime in the database is UTC, on SQLite and PostgreSQL alike."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class User(Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    province_code: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Set by an organiser's reset: the next login must choose a new password first.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    communes: Mapped[list[UserCommune]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def commune_codes(self) -> set[int]:
        return {c.commune_code for c in self.communes}

    @property
    def is_national(self) -> bool:
        """A national organiser: no province. A province organiser sees their province only."""
        return self.role == ORGANISER and self.province_code is None


class LoginSession(Model):
    """A login on the organiser pages. The cookie carries a random token; only its SHA-256 is
    stored, so a session ends on the server (logout, a disabled account, a new password, its
    lifetime or idle time over) whatever the browser still holds."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(SHA256_HEX), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str | None] = mapped_column(String(16))  # logout | disabled | password | ...


class Throttle(Model):
    """Login and request limits shared by every server process: hits in the current window of
    a key (an address, a device), and the failed logins and back-off of an account."""

    __tablename__ = "throttle"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    touched_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class AuditEntry(Model):
    """Who did what on the organiser side (and on the command line): accounts, devices,
    records, events, content. Never edited; national organisers read and export it."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(64))  # the username then, or "command line"
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(120), default="")
    province_code: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="")


class UserCommune(Model):
    """A commune a staff member works in (and may record sessions for)."""

    __tablename__ = "user_communes"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    commune_code: Mapped[int] = mapped_column(Integer, primary_key=True)


class DeviceToken(Model):
    """A phone's bearer token. Only its SHA-256 is stored. No user: a resident's phone."""

    __tablename__ = "device_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device_id: Mapped[str | None] = mapped_column(String(UUID_LEN))
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_sync_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # to expire unused tokens
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    user: Mapped[User | None] = relationship(lazy="joined")


class SyncRecord(Model):
    """The ledger of every record received through sync: one row per record id, ever.

    `fingerprint` is a hash of the record's type, created_at and data; the same id with the
    same fingerprint is a duplicate, with another fingerprint a conflict."""

    __tablename__ = "sync_records"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(UUID_LEN))
    token_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    seq: Mapped[int | None] = mapped_column(Integer)
    # Set when a record accepted earlier turns out not to count (its session is in a commune its
    # author may not record in, a correction that cannot apply): the sending phone is told at
    # its next sync, under "needs attention". `problem` is a stable code, `problem_params` JSON.
    problem: Mapped[str | None] = mapped_column(String(40))
    problem_params: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_sync_records_device_seq", "device_id", "seq"),)


class Device(Model):
    """A phone (or, for online leaflet scans, an anonymous web client) that sent records: what
    organisers see per device, and the quarantine that holds everything it sent out of the
    figures. A wiped or re-installed phone makes a new device id, so a new device."""

    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # staff | organiser | resident | web | import
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    token_id: Mapped[int | None] = mapped_column(Integer)
    first_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    rejected: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    quarantined_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    quarantine_reason: Mapped[str] = mapped_column(String(300), default="")
    quarantined_by: Mapped[int | None] = mapped_column(Integer)


class DeviceSeq(Model):
    """Every sequence number a device's records carried, accepted or not: what it has sent."""

    __tablename__ = "device_seqs"
    device_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class Amendment(Model):
    """A correction or a void of a stored record, from the phone that made it (a sync record of
    type `correction` or `void`) or from an organiser. Both the original and the amendment stay;
    the figures use the corrected values. One that arrives before its target waits."""

    __tablename__ = "amendments"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # correction | void
    target_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))
    changes: Mapped[str] = mapped_column(Text, default="{}")  # JSON {field: value}
    reason: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting | applied | refused
    problem: Mapped[str | None] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(Integer)
    device_id: Mapped[str | None] = mapped_column(String(UUID_LEN))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DailySalt(Model):
    """A random salt for one day (UTC): online scans and resident quotas hash the client's
    address with it. Deleted once the day is over, so the hashes can no longer be linked to an
    address; no address is ever stored."""

    __tablename__ = "daily_salts"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(SHA256_HEX))


class QuotaUse(Model):
    """How much of a daily quota a key (a resident token, a hashed address) has used."""

    __tablename__ = "quota_use"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)


class VillageSession(Model):
    """A session held by commune staff: a talk in a village hall, a market-day booth."""

    __tablename__ = "sessions"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    commune_code: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[int] = mapped_column(Integer)
    topic_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    facilitator: Mapped[str] = mapped_column(String(120), default="")
    user_id: Mapped[int | None] = mapped_column(Integer)
    device_id: Mapped[str | None] = mapped_column(String(UUID_LEN))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # SHA-256 of the secret the session QR code carries: residents' answers join with it only.
    qr_key_hash: Mapped[str | None] = mapped_column(String(SHA256_HEX))
    hold: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    original: Mapped[str | None] = mapped_column(Text)  # JSON of corrected fields, before any correction
    __table_args__ = (
        Index("ix_sessions_province_starts", "province_code", "starts_at", "hold"),
        Index("ix_sessions_commune_starts", "commune_code", "starts_at", "hold"),
        Index("ix_sessions_province_commune_starts", "province_code", "commune_code", "starts_at", "hold"),
    )


class Attendance(Model):
    """A tally line of people at a session. It may arrive before its session: commune and
    province are filled in from the session whenever both are known."""

    __tablename__ = "attendance"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    count: Mapped[int] = mapped_column(Integer)
    women: Mapped[int] = mapped_column(Integer, default=0)
    ethnic_minority: Mapped[int] = mapped_column(Integer, default=0)
    elderly: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    disabled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    commune_code: Mapped[int | None] = mapped_column(Integer)
    province_code: Mapped[int | None] = mapped_column(Integer)
    session_starts_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    hold: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    original: Mapped[str | None] = mapped_column(Text)  # JSON of corrected fields, before any correction
    # Covering indexes: the stats of a province or commune are read from the index alone.
    __table_args__ = (
        Index("ix_attendance_province_starts", "province_code", "session_starts_at"),
        Index("ix_attendance_province_figures", "province_code", *ATTENDANCE_FIGURES),
        Index("ix_attendance_commune_figures", *ATTENDANCE_FIGURES),
    )


class QuizResponse(Model):
    """One person's answers to one quiz; the score is computed on the server from the content."""

    __tablename__ = "quiz_responses"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    quiz_id: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(16))
    answers: Mapped[str] = mapped_column(Text)  # JSON {question id: option id}
    session_id: Mapped[str | None] = mapped_column(String(UUID_LEN), index=True)
    phase: Mapped[str | None] = mapped_column(String(8))
    correct: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    commune_code: Mapped[int | None] = mapped_column(Integer)
    province_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    session_key_hash: Mapped[str | None] = mapped_column(String(SHA256_HEX))  # from a resident's phone
    hold: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    __table_args__ = (
        Index("ix_quiz_responses_province_created", "province_code", "created_at"),
        Index("ix_quiz_responses_province_commune", "province_code", "commune_code", *QUIZ_FIGURES),
        Index("ix_quiz_responses_commune_created", "commune_code", "created_at"),
    )


class QuizTally(Model):
    """A quiz asked aloud at a session: one question, the hands raised for each option
    (`counts`, JSON {option id: hands}). It may arrive before its session, like attendance:
    commune and province are filled in from the session whenever both are known. Its figures
    are kept apart from individual answers (quiz_tallies.py says which tallies count)."""

    __tablename__ = "quiz_tallies"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    quiz_id: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str | None] = mapped_column(String(8))
    question_id: Mapped[str] = mapped_column(String(64))
    counts: Mapped[str] = mapped_column(Text)  # JSON {option id: hands}
    hands: Mapped[int] = mapped_column(Integer)  # the sum of counts
    commune_code: Mapped[int | None] = mapped_column(Integer)
    province_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    hold: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    __table_args__ = (
        Index("ix_quiz_tallies_province_commune", "province_code", "commune_code", *TALLY_FIGURES),
        Index("ix_quiz_tallies_commune_created", "commune_code", "created_at"),
    )


class Broadcast(Model):
    """A commune loudspeaker broadcast, recorded offline by commune staff: how long one airing
    lasted and how many times it went out (airtime = minutes × repeats)."""

    __tablename__ = "broadcasts"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    commune_code: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[int] = mapped_column(Integer)
    station: Mapped[str] = mapped_column(String(120), default="")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    topic_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, like a session's
    lang: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int] = mapped_column(Integer)
    repeats: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    hold: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Covering indexes: a province's or a commune's broadcasts and airtime from the index alone.
    __table_args__ = (
        Index("ix_broadcasts_province_figures", "province_code", *BROADCAST_FIGURES),
        Index("ix_broadcasts_commune_figures", *BROADCAST_FIGURES),
    )


# The kinds of campaign activity (`activity` records) and what each one's `count` counts.
ACTIVITY_KINDS = {
    "leaflets": "leaflets handed out",
    "banner": "banners or posters put up",
    "fair": "visitors to a fair or stall",
    "media": "media items (radio, TV, newspaper, social post)",
    "training": "participants in a training of officials or businesses",
}
MEDIA_CHANNELS = ("radio", "tv", "newspaper", "social")
TRAINING_AUDIENCES = ("officials", "businesses")


class Activity(Model):
    """A campaign activity other than a village session, recorded by commune staff or an
    organiser: leaflets handed out, banners, a fair or stall, a media item, a training. `count`
    means what ACTIVITY_KINDS says for its kind; the other fields belong to one kind each
    (leaflet codes or batch, media channel and link, training audience)."""

    __tablename__ = "activities"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    commune_code: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[int] = mapped_column(Integer)
    held_at: Mapped[dt.datetime] = mapped_column(DateTime)  # the day (and time, if given) it took place
    topic_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, like a session's
    count: Mapped[int] = mapped_column(Integer)
    leaflet_codes: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of leaflet codes
    batch: Mapped[str] = mapped_column(String(120), default="")
    channel: Mapped[str] = mapped_column(String(16), default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    audience: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    hold: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    __table_args__ = (
        Index("ix_activities_province_figures", "province_code", *ACTIVITY_FIGURES),
        Index("ix_activities_commune_figures", *ACTIVITY_FIGURES),
    )


class CommuneArea(Model):
    """A commune classed in an area reported on separately (border, remote...), by a province's
    organisers, with the official source of the classification (a decision's number and date)."""

    __tablename__ = "commune_areas"
    commune_code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    area: Mapped[str] = mapped_column(String(32), primary_key=True)
    province_code: Mapped[int] = mapped_column(Integer, index=True)
    source: Mapped[str] = mapped_column(String(300))
    set_by: Mapped[str] = mapped_column(String(64), default="")
    set_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# Consumer complaints taken in the commune (complaints.py): each case goes received → advised →
# transferred → resolved or closed; a step may be skipped, never taken back.
COMPLAINT_STEPS = ("received", "advised", "transferred", "resolved", "closed")
COMPLAINT_OUTCOMES = ("refund", "exchange", "repair", "compensation", "other")
TRANSFER_TO = ("business", "market_board", "market_surveillance", "association", "hotline")


class Complaint(Model):
    """A consumer's request or complaint taken in a commune by staff (or sent by the consumer),
    and where it stands. The contact fields are personal data: kept only with consent, shown to
    the people handling the case and the province's organisers, never exported, and emptied a
    retention period after the case ends (`personal_deleted_at`)."""

    __tablename__ = "complaints"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    commune_code: Mapped[int | None] = mapped_column(Integer)
    province_code: Mapped[int | None] = mapped_column(Integer)
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime)  # when the consumer made it
    source: Mapped[str] = mapped_column(String(16))  # staff | resident | organiser
    goods: Mapped[str] = mapped_column(String(200))
    seller: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    what_happened: Mapped[str] = mapped_column(Text)
    amount: Mapped[int | None] = mapped_column(BigInteger)  # VND paid
    wanted: Mapped[str] = mapped_column(String(16), default="other")
    lang: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="received")
    status_at: Mapped[dt.datetime] = mapped_column(DateTime)  # when the last step was taken
    # when the next step is due by law (None once resolved or closed): complaint_deadlines.py
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    transferred_to: Mapped[str] = mapped_column(String(24), default="")
    money_recovered: Mapped[int] = mapped_column(BigInteger, default=0)
    photo_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of ComplaintPhoto ids
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_phone: Mapped[str] = mapped_column(String(24), default="")
    personal_deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(Integer)  # who took it (None: the consumer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    hold: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    __table_args__ = (
        Index(
            "ix_complaints_province_figures",
            "province_code",
            "taken_at",
            "hold",
            "status",
            "money_recovered",
            "due_at",
        ),
        Index("ix_complaints_status_at", "status", "status_at"),
    )


class ComplaintStep(Model):
    """One step of a case, dated and signed by the person who took it (`by`: their name)."""

    __tablename__ = "complaint_steps"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    step: Mapped[str] = mapped_column(String(16))
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(Integer)
    by: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    transferred_to: Mapped[str] = mapped_column(String(24), default="")
    money_recovered: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ComplaintPhoto(Model):
    """A photo of a case (the product, its label, the receipt), uploaded in chunks: `received`
    bytes of `size` so far; `data` holds what arrived. Complete when received == size and it
    was read as an image."""

    __tablename__ = "complaint_photos"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    size: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    mimetype: Mapped[str] = mapped_column(String(32), default="")
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    token_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


NATIONAL = 0  # the province code of national targets (and national sign-offs)


class Signoff(Model):
    """A province organiser's sign-off of a period's report: the report as it was (`report`, JSON)
    and who signed it when. Records arriving later are kept and listed as "after sign-off"; a new
    revision takes them in. Unlocking needs a reason and is audited."""

    __tablename__ = "signoffs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    province_code: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer)
    report: Mapped[str] = mapped_column(Text)
    signed_by: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    unlocked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    unlocked_by: Mapped[str] = mapped_column(String(120), default="")
    unlock_reason: Mapped[str] = mapped_column(String(300), default="")
    __table_args__ = (Index("ux_signoffs_revision", "province_code", "period", "revision", unique=True),)


class Target(Model):
    """A yearly target of a province (or the nation, province 0): a number of participants or
    sessions, or a share in percent (communes reached, complaints advised...)."""

    __tablename__ = "targets"
    province_code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(48), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(64), default="")
    set_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ProvinceContact(Model):
    """A province's contact card, filled in by its organisers: the numbers residents of that
    province call besides the national hotline. Empty fields are simply not shown."""

    __tablename__ = "province_contacts"
    province_code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    doit_phone: Mapped[str] = mapped_column(String(40), default="")
    market_phone: Mapped[str] = mapped_column(String(40), default="")
    association_phone: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), default="")


# Content roles, held besides an account's role (a person may hold several): editors write and
# publish in their scope, translators and reviewers work in one language each.
EDITOR, TRANSLATOR, REVIEWER = "editor", "translator", "reviewer"
CONTENT_ROLES = (EDITOR, TRANSLATOR, REVIEWER)


class ContentRole(Model):
    """One content role of one account; `lang` is the language of a translator or reviewer
    ("" for an editor)."""

    __tablename__ = "content_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    lang: Mapped[str] = mapped_column(String(16), primary_key=True, default="")
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    granted_by: Mapped[str] = mapped_column(String(64), default="")


class ContentBlob(Model):
    """The bytes of one content file, named by their SHA-256: releases and drafts point at
    blobs, so a file unchanged across a thousand releases is stored once."""

    __tablename__ = "content_blobs"
    sha: Mapped[str] = mapped_column(String(SHA256_HEX), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ContentDraft(Model):
    """One file of the working copy the studio edits (`vi/topics/x.md`). `revision` grows with
    every save, so a save made from an older page is told, not lost."""

    __tablename__ = "content_drafts"
    path: Mapped[str] = mapped_column(String(CONTENT_PATH_LEN), primary_key=True)
    sha: Mapped[str] = mapped_column(String(SHA256_HEX))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), default="")


class ContentRelease(Model):
    """A published version of the content: every file's blob (`manifest`, JSON {path: sha}).
    Releases are numbered 1, 2, 3...; the highest is what residents get. `number` is unique,
    so two publishers at the same moment cannot both build on the same release."""

    __tablename__ = "content_releases"
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[str] = mapped_column(String(16))
    manifest: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))  # import | publish | events | rollback
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")


class Leaflet(Model):
    """A printed leaflet: a topic in a language, for a commune (or none). Its code is in the QR.
    `scope` ("<topic>/<lang>/<commune or 'all'>") is unique: printing again reuses the code."""

    __tablename__ = "leaflets"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope: Mapped[str] = mapped_column(String(96), unique=True)
    topic_id: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(16))
    commune_code: Mapped[int | None] = mapped_column(Integer, index=True)
    province_code: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # A fingerprint of the title and key points as last printed: when the published content's
    # differ, the printed leaflets are outdated. None: printed before Loa kept track.
    printed: Mapped[str | None] = mapped_column(String(16))

    @staticmethod
    def scope_of(topic_id: str, lang: str, commune_code: int | None) -> str:
        return f"{topic_id}/{lang}/{commune_code if commune_code is not None else 'all'}"


class LeafletScan(Model):
    """A leaflet's QR code opened. No personal data and no IP address."""

    __tablename__ = "leaflet_scans"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), index=True)
    scanned_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(8), default="online")  # online | offline
    commune_code: Mapped[int | None] = mapped_column(Integer)
    province_code: Mapped[int | None] = mapped_column(Integer)
    hold: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Online scans only: the client, hashed with the day's salt (never its address), and that
    # day. One scan per leaflet, client and day counts; the device of an online scan is
    # "web:<client hash>".
    client_hash: Mapped[str | None] = mapped_column(String(SHA256_HEX))
    client_day: Mapped[dt.date | None] = mapped_column(Date)
    __table_args__ = (
        Index("ix_leaflet_scans_province_scanned", "province_code", "scanned_at", "hold"),
        Index("ix_leaflet_scans_province_commune", "province_code", "commune_code", "scanned_at", "hold"),
        Index("ux_leaflet_scans_once_a_day", "code", "client_day", "client_hash", unique=True),
    )


# The table of each record type of the sync protocol that moves a figure, in one place: sync
# stores into it, amendments void or correct in it, quarantine holds it, data quality reads it.
RECORD_MODELS: dict[str, Any] = {
    "session": VillageSession,
    "attendance": Attendance,
    "quiz_response": QuizResponse,
    "leaflet_scan": LeafletScan,
    "broadcast": Broadcast,
    "quiz_tally": QuizTally,
    "activity": Activity,
    "complaint": Complaint,
}


# -- daily figures ---------------------------------------------------------------------------
# What every counted record adds to its commune's day and month, kept by database triggers as records
# arrive, change or are voided (server/daily_figures.py), so the country's figures read a few
# thousand rows instead of every record. Records with no commune (or province) count under 0.
PARTICIPATION_FIGURES = (
    "sessions",
    "attendees",
    *ATTENDANCE_PARTS,
    "quiz_responses",
    "leaflet_scans",
    "broadcasts",
    "broadcast_minutes",
)
DAILY_FIGURES = (
    *PARTICIPATION_FIGURES,
    *(f"{part}_{kind}" for kind in ACTIVITY_KINDS for part in ("activities", "activity_count")),
    *(f"complaints_{step}" for step in COMPLAINT_STEPS),
    "money_recovered",
    # the awareness survey: quiz answers before and after a talk, their right answers and questions
    *(f"quiz_{phase}_{part}" for phase in ("pre", "post") for part in ("answers", "right", "asked")),
)


# Sums of money (VND) may pass 2^31; the counts stay small, and PostgreSQL sums integers far
# faster than the numerics its sums of bigints become.
MONEY_FIGURES = frozenset({"money_recovered"})


def _figures_table(name: str, period: str) -> Table:
    return Table(
        name,
        Model.metadata,
        Column("province_code", Integer, primary_key=True),
        Column("commune_code", Integer, primary_key=True),
        Column(period, Date, primary_key=True),
        *(
            Column(
                figure, BigInteger if figure in MONEY_FIGURES else Integer, nullable=False, server_default="0"
            )
            for figure in DAILY_FIGURES
        ),
        Index(f"ix_{name}_{period}", period),
        sqlite_with_rowid=False,  # rows stored in key order: a province's rows are read together
    )


# The same figures by day, and by month (`month`: its first day) for long periods.
daily_figures = _figures_table("daily_figures", "day")
monthly_figures = _figures_table("monthly_figures", "month")


@event.listens_for(Model.metadata, "after_create")
def _install_daily_figure_triggers(target, connection, **kw) -> None:
    """Tables made from the models (tests, a first `create_all`) get the triggers too."""
    from .daily_figures import install_triggers

    install_triggers(connection)
