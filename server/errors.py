"""JSON error responses, shared by the API blueprint and the site-wide HTTP error handler."""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.http import HTTP_STATUS_CODES


def error_response(status: int, message: str | None = None, **extra: object) -> Response:
    payload: dict[str, object] = {"error": HTTP_STATUS_CODES.get(status, "Unknown error"), "status": status}
    if message:
        payload["message"] = message
    payload.update(extra)
    response = jsonify(payload)
    response.status_code = status
    return response
