"""Photos of complaints (the product, its label, the receipt), uploaded resumably in chunks:
the phone compresses each photo, then sends it in pieces with `Content-Range: bytes
START-END/TOTAL`; the server keeps what arrived and says how much (`received`), so a phone
that lost its network sends the rest from there. A piece sent twice changes nothing. When the
last byte is in, the photo must be a JPEG, PNG or WebP image, or it is thrown away.

Only the phone that sent the complaint naming the photo may upload it.
"""

from __future__ import annotations

import io
import json
import re

from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from .devices import Actor
from .extensions import db
from .models import Complaint, ComplaintPhoto, SyncRecord, utcnow

MAX_CHUNK = 256 * 1024
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


class PhotoProblem(Exception):
    """An upload the server cannot take: `status` is the HTTP answer, `code` says why."""

    def __init__(self, status: int, message: str, code: str, **params) -> None:
        super().__init__(message)
        self.status, self.code, self.params = status, code, params


def parse_range(header: str | None, length: int, max_bytes: int) -> tuple[int, int]:
    """(start, total) from a Content-Range header that matches the body's length."""
    found = CONTENT_RANGE.fullmatch((header or "").strip())
    if not found:
        raise PhotoProblem(400, "send Content-Range: bytes START-END/TOTAL", "bad_range")
    start, end, total = (int(n) for n in found.groups())
    if total > max_bytes:
        raise PhotoProblem(
            413, f"the photo is {total} bytes; at most {max_bytes}", "photo_too_large", limit=max_bytes
        )
    if end < start or end >= total or end - start + 1 != length:
        raise PhotoProblem(400, "Content-Range does not match the body", "bad_range")
    if length > MAX_CHUNK:
        raise PhotoProblem(413, f"a piece is at most {MAX_CHUNK} bytes", "chunk_too_large", limit=MAX_CHUNK)
    return start, total


def _case_of(photo_id: str, actor: Actor) -> Complaint:
    """The case naming the photo, sent by this actor's phone (token) or account."""
    cases = (
        db.session.execute(select(Complaint).where(Complaint.photo_ids.like(f'%"{photo_id}"%')))
        .scalars()
        .all()
    )
    for case in cases:
        if photo_id not in json.loads(case.photo_ids):
            continue
        sent = db.session.get(SyncRecord, case.id)
        if sent is not None and (
            (actor.token_id is not None and sent.token_id == actor.token_id)
            or (actor.user_id is not None and sent.user_id == actor.user_id)
        ):
            return case
    raise PhotoProblem(
        404, "no complaint of this phone names this photo; send the complaint first", "unknown_photo"
    )


def status(photo_id: str, actor: Actor) -> dict:
    _case_of(photo_id, actor)
    photo = db.session.get(ComplaintPhoto, photo_id)
    if photo is None:
        return {"id": photo_id, "received": 0, "size": None, "complete": False}
    return {"id": photo_id, "received": photo.received, "size": photo.size, "complete": photo.complete}


def put_chunk(photo_id: str, actor: Actor, start: int, total: int, chunk: bytes) -> dict:
    """Store one piece; the photo's status afterwards."""
    case = _case_of(photo_id, actor)
    photo = db.session.get(ComplaintPhoto, photo_id)
    if photo is None:
        db.session.add(
            ComplaintPhoto(
                id=photo_id, complaint_id=case.id, size=total, received=0, data=b"", token_id=actor.token_id
            )
        )
        try:
            db.session.commit()
        except IntegrityError:  # another request created it at the same moment
            db.session.rollback()
        photo = db.session.get(ComplaintPhoto, photo_id, populate_existing=True)
        assert photo is not None
    if photo.size != total:
        raise PhotoProblem(
            409, f"this photo is {photo.size} bytes, not {total}", "size_changed", size=photo.size
        )
    if photo.complete or start + len(chunk) <= photo.received:
        return status(photo_id, actor)  # sent before: nothing changes
    if start != photo.received:
        raise PhotoProblem(409, f"send from byte {photo.received}", "resume_from", received=photo.received)
    data = photo.data + chunk
    done = len(data) == total
    values: dict = {"data": data, "received": len(data), "updated_at": utcnow()}
    if done:
        values["mimetype"] = _image_type(data)
        values["complete"] = True
    # Only if nobody stored this piece meanwhile (two sends of it at once: one wins, both see it).
    db.session.execute(
        update(ComplaintPhoto)
        .where(ComplaintPhoto.id == photo_id, ComplaintPhoto.received == start)
        .values(**values)
    )
    db.session.commit()
    return status(photo_id, actor)


def _image_type(data: bytes) -> str:
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    if kind not in FORMATS:
        raise PhotoProblem(415, "this is not a JPEG, PNG or WebP photo", "not_an_image")
    return FORMATS[kind]


def reset(photo_id: str) -> None:
    """Forget a photo that turned out not to be an image, so the phone may send another."""
    db.session.execute(delete(ComplaintPhoto).where(ComplaintPhoto.id == photo_id))
    db.session.commit()
