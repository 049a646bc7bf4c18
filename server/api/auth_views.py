"""Tokens for phones: staff log in once online; residents' phones get an anonymous token."""

from __future__ import annotations

from flask import current_app, g, request

from .. import accounts, communes, devices, quotas
from ..errors import error_response
from ..extensions import db
from ..sync import RecordInvalid, parse_uuid
from . import bp
from .requests import json_body, quota_exceeded, rate_limited, require_token


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


@bp.post("/auth/login")
def login():
    limited = rate_limited("login", _client_key(), current_app.config["LOGIN_RATE_PER_MINUTE"])
    if limited:
        return limited
    body = json_body()
    if not isinstance(body, dict):
        return error_response(400, "send {username, password, device_id}")
    try:
        device_id = parse_uuid(body.get("device_id"), "device_id") if body.get("device_id") else None
    except RecordInvalid as exc:
        return error_response(400, str(exc))
    user = accounts.authenticate(str(body.get("username", "")), str(body.get("password", "")))
    if user is None:
        return error_response(401, "wrong username or password")
    token, row = devices.issue_token(user, device_id, str(body.get("label", ""))[:120])
    actor = devices.actor_for(token)
    if actor is None:  # the token was just issued to an active user
        raise RuntimeError("a freshly issued token has no actor")
    return {"token": token, "token_id": row.id, "display_name": user.display_name, **actor_profile(actor)}


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
@require_token()
def me():
    return actor_profile(g.actor)


@bp.post("/auth/logout")
@require_token()
def logout():
    devices.revoke(g.actor.token_id)
    return {"revoked": True}
