"""/l/<code>: the page a leaflet's QR code opens. Readable on 2G with no script; counts one
scan per visit (no personal data, no IP address)."""

from __future__ import annotations

from flask import abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import i18n
from ..content import SOURCE_LANG
from ..leaflets import scans
from ..leaflets.codes import code_is_valid, normalize_code
from ..web import get_content
from . import root_bp

SEEN_COOKIE = "loa_seen"  # codes opened in the last half hour, so a reload is not a second scan
SEEN_SECONDS = 30 * 60
SEEN_MAX = 20


def _seen_codes() -> list[str]:
    return [c for c in request.cookies.get(SEEN_COOKIE, "").split(".") if c][:SEEN_MAX]


def _reader_language() -> str:
    content = get_content()
    return i18n.pick_language(
        request.cookies.get(i18n.LANG_COOKIE),
        request.accept_languages,
        list(content.languages),
        current_app.config["DEFAULT_LANG"],
    )


def unknown_code_page(typed: str):
    g.lang = _reader_language()
    code = normalize_code(typed)
    looks_mistyped = bool(code) and not code_is_valid(code)
    response = make_response(
        render_template("leaflet_unknown.html", typed=typed[:40], mistyped=looks_mistyped), 404
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@root_bp.get("/l/")
def leaflet_lookup():
    """The box where a person types a code printed under the QR code."""
    typed = request.args.get("code", "")
    if typed:
        leaflet = scans.find_leaflet(typed)
        if leaflet:
            return redirect(url_for("root.leaflet_landing", code=leaflet.code))
        return unknown_code_page(typed)
    g.lang = _reader_language()
    return render_template("leaflet_unknown.html", typed="", mistyped=False)


@root_bp.get("/l/<code>")
def leaflet_landing(code: str):
    leaflet = scans.find_leaflet(code)
    if leaflet is None:
        return unknown_code_page(code)
    if code != leaflet.code:  # typed by hand in lower case or with a dash
        return redirect(url_for("root.leaflet_landing", code=leaflet.code))
    content = get_content()
    found = content.topic(leaflet.lang, leaflet.topic_id)
    g.lang = leaflet.lang if leaflet.lang in content.languages else SOURCE_LANG
    if found is None:  # the topic left the content after the leaflet was printed: no scan counted
        abort(404, description=_("There is no topic '%(id)s'.", id=leaflet.topic_id))
    seen = _seen_codes()
    if leaflet.code not in seen and not request.headers.get("X-Loa-No-Scan"):
        scans.record_scan(leaflet.code)
        seen = [leaflet.code, *seen][:SEEN_MAX]
    response = make_response(
        render_template("landing.html", leaflet=leaflet, topic=found.value, fallback=found.fallback)
    )
    response.set_cookie(
        SEEN_COOKIE,
        ".".join(seen),
        max_age=SEEN_SECONDS,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response
