"""Who is making a request, in one place: the organiser pages (a login session), the JSON API
(a phone's bearer token) and the stats API (either).

A login session is a row of `login_sessions`; the cookie carries only a random token whose
SHA-256 the row keeps, so logout, a disabled account or a new password end it on the server
whatever the browser still holds. It lasts at most `LOA_SESSION_HOURS` and ends after
`LOA_SESSION_IDLE_MINUTES` without a request. Logins are throttled per address and per account
(server/throttle.py); the outcome says how, so views choose the status from it, never from text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, g, redirect, request, session, url_for
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from . import accounts, devices, throttle
from .errors import error_response
from .extensions import db
from .models import DeviceToken, LoginSession, User

SESSION_KEY = "sid"
KNOWN_COOKIE = "loa_known"  # signed: the usernames that logged in from this browser before
KNOWN_MAX = 5
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen_at is written at most this often


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# -- login sessions (organiser pages) ----------------------------------------------------------


def start_session(user: User) -> None:
    """Log `user` in on this browser: a new server-side session (any old one of the cookie ends)."""
    end_session("logout")
    token = secrets.token_urlsafe(32)
    moment = throttle.now()
    db.session.add(
        LoginSession(token_hash=_hash(token), user_id=user.id, created_at=moment, last_seen_at=moment)
    )
    db.session.commit()
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = token
    # The new login's CSRF secret goes out with this answer, not with a later page's (Flask-WTF
    # remembers the cleared one for the request: forget it first).
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    generate_csrf()
    g.session_user = user


def end_session(reason: str = "logout") -> None:
    """End this browser's session on the server and forget the cookie's contents."""
    token = session.get(SESSION_KEY)
    if isinstance(token, str):
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
            .values(ended_at=throttle.now(), end_reason=reason)
        )
        db.session.commit()
    session.clear()
    g.session_user = None


def end_everything(user: User, reason: str, *, keep_token_id: int | None = None) -> None:
    """End every login session of `user` and revoke every device token (but `keep_token_id`,
    the phone that asked): a disabled account, a new or reset password. Inside the caller's
    transaction; the caller commits."""
    moment = throttle.now()
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=moment, end_reason=reason)
    )
    tokens = update(DeviceToken).where(DeviceToken.user_id == user.id, DeviceToken.revoked_at.is_(None))
    if keep_token_id is not None:
        tokens = tokens.where(DeviceToken.id != keep_token_id)
    db.session.execute(tokens.values(revoked_at=moment))


def session_user() -> User | None:
    """The user of this browser's login session, or None (no session, ended, too old, idle,
    or the account disabled). Remembered for the request."""
    if "session_user" in g:
        return g.session_user
    g.session_user = None
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    row = db.session.execute(select(LoginSession).where(LoginSession.token_hash == _hash(token))).scalar()
    if row is None or row.ended_at is not None:
        session.clear()
        return None
    config, moment = current_app.config, throttle.now()
    user = db.session.get(User, row.user_id)
    reason = None
    if user is None or not user.active:
        reason = "disabled"
    elif moment - row.created_at > dt.timedelta(hours=float(config["SESSION_HOURS"])):
        reason = "expired"
    elif moment - row.last_seen_at > dt.timedelta(minutes=float(config["SESSION_IDLE_MINUTES"])):
        reason = "idle"
    if reason:
        end_session(reason)
        return None
    if moment - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = moment
        db.session.commit()
    g.session_user = user
    return user


# -- who is asking (pages and API) -------------------------------------------------------------


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_actor(allow_session: bool = False) -> devices.Actor | None:
    """The actor of a bearer token, else (where allowed) of the login session."""
    token = bearer_token()
    if token:
        return devices.actor_for(token)
    user = session_user() if allow_session else None
    return devices.actor_of_user(user) if user is not None else None


def require_actor(*roles: str, allow_session: bool = False):
    """An API view that needs a valid token (or, with allow_session, a login session) of one of
    `roles`: a JSON 401 or 403 that says why otherwise. Sets g.actor."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            actor = current_actor(allow_session)
            if actor is None:
                what = "a login or a device token" if allow_session else "a device token"
                response = error_response(
                    401,
                    f"missing, unknown, expired or revoked: this needs {what}; log in again",
                    code="login_needed",
                )
                response.headers["WWW-Authenticate"] = 'Bearer realm="loa"'
                return response
            if actor.must_change_password:
                return error_response(
                    403, "choose a new password first (log in again)", code="password_change_required"
                )
            if roles and actor.role not in roles:
                return error_response(403, f"this needs the role {' or '.join(roles)}; you are {actor.role}")
            g.actor = actor
            return view(*args, **kwargs)

        return wrapper

    return decorator


