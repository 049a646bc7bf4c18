"""Response headers every page gets: a strict Content-Security-Policy and friends."""

from __future__ import annotations

from flask import Flask, Response
from flask_wtf.csrf import CSRFError

# No inline script or style anywhere: every script and stylesheet is a same-origin file.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(self), camera=(self)")
    return response


def csrf_error(error: CSRFError):
    """A form kept open too long, or sent from another login: said in the reader's language
    (Flask-WTF's own reason is English), on the usual error page."""
    from flask import current_app, g, request

    from . import i18n
    from .web import get_content, handle_http_error, saved_language

    g.lang = i18n.pick_language(
        saved_language(),
        request.accept_languages,
        list(get_content().languages),
        current_app.config["DEFAULT_LANG"],
    )
    error.description = csrf_message()
    return handle_http_error(error)


def csrf_message() -> str:
    from flask_babel import gettext as _

    return _(
        "This form was open too long or comes from an earlier login, so it was not sent. "
        "Go back, reload the page and send it again."
    )


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.register_error_handler(CSRFError, csrf_error)
    if app.config.get("SESSION_COOKIE_SECURE"):

        @app.after_request
        def hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
