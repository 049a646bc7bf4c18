"""Photos of complaints, uploaded resumably: GET says how much arrived, PUT sends a piece."""

from __future__ import annotations

from flask import current_app, g, request

from .. import auth, complaint_photos
from ..errors import error_response
from ..sync_parse import RecordInvalid, parse_uuid
from . import bp


def _problem(exc: complaint_photos.PhotoProblem):
    return error_response(exc.status, str(exc), code=exc.code, params=exc.params)


def _photo_id(raw: str) -> str | None:
    try:
        return parse_uuid(raw, "photo_id")
    except RecordInvalid:
        return None


@bp.get("/photos/<raw_id>")
@auth.require_actor()
def photo_status(raw_id: str):
    photo_id = _photo_id(raw_id)
    if photo_id is None:
        return error_response(404, "a photo id is a UUID", code="unknown_photo")
    try:
        return complaint_photos.status(photo_id, g.actor)
    except complaint_photos.PhotoProblem as exc:
        return _problem(exc)


@bp.put("/photos/<raw_id>")
@auth.require_actor()
def photo_chunk(raw_id: str):
    photo_id = _photo_id(raw_id)
    if photo_id is None:
        return error_response(404, "a photo id is a UUID", code="unknown_photo")
    chunk = request.get_data(cache=False)
    try:
        start, total = complaint_photos.parse_range(
            request.headers.get("Content-Range"), len(chunk), current_app.config["PHOTO_MAX_BYTES"]
        )
        return complaint_photos.put_chunk(photo_id, g.actor, start, total, chunk)
    except complaint_photos.PhotoProblem as exc:
        if exc.code == "not_an_image":
            complaint_photos.reset(photo_id)
        return _problem(exc)
