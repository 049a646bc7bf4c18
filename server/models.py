"""Database models. Records made on phones use the phone's UUID as their primary key, which
is what makes every sync idempotent: the same record can arrive any number of times."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import Model

# Account roles, named once: organisers see figures and manage accounts; staff record sessions
# in their own communes.
ORGANISER = "organiser"
STAFF = "staff"
ROLES = (ORGANISER, STAFF)

# What the stats read, as the trailing columns of the covering indexes (after the place codes).
ATTENDANCE_FIGURES = ("commune_code", "session_starts_at", "count", "women", "ethnic_minority")
QUIZ_FIGURES = ("created_at", "lang", "quiz_id")
UUID_LEN = 36


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
    communes: Mapped[list[UserCommune]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def commune_codes(self) -> set[int]:
        return {c.commune_code for c in self.communes}


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
    __table_args__ = (
        Index("ix_sessions_province_starts", "province_code", "starts_at"),
        Index("ix_sessions_commune_starts", "commune_code", "starts_at"),
        Index("ix_sessions_province_commune_starts", "province_code", "commune_code", "starts_at"),
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
    commune_code: Mapped[int | None] = mapped_column(Integer)
    province_code: Mapped[int | None] = mapped_column(Integer)
    session_starts_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
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
    __table_args__ = (
        Index("ix_quiz_responses_province_created", "province_code", "created_at"),
        Index("ix_quiz_responses_province_commune", "province_code", "commune_code", *QUIZ_FIGURES),
        Index("ix_quiz_responses_commune_created", "commune_code", "created_at"),
    )


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
    __table_args__ = (
        Index("ix_leaflet_scans_province_scanned", "province_code", "scanned_at"),
        Index("ix_leaflet_scans_province_commune", "province_code", "commune_code", "scanned_at"),
    )
