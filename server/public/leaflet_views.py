"""/l/<code>: the page a leaflet's QR code opens. Readable on 2G with no script; counts one
scan per leaflet, phone and day (no personal data, no IP address: see leaflets/scans.py).
The phone is told apart by a random first-party cookie, `loa_client`, set on its first visit."""

from __future__ import annotations

import re
import secrets

from flask import abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from .. import contacts, i18n, listening
from ..content import SOURCE_LANG
from ..extensions import db
from ..leaflets import scans
from ..leaflets.codes import code_is_valid, normalize_code
from ..web import get_content, saved_language
from . import root_bp

CLIENT_COOKIE = "loa_client"  # a random id: one scan per leaflet, phone and day
CLIENT_SECONDS = 365 * 24 * 3600
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{22,43}")


def _client_id() -> tuple[str, bool]:
    """The phone's random id from its cookie, or a new one (True: set the cookie)."""
    value = request.cookies.get(CLIENT_COOKIE, "")
    if CLIENT_ID.fullmatch(value):
        return value, False
    return secrets.token_urlsafe(16), True


def _reader_language() -> str:
    content = get_content()
    return i18n.pick_language(
        saved_language(),
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
    client, new_client = _client_id()
    if not request.headers.get("X-Loa-No-Scan"):
        # Once per leaflet, phone (cookie, else address) and day; a few per address at most.
        try:
            scans.count_online_scan(
                leaflet,
                client,
                not new_client,
                request.remote_addr or "-",
                current_app.config["SCANS_PER_ADDRESS_PER_DAY"],
            )
        except SQLAlchemyError:  # the reader gets the page even when the scan cannot be counted
            db.session.rollback()
            current_app.logger.exception("leaflet scan not counted: %s", leaflet.code)
    response = make_response(
        render_template(
            "landing.html",
            leaflet=leaflet,
            topic=found.value,
            fallback=found.fallback,
            province_card=contacts.card(leaflet.province_code),
            narration=listening.topic_audio(content, found.value).narration,
        )
    )
    if new_client:
        response.set_cookie(
            CLIENT_COOKIE,
            client,
            max_age=CLIENT_SECONDS,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    response.headers["Cache-Control"] = "private, no-cache"
    return response
