"""Leaflet scans: a QR code opened online (counted when /l/<code> is served) or offline
(queued by the service worker as a `leaflet_scan` record, counted by sync). No personal
data and no IP address is stored: only the code, the time and how it arrived.

An online scan counts once per leaflet, client and day: the client (its `loa_client` cookie,
else its address) is stored only hashed with the day's salt (quotas.py). Since cookies can be
dropped or invented, online scans of one leaflet from one address count at most
LOA_SCANS_PER_ADDRESS_PER_DAY a day. A scan that does not count is simply not stored; the
reader sees the page all the same."""

from __future__ import annotations

import datetime as dt
import uuid

from .. import provenance, quotas
from ..extensions import db
from ..models import HOLD_QUARANTINED, Leaflet, LeafletScan, utcnow
from .codes import code_is_valid, normalize_code


def find_leaflet(text: str) -> Leaflet | None:
    code = normalize_code(text or "")
    if not code_is_valid(code):
        return None
    return db.session.get(Leaflet, code)


def record_scan(
    code: str, scanned_at: dt.datetime | None = None, source: str = "online"
) -> LeafletScan | None:
    """Count a scan with no client to tell apart (the demo data)."""
    leaflet = find_leaflet(code)
    if leaflet is None:
        return None
    scan = _scan(leaflet, scanned_at or utcnow(), source)
    db.session.add(scan)
    db.session.commit()
    return scan


def _scan(leaflet: Leaflet, scanned_at: dt.datetime, source: str) -> LeafletScan:
    return LeafletScan(
        id=str(uuid.uuid4()),
        code=leaflet.code,
        scanned_at=scanned_at,
        received_at=utcnow(),
        source=source,
        commune_code=leaflet.commune_code,
        province_code=leaflet.province_code,
        hold=0,
    )


def count_online_scan(leaflet: Leaflet, client: str, address: str, per_address: int) -> bool:
    """Count an online scan of a leaflet by a client (cookie or address) from an address, at
    most once per leaflet, client and day and per_address times per leaflet, address and day.
    True when it counted."""
    moment = quotas.now()
    day = moment.date()
    scan = _scan(leaflet, moment, "online")
    scan.client_hash = quotas.client_hash(f"client:{client}", day)
    scan.client_day = day
    device = provenance.known_device(provenance.web_device(scan.client_hash))
    if device is not None and device.quarantined_at is not None:
        scan.hold = HOLD_QUARANTINED
    row = {c.name: getattr(scan, c.name) for c in LeafletScan.__table__.columns}
    stored = provenance.insert_ignoring_duplicates(LeafletScan, [row])
    if not stored:  # this client already counted this leaflet today
        db.session.rollback()
        return False
    try:
        address_key = quotas.client_hash(f"address:{address}", day)
        quotas.charge([("scans per address", f"scan:{leaflet.code}:{address_key}", per_address)], 1, day)
    except quotas.QuotaExceeded:  # this address has counted its share of this leaflet today
        db.session.rollback()
        return False
    db.session.commit()
    return True
