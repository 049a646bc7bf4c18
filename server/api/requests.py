"""Reading API requests safely: bearer tokens, rate limits, JSON bodies (gzip accepted)."""

from __future__ import annotations

import json
import re
import zlib

from flask import abort, current_app, request

from .. import throttle
from ..errors import error_response
from ..quotas import QuotaExceeded

SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class TooLarge(Exception):
    pass


def gunzip_limited(raw: bytes, limit: int) -> bytes:
    """Undo gzip without ever holding more than limit + 1 bytes (no zip bombs)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(raw, limit + 1)
    if len(out) > limit or inflater.unconsumed_tail:
        raise TooLarge()
    if not inflater.eof:
        raise zlib.error("truncated gzip stream")
    return out


def json_body():
    """The request's JSON, or a 400/413 that says what is wrong with it."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    raw = request.get_data(cache=False)  # Werkzeug answers 413 beyond MAX_CONTENT_LENGTH
    if request.headers.get("Content-Encoding", "").strip().lower() == "gzip":
        try:
            raw = gunzip_limited(raw, limit)
        except TooLarge:
            abort(413, description=f"the body is larger than {limit} bytes once decompressed")
        except zlib.error as exc:
            abort(400, description=f"the body is not valid gzip: {exc}")
    if len(raw) > limit:
        abort(413, description=f"the body is larger than {limit} bytes")
    try:
        text = raw.decode("utf-8")
        payload = json.loads(text)
    except UnicodeDecodeError:
        abort(400, description="the body is not UTF-8 text")
    except json.JSONDecodeError as exc:
        abort(
            400, description=f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        )
    except RecursionError:
        abort(400, description="the body's JSON is nested too deeply")
    except ValueError as exc:  # a number with thousands of digits
        abort(400, description=f"the body's JSON has a value Loa cannot read: {str(exc)[:120]}")
    if SURROGATE_ESCAPE.search(text):
        try:  # only when the text escapes a surrogate: a lone one cannot be stored
            json.dumps(payload, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            abort(400, description="the body's JSON has a lone surrogate (\\ud800-\\udfff) in a string")
    return payload


def too_many(wait: int, what: str = "requests"):
    """429 with Retry-After; `code` and `params` let a phone say it in its reader's language."""
    response = error_response(
        429, f"too many {what}; try again in {wait} s", code="too_many_attempts", params={"seconds": wait}
    )
    response.headers["Retry-After"] = str(wait)
    return response


def rate_limited(name: str, key: str, per_minute: int):
    """None when allowed, else a 429 response with Retry-After. The count is shared by every
    server process (server/throttle.py)."""
    wait = throttle.hit(throttle.key(name, key), per_minute)
    return too_many(wait) if wait else None


def quota_exceeded(exc: QuotaExceeded):
    """429 for a daily quota used up: which quota (its setting), what it allows a day, what is
    left today (a smaller batch may still fit) and when it starts again (Retry-After)."""
    params = {
        "quota": exc.name,
        "limit": exc.limit,
        "remaining": exc.remaining,
        "retry_after": exc.retry_after,
    }
    response = error_response(
        429, f"{exc}; nothing was stored", code="quota_exceeded", params=params, **params
    )
    response.headers["Retry-After"] = str(exc.retry_after)
    return response
