"""POST /api/v1/sync: the one endpoint for every record a phone makes offline."""

from __future__ import annotations

import datetime as dt

from flask import current_app, g

from .. import devices, sync
from ..config import sync_limits
from ..errors import error_response
from ..web import get_content
from . import bp
from .requests import json_body, rate_limited, require_token


def rfc3339_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@bp.post("/sync")
@require_token()
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
    result = sync.ingest(records, g.actor, get_content(), device_id=device_id or g.actor.device_id)
    devices.touch(g.actor.token_id)
    return {
        **result.as_dict(),
        "server_time": rfc3339_now(),
        "protocol": sync.PROTOCOL_VERSION,
        "limits": sync_limits(config),
    }
