"""The organiser side (Department of Industry and Trade, consumer association): login,
accounts and devices; dashboards and leaflet printing build on it. Every view here checks
the role; forms carry CSRF tokens."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, request

from .. import auth, communes, i18n, reports, scope
from ..models import ORGANISER
from ..web import get_content, saved_language

bp = Blueprint("organiser", __name__, url_prefix="/organiser")


@bp.before_request
def load_user_and_language():
    content = get_content()
    g.lang = i18n.pick_language(
        saved_language(),
        request.accept_languages,
        list(content.languages),
        current_app.config["DEFAULT_LANG"],
    )
    g.user = auth.session_user()  # the login session, checked on the server (server/auth.py)


login_required = auth.require_login
organiser_required = auth.require_login(ORGANISER)


def scoped_filter() -> tuple[reports.ReportFilter, str | None]:
    """The page's report filter (province, commune, topic, language, dates) limited to the
    organiser's province, or an empty one and the message naming what is wrong; another
    province is 403."""
    from .pickers import PickError, resolve_commune
    from .problems import say

    args = request.args.to_dict()
    typed = (args.get("commune") or "").strip()
    if typed and not communes.is_code(typed):  # a commune typed by name
        province = args.get("province") or ""
        try:
            args["commune"] = str(
                resolve_commune(typed, int(province) if communes.is_code(province) else None)
            )
        except PickError as exc:
            return scope.restrict(g.user, reports.ReportFilter()), str(exc)
    try:
        flt = reports.parse_filter(args, get_content())
    except reports.FilterError as exc:
        return scope.restrict(g.user, reports.ReportFilter()), say(exc)
    try:
        return scope.restrict(g.user, flt), None
    except scope.OutOfScope as exc:
        abort(403, description=say(exc))


@bp.after_request
def no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


from . import (  # noqa: E402,F401
    accounts_views,
    activity_views,
    areas_views,
    audio_views,
    audit_views,
    broadcast_views,
    complaint_views,
    contacts_views,
    dashboard_views,
    events_views,
    leaflet_views,
    ministry_views,
    picture_views,
    publish_views,
    quality_views,
    quiz_views,
    roles_views,
    studio_views,
    targets_views,
    translate_views,
    translations_views,
)
