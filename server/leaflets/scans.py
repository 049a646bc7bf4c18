"""Leaflet scans: a QR code opened online (counted when /l/<code> is served) or offline
(queued by the service worker as a `leaflet_scan` record, counted by sync). No personal
data and no IP address is stored: only the code, the time and how it arrived."""

from __future__ import annotations

import datetime as dt
import uuid

from ..extensions import db
from ..models import Leaflet, LeafletScan, utcnow
from .codes import code_is_valid, normalize_code


def find_leaflet(text: str) -> Leaflet | None:
    code = normalize_code(text or "")
    if not code_is_valid(code):
        return None
    return db.session.get(Leaflet, code)


def record_scan(
    code: str, scanned_at: dt.datetime | None = None, source: str = "online"
) -> LeafletScan | None:
    leaflet = find_leaflet(code)
    if leaflet is None:
        return None
    scan = LeafletScan(
        id=str(uuid.uuid4()),
        code=leaflet.code,
        scanned_at=scanned_at or utcnow(),
        received_at=utcnow(),
        source=source,
        commune_code=leaflet.commune_code,
        province_code=leaflet.province_code,
    )
    db.session.add(scan)
    db.session.commit()
    return scan
