"""Tokens for phones: staff log in once online; residents' phones get an anonymous token."""

from __future__ import annotations

from flask import current_app, g, request

from .. import accounts, audit, auth, communes, devices, quotas
from ..errors import error_response
from ..extensions import db
from ..sync import RecordInvalid, parse_uuid
from . import bp
from .requests import json_body, quota_exceeded, rate_limited, too_many


def _client_key() -> str:
    return request.remote_addr or "unknown"


def actor_profile(actor: devices.Actor) -> dict:
    # A stored code no longer in the official list is left out: sessions can only be recorded
    # in official communes (sync refuses other codes), and the profile must not fail.
    user_communes = sorted(
        (info for c in actor.commune_codes if (info := communes.commune(c)) is not None),
        key=lambda c: communes.fold(c.name),
    )
    return {
        "username": actor.username,
        "role": actor.role,
        "communes": [
            {"code": c.code, "name": c.name, "province_code": c.province_code, "province": c.province.name}
            for c in user_communes
        ],
    }


def password_rejected(exc: accounts.PasswordRejected):
    return error_response(400, str(exc), code=f"password_{exc.code}", params=exc.params)


@bp.post("/auth/login")
def login():
    """A token for a staff member's (or organiser's) phone. Throttled per address and per
    account (429 with Retry-After and `code: too_many_attempts`); an account whose password
    was reset must send `new_password` too (403 `password_change_required` until it does)."""
    body = json_body()
    if not isinstance(body, dict):
        return error_response(400, "send {username, password, device_id}")
    try:
        device_id = parse_uuid(body.get("device_id"), "device_id") if body.get("device_id") else None
    except RecordInvalid as exc:
        return error_response(400, str(exc))
    username, password = str(body.get("username", "")), str(body.get("password", ""))
    outcome = auth.attempt_login(username, password, known=auth.known_device(username, device_id))
    if outcome.throttled:
        return too_many(outcome.retry_after, "login attempts")
    user = outcome.user
    if user is None:
        return error_response(401, "wrong username or password", code="wrong_credentials")
    if user.must_change_password:
        new_password = body.get("new_password")
        if not isinstance(new_password, str) or not new_password:
            return error_response(
                403,
                "this account's password was reset: send new_password with the login",
                code="password_change_required",
            )
        g.actor = devices.actor_of_user(user)  # the audit log names the account itself
        try:
            accounts.set_password(user, new_password, action=audit.PASSWORD_CHANGED)
        except accounts.PasswordRejected as exc:
            return password_rejected(exc)
    token, row = devices.issue_token(user, device_id, str(body.get("label", ""))[:120])
    actor = devices.actor_for(token)
    if actor is None:  # the token was just issued to an active user
        raise RuntimeError("a freshly issued token has no actor")
    return {"token": token, "token_id": row.id, "display_name": user.display_name, **actor_profile(actor)}


@bp.post("/auth/password")
@auth.require_actor()
def change_password():
    """A staff member changes their own password on the phone (online): every other phone and
    login of the account is signed out; this phone keeps its token."""
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("new_password"), str):
        return error_response(400, "send {current_password, new_password}")
    user = accounts.find(g.actor.username or "")
    if user is None:
        return error_response(403, "residents' phones have no password", code="no_account")
    wait = auth.password_change_wait(user)
    if wait:
        return too_many(wait, "attempts")
    try:
        changed = accounts.change_own_password(
            user, str(body.get("current_password", "")), body["new_password"], keep_token_id=g.actor.token_id
        )
    except accounts.PasswordRejected as exc:
        return password_rejected(exc)
    if not changed:
        return error_response(401, "the current password is wrong", code="wrong_current_password")
    return {"changed": True}


@bp.post("/devices/anonymous")
def anonymous_device():
    """A token for a resident's phone: it may send quiz answers and leaflet scans only."""
    limited = rate_limited("anonymous", _client_key(), current_app.config["LOGIN_RATE_PER_MINUTE"] * 3)
    if limited:
        return limited
    body = json_body()
    try:
        device_id = parse_uuid(body.get("device_id"), "device_id") if isinstance(body, dict) else None
    except RecordInvalid as exc:
        return error_response(400, str(exc))
    try:
        address = quotas.address_hash(_client_key())
        limit = current_app.config["RESIDENT_TOKENS_PER_ADDRESS_PER_DAY"]
        quotas.charge([(quotas.TOKENS_PER_ADDRESS, f"tokens:address:{address}", limit)], 1)
    except quotas.QuotaExceeded as exc:
        db.session.rollback()
        return quota_exceeded(exc)
    token, row = devices.issue_token(None, device_id, "resident")  # commits the quota use too
    return {"token": token, "token_id": row.id, "role": devices.RESIDENT}


@bp.get("/me")
@auth.require_actor()
def me():
    return actor_profile(g.actor)


@bp.post("/auth/logout")
@auth.require_actor()
def logout():
    devices.revoke(g.actor.token_id, by_owner=True)
    return {"revoked": True}
