"""Device tokens: how a phone proves who it is when it sends records.

A token is shown once (at staff login on the phone, or by `loa devices enroll`) and only its
SHA-256 is stored. Organisers can revoke a token; a revoked token gets 401 and the phone
keeps its records until someone logs in again. Residents' phones get an anonymous token
that may only send quiz answers and leaflet scans.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from .extensions import db
from .models import ORGANISER, DeviceToken, User, utcnow

TOKEN_PREFIX = "loa_"
RESIDENT = "resident"


@dataclass(frozen=True)
class Actor:
    """Who is sending: a staff member, an organiser, or a resident's phone."""

    token_id: int | None  # None for records imported from a file (`loa sync import`) or the demo
    role: str  # organiser | staff | resident
    user_id: int | None
    username: str | None
    commune_codes: frozenset[int]  # where a staff member may record sessions
    device_id: str | None

    def may_record_in(self, commune_code: int) -> bool:
        return self.role == ORGANISER or commune_code in self.commune_codes


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User | None, device_id: str | None = None, label: str = "") -> tuple[str, DeviceToken]:
    """A new token for a user's phone (or a resident's phone when user is None)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = DeviceToken(
        user_id=user.id if user else None,
        token_hash=hash_token(token),
        device_id=device_id,
        label=label[:120],
    )
    db.session.add(row)
    db.session.commit()
    return token, row


def actor_for(token: str | None) -> Actor | None:
    """The Actor behind a bearer token, or None when it is missing, unknown or revoked."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.execute(db.select(DeviceToken).filter_by(token_hash=hash_token(token))).scalar()
    if row is None or row.revoked_at is not None:
        return None
    user = row.user
    if user is not None and not user.active:
        return None
    if user is None:
        return Actor(row.id, RESIDENT, None, None, frozenset(), row.device_id)
    return Actor(row.id, user.role, user.id, user.username, frozenset(user.commune_codes), row.device_id)


def touch(token_id: int) -> None:
    """Remember when a device last synced (shown to organisers)."""
    db.session.execute(db.update(DeviceToken).where(DeviceToken.id == token_id).values(last_sync_at=utcnow()))
    db.session.commit()


def revoke(token_id: int) -> bool:
    row = db.session.get(DeviceToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    db.session.commit()
    return True


def list_devices(include_residents: bool = False) -> list[DeviceToken]:
    query = db.select(DeviceToken).order_by(
        DeviceToken.last_sync_at.desc().nulls_last(), DeviceToken.id.desc()
    )
    if not include_residents:
        query = query.where(DeviceToken.user_id.is_not(None))
    return list(db.session.execute(query).scalars())
