"""Leaflet scans: a QR code opened online (counted when /l/<code> is served) or offline
(queued by the service worker as a `leaflet_scan` record, counted by sync). No personal
data and no IP address is stored: only the code, the time and how it arrived.

An online scan counts at most once per leaflet, client and day (UTC), decided on the server:
the client is the phone's random `loa_client` cookie, or, for a request without one, its
address. The scan keeps only the cookie hashed with the day's salt (quotas.py), deleted after
the day; the address is used only hashed, in quota keys. Since cookies can be dropped or
invented, online scans of one leaflet from one address count at most
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


COOKIELESS = "one online scan of a leaflet per address and day without a cookie"


class AlreadyCounted(Exception):
    """This phone's scan of this leaflet already counted today."""


def count_online_scan(
    leaflet: Leaflet, client: str, has_cookie: bool, address: str, per_address: int
) -> bool:
    """Count an online scan of a leaflet, or not; True when it counted.

    `client` is the phone's `loa_client` cookie: the one it sent (`has_cookie`), else the one
    it is given now. A phone with its cookie counts once per leaflet and day (the unique index
    on code, day and client hash). A request without one counts only if no other request
    without one counted this leaflet from its address today, so a client that drops cookies
    counts once; the scan is stored under the cookie it is given, so its next visits (with
    the cookie) do not count again that day. From one address, at most `per_address` online
    scans of a leaflet count a day whatever the cookies. The address is used only hashed with
    the day's salt, in quota keys; the scan keeps only the hashed cookie."""
    moment = quotas.now()
    day = moment.date()
    # Both hashes before anything is written: the day's first hash makes the salt.
    hashed = quotas.client_hash(f"client:{client}", day)
    at = quotas.address_hash(address, day)
    per_address_quota = (quotas.SCANS_PER_ADDRESS, f"scan:{leaflet.code}:{at}", per_address)
    scan = _scan(leaflet, moment, "online")
    scan.client_hash = hashed
    scan.client_day = day
    device = provenance.known_device(provenance.web_device(hashed))
    if device is not None and device.quarantined_at is not None:
        scan.hold = HOLD_QUARANTINED
    row = {c.name: getattr(scan, c.name) for c in LeafletScan.__table__.columns}
    try:
        if has_cookie:
            if not provenance.insert_ignoring_duplicates(LeafletScan, [row]):
                raise AlreadyCounted()  # this phone counted this leaflet today
            quotas.charge([per_address_quota], 1, day)
        else:
            without_cookie = (COOKIELESS, f"scan0:{leaflet.code}:{at}", 1)
            quotas.charge([without_cookie, per_address_quota], 1, day)
            provenance.insert_ignoring_duplicates(LeafletScan, [row])
    except (AlreadyCounted, quotas.QuotaExceeded):
        db.session.rollback()
        return False
    db.session.commit()
    return True
