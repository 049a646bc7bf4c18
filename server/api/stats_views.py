"""GET /api/v1/stats: participation figures for organisers (organiser token or login session),
limited to the organiser's province (server/scope.py)."""

from __future__ import annotations

from flask import g, request

from .. import activities, auth, broadcasts, complaints, reports, scope
from ..errors import error_response
from ..models import ORGANISER
from ..web import get_content
from . import bp


@bp.get("/stats")
@auth.require_actor(ORGANISER, allow_session=True)
def stats():
    try:
        flt = scope.restrict(g.actor, reports.parse_filter(request.args, get_content()))
    except reports.FilterError as exc:
        return error_response(400, str(exc))
    except scope.OutOfScope as exc:
        return error_response(403, str(exc), code="out_of_scope")
    return {
        "filters": flt.as_dict(),
        "totals": reports.totals(flt),
        "by_province": reports.by_province(flt),
        "by_commune": reports.by_commune(flt),
        "broadcasts": {
            "by_language": broadcasts.by_language(flt),
            "by_topic": broadcasts.by_topic(flt),
        },
        "activities": {
            "by_kind": activities.by_kind(flt),
            "by_commune": activities.by_commune(flt),
        },
        "complaints": complaints.figures(flt),
        "waiting_for_session": reports.waiting_for_session(scope.province_of(g.actor)),
    }
