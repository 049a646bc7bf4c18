"""Spots for the commune loudspeakers: the organiser sees every spot of a province (topic,
language, duration), listens to each, and downloads the province's ZIP (MP3 spots and script
sheets) for its commune stations."""

from __future__ import annotations

import io

from flask import abort, g, render_template, request, send_file
from flask_babel import gettext as _

from .. import broadcast_spots, communes, scope
from ..state import state
from ..web import get_content
from . import bp, organiser_required
from .problems import say


def _province() -> int | None:
    """The province asked for (?province=), the organiser's own by default; another is 403."""
    raw = request.args.get("province") or ""
    province = int(raw) if raw.isdigit() and communes.province(int(raw)) else scope.province_of(g.user)
    try:
        scope.check_province(g.user, province)
    except scope.OutOfScope as exc:
        abort(403, description=say(exc))
    return province


@bp.get("/broadcast")
@organiser_required
def broadcast_page():
    province = _province()
    spots = broadcast_spots.spots_for(get_content(), province)
    return render_template(
        "organiser/broadcast.html",
        spots=spots,
        province=province,
        provinces=scope.provinces_for(g.user),
        national=scope.is_national(g.user),
    )


@bp.get("/broadcast/<lang>/<topic_id>.mp3")
@organiser_required
def broadcast_spot(lang: str, topic_id: str):
    province = _province()
    found = [
        s
        for s in broadcast_spots.spots_for(get_content(), province)
        if (s.lang, s.topic.id) == (lang, topic_id)
    ]
    if not found:
        abort(404, description=_("There is no spot for this topic in this language yet."))
    data = broadcast_spots.spot_mp3(
        found[0], state().content_store.tree, broadcast_spots.SpotSettings.from_config()
    )
    return send_file(
        io.BytesIO(data), mimetype="audio/mpeg", download_name=found[0].file_name, conditional=True
    )


@bp.get("/broadcast.zip")
@organiser_required
def broadcast_zip():
    province = _province()
    data, count = broadcast_spots.export_zip(get_content(), state().content_store.tree, province)
    if not count:
        abort(404, description=_("No topic has a recording yet."))
    return send_file(
        io.BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=broadcast_spots.zip_name(province),
    )
