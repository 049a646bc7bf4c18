"""What every page shares: template helpers, the hashed static route, HTML error pages."""

from __future__ import annotations

import datetime as dt

from flask import Flask, abort, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException

from . import campaign, communes, complaint_names, contacts, i18n
from .assets import Assets
from .content import SOURCE_LANG, Content
from .errors import error_response
from .state import state

IMMUTABLE = "public, max-age=31536000, immutable"


def get_content(force: bool = False) -> Content:
    """The content in use; picks up changed content files within a few seconds."""
    return state().content_store.current(force)


def get_assets() -> Assets:
    return state().assets


def asset_url(logical: str) -> str:
    return get_assets().url(logical)


def current_language():
    content = get_content()
    return (
        content.languages.get(g.get("lang") or current_app.config["DEFAULT_LANG"])
        or content.languages[SOURCE_LANG]
    )


def format_date(value, fmt: str = "long") -> str:
    lang = current_language()
    return i18n.format_date(value, lang.code, lang.cldr, fmt)


def format_number(value) -> str:
    lang = current_language()
    return i18n.format_number(value, lang.code, lang.cldr)


def format_time(value) -> str:
    lang = current_language()
    return i18n.format_time(value, lang.code, lang.cldr)


def format_signed(value) -> str:
    lang = current_language()
    return i18n.format_signed(value, lang.code, lang.cldr)


def same_page_in(lang: str) -> str:
    """This page's address in another language (its home page when it has no language)."""
    current = g.get("lang")
    path = request.path
    if current and path.startswith(f"/{current}/"):
        return f"/{lang}/" + path[len(current) + 2 :]
    return f"/{lang}/"


def serve_static(filename: str):
    """`/static/<hashed name>` is immutable; the plain name also works, revalidated each time."""
    assets = get_assets()
    asset = assets.by_hashed(filename)
    cache = IMMUTABLE
    if asset is None:
        asset = assets.by_logical(filename)
        cache = "no-cache"
    if asset is None:
        abort(404)
    response = current_app.response_class(asset.body, mimetype=asset.mimetype)
    response.headers["Cache-Control"] = cache
    response.set_etag(asset.digest)
    return response.make_conditional(request)


def handle_http_error(error: HTTPException):
    """HTML error pages in the page's language (Vietnamese when unknown); the API blueprint
    answers its own errors as JSON."""
    if request.path.startswith("/api/"):
        return error_response(error.code or 500, error.description)
    if error.description == type(error).description:  # Werkzeug's English default: the heading says it
        error.description = ""
    if g.get("lang") not in get_content().languages:
        g.lang = SOURCE_LANG
    return render_template("error.html", error=error), error.code


def init_app(app: Flask) -> None:
    app.add_url_rule("/static/<path:filename>", "static", serve_static)
    app.register_error_handler(HTTPException, handle_http_error)
    app.jinja_env.globals.update(
        asset_url=asset_url,
        content=get_content,
        current_language=current_language,
        same_page_in=same_page_in,
        commune_name=communes.commune_name,
        complaint_steps=complaint_names.step_names,
        province_name=communes.province_name,
        offices=contacts.OFFICES,
        now_date=dt.date.today,
        hotline=campaign.HOTLINE,
        hotline_tel=campaign.HOTLINE_TEL,
        brand_colour=campaign.BRAND_COLOUR,
    )
    app.jinja_env.filters.update(
        date=format_date, number=format_number, time=format_time, signed=format_signed
    )


def saved_language() -> str | None:
    """The language the reader chose before (the `loa_lang` cookie), under its code now: a
    cookie saved as "hnj" reads as White Hmong's "mww"."""
    code = request.cookies.get(i18n.LANG_COOKIE)
    return get_content().canonical_lang(code) if code else None
