"""Organisers enter campaign activities on a page (leaflets handed out, banners, fairs, media
items, trainings), as the staff phone does offline: the same `activity` record, checked by the
same rules (sync_parse) and stored once by the same sync. The page lists the newest activities
of the organiser's province, each with a button to void it (with a reason, as on the data
quality page: quality_views.void_record)."""

from __future__ import annotations

import datetime as dt
import uuid

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import activities, scope, sync
from ..devices import actor_of_user
from ..extensions import db
from ..models import ACTIVITY_KINDS, Activity
from ..sync_parse import ACTIVITY_FIELDS
from ..web import get_content
from . import bp, organiser_required, problems
from .forms import ConfirmForm
from .pickers import PickError, resolve_commune

LISTED = 30  # the newest activities shown under the form
TEXT_FIELDS = ("batch", "channel", "link", "audience", "note")


def _data(form, province: int | None) -> dict:
    """The record's data from the form; the sync parser checks every value."""
    kind = form.get("kind", "")
    data: dict = {
        "kind": kind,
        "commune_code": resolve_commune(form.get("commune", ""), province) if form.get("commune") else None,
        "held_at": f"{form.get('held_on', '')}T12:00:00+07:00",
        "topic_ids": form.getlist("topic_ids"),
        "count": int(form["count"]) if form.get("count", "").strip().isdigit() else form.get("count", ""),
        "note": form.get("note", ""),
    }
    for name in TEXT_FIELDS[:-1]:
        if form.get(name) and ACTIVITY_FIELDS.get(name) == kind:
            data[name] = form[name]
    if kind == "leaflets":
        data["leaflet_codes"] = [c for c in form.get("leaflet_codes", "").replace(",", " ").split() if c]
    return data


def _listed(province: int | None) -> list[Activity]:
    query = select(Activity).where(Activity.hold == 0).order_by(Activity.held_at.desc(), Activity.id)
    if province is not None:
        query = query.where(Activity.province_code == province)
    return list(db.session.execute(query.limit(LISTED)).scalars())


@bp.route("/activities", methods=["GET", "POST"])
@organiser_required
def activities_page():
    content = get_content()
    province = scope.province_of(g.user)
    confirm = ConfirmForm()
    error, status = "", 200
    if request.method == "POST" and confirm.validate_on_submit():
        try:
            data = _data(request.form, province)
        except PickError as exc:
            error = str(exc)
        else:
            record = {
                "id": str(uuid.uuid4()),
                "type": "activity",
                "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "data": data,
            }
            result = sync.ingest([record], actor_of_user(g.user), content)
            if result.accepted:
                flash(_("Activity saved. It counts in the figures now."))
                return redirect(url_for("organiser.activities_page"))
            error = problems.rejection((result.rejected or result.conflicts)[0])
        status = 400
    elif request.method == "POST":
        error, status = _("The form expired. Save again."), 400
    return (
        render_template(
            "organiser/activities.html",
            form=request.form if request.method == "POST" else {},
            confirm=confirm,
            error=error,
            kinds=activities.kind_names(),
            count_labels=activities.count_labels(),
            topics=content.topics_in_order(g.lang),
            listed=_listed(province),
            today=dt.date.today().isoformat(),
            default_kind=next(iter(ACTIVITY_KINDS)),
        ),
        status,
    )