def require_login(*roles: str):
    """A page that needs a login: not logged in, to the login page; an account that must choose
    a new password, to that page first; logged in with another role, 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = session_user()
            if user is None:
                return redirect(url_for("organiser.login", next=request.full_path))
            if user.must_change_password:
                return redirect(url_for("organiser.change_password", next=request.full_path))
            if roles and user.role not in roles:
                abort(403, description="this page is for organisers")
            return view(*args, **kwargs)

        return wrapper

    return decorator


# -- logging in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    """What a login attempt came to. `retry_after` > 0: throttled, nothing was checked."""

    user: User | None
    retry_after: int = 0

    @property
    def throttled(self) -> bool:
        return self.retry_after > 0


def _account_key(username: str, known: bool) -> str:
    # A browser or phone that logged in to the account before waits only for its own mistakes.
    kind = "login-account-known" if known else "login-account"
    return throttle.key(kind, accounts.normal_username(username)[:64])


def attempt_login(username: str, password: str, *, known: bool) -> LoginOutcome:
    """Check a password under the limits: per address (`LOA_LOGIN_RATE_PER_MINUTE`), then the
    account's back-off. A wrong password counts against the account."""
    address = throttle.key("login-address", request.remote_addr or "-")
    wait = throttle.hit(address, int(current_app.config["LOGIN_RATE_PER_MINUTE"]))
    account_key = _account_key(username, known)
    wait = wait or throttle.backoff(account_key)
    if wait:
        return LoginOutcome(None, wait)
    user = accounts.authenticate(username, password)
    if user is None:
        throttle.failed(account_key)
        return LoginOutcome(None)
    throttle.succeeded(account_key)
    return LoginOutcome(user)


def password_change_wait(user: User) -> int:
    """Seconds before `user` may try their current password again on a change-password form
    (page or phone), counted like logins per address: 0 when they may now."""
    return throttle.hit(
        throttle.key("password-change", str(user.id)), int(current_app.config["LOGIN_RATE_PER_MINUTE"])
    )


def _known_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.config["SECRET_KEY"]), salt="loa-known-logins")


def known_here(username: str) -> bool:
    """Did `username` log in from this browser before (the signed loa_known cookie)?"""
    try:
        names = _known_serializer().loads(request.cookies.get(KNOWN_COOKIE, ""))
    except BadSignature:
        return False
    return isinstance(names, list) and accounts.normal_username(username) in names


def remember_known(response, username: str):
    """Add `username` to this browser's loa_known cookie (a year, HttpOnly)."""
    try:
        names = _known_serializer().loads(request.cookies.get(KNOWN_COOKIE, ""))
    except BadSignature:
        names = []
    name = accounts.normal_username(username)
    names = [name, *[n for n in names if isinstance(n, str) and n != name]][:KNOWN_MAX]
    response.set_cookie(
        KNOWN_COOKIE,
        _known_serializer().dumps(names),
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        path="/organiser",
    )
    return response


def known_device(username: str, device_id: str | None) -> bool:
    """Did `username` log in from this phone (its device id) before?"""
    if not device_id:
        return False
    found = db.session.execute(
        select(DeviceToken.id)
        .join(User, User.id == DeviceToken.user_id)
        .where(User.username == accounts.normal_username(username), DeviceToken.device_id == device_id)
        .limit(1)
    ).first()
    return found is not None
