"""GET /api/v1/stats: participation figures for organisers (organiser token or session)."""

from __future__ import annotations

from functools import wraps

from flask import g, request, session

from .. import devices, reports
from ..errors import error_response
from ..extensions import db
from ..models import ORGANISER, User
from ..web import get_content
from . import bp
from .requests import bearer_token


def require_organiser(view):
    """An organiser's bearer token, or an organiser logged in on the organiser pages."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        token = bearer_token()
        if token:
            actor = devices.actor_for(token)
            if actor is None:
                return error_response(401, "unknown or revoked token")
            role = actor.role
        else:
            user = db.session.get(User, session.get("user_id")) if session.get("user_id") else None
            if user is None or not user.active:
                return error_response(401, "log in as an organiser or send an organiser's bearer token")
            role = user.role
        if role != ORGANISER:
            return error_response(403, f"the stats are for organisers; this token belongs to a {role}")
        g.role = role
        return view(*args, **kwargs)

    return wrapper


@bp.get("/stats")
@require_organiser
def stats():
    try:
        flt = reports.parse_filter(request.args, get_content())
    except reports.FilterError as exc:
        return error_response(400, str(exc))
    return {
        "filters": flt.as_dict(),
        "totals": reports.totals(flt),
        "by_province": reports.by_province(flt),
        "by_commune": reports.by_commune(flt),
        "waiting_for_session": reports.waiting_for_session(),
    }
