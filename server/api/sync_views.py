"""POST /api/v1/sync: the one endpoint for every record a phone makes offline."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from flask import current_app, g, request

from .. import auth, devices, quiz_results, quotas, sync
from ..config import sync_limits
from ..errors import error_response
from ..web import get_content
from . import bp
from .requests import json_body, quota_exceeded, rate_limited


def rfc3339_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def resident_quota(config) -> Callable[[Counter[str]], None]:
    """A resident's phone sends tens of records a day, not thousands, and a complaint or two:
    what sync charges, inside its storing transaction, per token and per address (hashed with
    the day's salt)."""
    day = quotas.today()
    address = quotas.address_hash(request.remote_addr or "-", day)  # before anything is written
    token = g.actor.token_id
    limits = [
        (quotas.RECORDS_PER_PHONE, f"records:token:{token}", config["RESIDENT_RECORDS_PER_DAY"]),
        (
            quotas.RECORDS_PER_ADDRESS,
            f"records:address:{address}",
            config["RESIDENT_RECORDS_PER_ADDRESS_PER_DAY"],
        ),
    ]
    complaint_limits = [
        (quotas.COMPLAINTS_PER_PHONE, f"complaints:token:{token}", config["RESIDENT_COMPLAINTS_PER_DAY"]),
        (
            quotas.COMPLAINTS_PER_ADDRESS,
            f"complaints:address:{address}",
            config["RESIDENT_COMPLAINTS_PER_ADDRESS_PER_DAY"],
        ),
    ]

    def charge(counts: Counter[str]) -> None:
        quotas.charge(limits, sum(counts.values()), day)
        quotas.charge(complaint_limits, counts["complaint"], day)

    return charge


@bp.post("/sync")
@auth.require_actor()
def sync_records():
    config = current_app.config
    limited = rate_limited("sync", f"token:{g.actor.token_id}", config["SYNC_RATE_PER_MINUTE"])
    if limited:
        return limited
    try:
        device_id, records = sync.parse_envelope(json_body())
    except sync.EnvelopeError as exc:
        return error_response(400, str(exc))
    if len(records) > config["SYNC_MAX_RECORDS"]:
        return error_response(
            413,
            f"{len(records)} records in one batch; at most {config['SYNC_MAX_RECORDS']}",
            limits=sync_limits(config),
        )
    try:
        result = sync.ingest(
            records,
            g.actor,
            get_content(),
            device_id=device_id or g.actor.device_id,
            charge=resident_quota(config) if g.actor.role == devices.RESIDENT else None,
        )
    except quotas.QuotaExceeded as exc:
        return quota_exceeded(exc)
    devices.touch(g.actor.token_id)
    staff_phone = g.actor.role != devices.RESIDENT and (device_id or g.actor.device_id)
    return {
        **result.as_dict(),
        **({"resident_answers": quiz_results.resident_answers(staff_phone)} if staff_phone else {}),
        "server_time": rfc3339_now(),
        "protocol": sync.PROTOCOL_VERSION,
        "limits": sync_limits(config),
    }
