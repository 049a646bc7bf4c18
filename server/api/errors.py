"""JSON errors for the whole API, from one helper."""

from __future__ import annotations

from flask import jsonify
from werkzeug.http import HTTP_STATUS_CODES


def error_response(status: int, message: str | None = None, **extra):
    payload = {"error": HTTP_STATUS_CODES.get(status, "Unknown error"), "status": status}
    if message:
        payload["message"] = message
    payload.update(extra)
    response = jsonify(payload)
    response.status_code = status
    return response
