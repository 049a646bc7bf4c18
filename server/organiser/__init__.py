"""The organiser side (Department of Industry and Trade, consumer association): login,
accounts and devices; dashboards and leaflet printing build on it. Every view here checks
the role; forms carry CSRF tokens."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for

from .. import i18n
from ..extensions import db
from ..models import ORGANISER, User
from ..web import get_content

bp = Blueprint("organiser", __name__, url_prefix="/organiser")


@bp.before_request
def load_user_and_language():
    content = get_content()
    g.lang = i18n.pick_language(
        request.cookies.get(i18n.LANG_COOKIE),
        request.accept_languages,
        list(content.languages),
        current_app.config["DEFAULT_LANG"],
    )
    user_id = session.get("user_id")
    g.user = db.session.get(User, user_id) if user_id else None
    if g.user is not None and (not g.user.active or session.get("auth") != g.user.password_hash[-16:]):
        session.clear()  # disabled account or changed password: log out everywhere
        g.user = None


def login_required(*roles: str):
    """Not logged in: to the login page. Logged in with another role: 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if g.user is None:
                return redirect(url_for("organiser.login", next=request.full_path))
            if roles and g.user.role not in roles:
                abort(403, description="this page is for organisers")
            return view(*args, **kwargs)

        return wrapper

    return decorator


organiser_required = login_required(ORGANISER)


@bp.after_request
def no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


from . import (  # noqa: E402,F401
    accounts_views,
    dashboard_views,
    events_views,
    leaflet_views,
    quality_views,
    translations_views,
)
