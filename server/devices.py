"""Device tokens: how a phone proves who it is when it sends records.

A token is shown once (at staff login on the phone, or by `loa devices enroll`) and only its
SHA-256 is stored. Organisers can revoke a token; a revoked token gets 401 and the phone
keeps its records until someone logs in again. Residents' phones get an anonymous token
that may only send quiz answers and leaflet scans.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app

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
    province_code: int | None = None  # a province organiser's (or staff member's) province
    must_change_password: bool = False

    def may_record_in(self, commune_code: int) -> bool:
        """Staff: their communes. Organisers: their province's (national ones: anywhere)."""
        if self.role != ORGANISER:
            return commune_code in self.commune_codes
        if self.province_code is None:
            return True
        from .communes import commune

        info = commune(commune_code)
        return info is not None and info.province_code == self.province_code


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
        last_used_at=utcnow(),
    )
    db.session.add(row)
    db.session.commit()
    return token, row


USE_NOTED_EVERY = dt.timedelta(hours=1)  # a token's last use is written at most this often


def _expired(row: DeviceToken, moment: dt.datetime) -> bool:
    """A staff or organiser token unused for LOA_DEVICE_TOKEN_IDLE_DAYS (residents' tokens
    carry no account and do not expire)."""
    last = row.last_used_at or row.last_sync_at or row.created_at
    idle = dt.timedelta(days=float(current_app.config["DEVICE_TOKEN_IDLE_DAYS"]))
    return row.user_id is not None and moment - last > idle


def actor_for(token: str | None) -> Actor | None:
    """The Actor behind a bearer token, or None when it is missing, unknown, revoked, expired
    or its account disabled."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.execute(db.select(DeviceToken).filter_by(token_hash=hash_token(token))).scalar()
    if row is None or row.revoked_at is not None:
        return None
    user = row.user
    if user is not None and not user.active:
        return None
    moment = utcnow()
    if _expired(row, moment):
        return None
    if row.last_used_at is None or moment - row.last_used_at > USE_NOTED_EVERY:
        row.last_used_at = moment
        db.session.commit()
    if user is None:
        return Actor(row.id, RESIDENT, None, None, frozenset(), row.device_id)
    return _actor(user, row.id, row.device_id)


def _actor(user: User, token_id: int | None, device_id: str | None) -> Actor:
    return Actor(
        token_id,
        user.role,
        user.id,
        user.username,
        frozenset(user.commune_codes),
        device_id,
        province_code=user.province_code,
        must_change_password=bool(user.must_change_password),
    )


def actor_of_user(user: User) -> Actor:
    """An organiser (or staff member) logged in on the pages, as an Actor with no token."""
    return _actor(user, None, None)


def touch(token_id: int) -> None:
    """Remember when a device last synced (shown to organisers)."""
    db.session.execute(db.update(DeviceToken).where(DeviceToken.id == token_id).values(last_sync_at=utcnow()))
    db.session.commit()


def get(token_id: int) -> DeviceToken | None:
    return db.session.get(DeviceToken, token_id)


def revoke(token_id: int, *, by_owner: bool = False) -> bool:
    """Revoke a token (False when unknown or already revoked). An organiser's or the command
    line's revocation goes to the audit log; a phone logging itself out does not."""
    from . import audit

    row = db.session.get(DeviceToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    if not by_owner:
        owner = row.user
        audit.record(
            audit.DEVICE_REVOKED,
            f"device:{token_id}",
            province_code=owner.province_code if owner else None,
            account=owner.username if owner else None,
        )
    db.session.commit()
    return True


def list_devices(include_residents: bool = False) -> list[DeviceToken]:
    query = db.select(DeviceToken).order_by(
        DeviceToken.last_sync_at.desc().nulls_last(), DeviceToken.id.desc()
    )
    if not include_residents:
        query = query.where(DeviceToken.user_id.is_not(None))
    return list(db.session.execute(query).scalars())


def in_province(tokens: Iterable[DeviceToken], province: int | None) -> list[DeviceToken]:
    """The tokens of accounts in `province` (None: every token, residents' phones too)."""
    return [
        t for t in tokens if province is None or (t.user is not None and t.user.province_code == province)
    ]


# -- a readable name for a device's label ---------------------------------------------------------

# Browsers by the token their user agent carries, most specific first: in-app browsers and
# Chromium-based ones also say "Chrome" and "Safari". Names are product names (not translated).
_BROWSERS = (
    ("Zalo", re.compile(r"\bZalo", re.I)),
    ("Facebook", re.compile(r"\bFB(AN|AV|_IAB)\b")),
    ("Cốc Cốc", re.compile(r"\bcoc_coc_browser/", re.I)),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("UC Browser", re.compile(r"\bUCBrowser/")),
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\b(OPR|OPiOS|OPT)/|\bOpera\b")),
    ("Firefox", re.compile(r"\b(Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(HeadlessChrome|Chrome|Chromium|CriOS)/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/")),
)
_KAIOS = re.compile(r"\bKAIOS\b", re.I)
_ANDROID = re.compile(r"\bAndroid(?: ([\d.]+))?(?:; ([^;)]*))?")
_SYSTEMS = (
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b|\bX11\b")),
)


def describe_user_agent(label: str) -> tuple[str | None, str | None]:
    """(browser, system) read from a device label that is a browser's user agent, e.g.
    ("Chrome", "Android 13"), ("Safari", "iPhone"), ("Firefox", "Windows"); (None, None) when
    the label is not one (a name given at `loa devices enroll`). Phones send their user agent
    cut at 100 characters, so the browser may be missing (None) while the system is known.
    Android's reduced user agent ("Android 10; K") hides the real version: it is left out."""
    if not label.startswith(("Mozilla/", "Opera/")):
        return None, None
    browser = next((name for name, pattern in _BROWSERS if pattern.search(label)), None)
    system = None
    if _KAIOS.search(label):  # KaiOS phones also say "Android"
        system = "KaiOS"
    elif android := _ANDROID.search(label):
        version, model = android.group(1), (android.group(2) or "").strip()
        system = "Android" if not version or (version == "10" and model == "K") else f"Android {version}"
    else:
        system = next((name for name, pattern in _SYSTEMS if pattern.search(label)), None)
    if browser is None and system in ("iPhone", "iPad") and "Safari/" in label:
        browser = "Safari"
    return browser, system
