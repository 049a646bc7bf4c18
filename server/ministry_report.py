"""The report to the Ministry: for a province (or the whole country, province by province) and a
period, every figure the provincial and ministry reports ask for, against the year's targets and
the same period a year earlier. Plain data (JSON), so a signed-off report can be frozen as it was.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from . import activities, broadcasts, commune_areas, communes, complaints, reports, targets
from .content import Content
from .extensions import db
from .models import Leaflet
from .periods import Period
from .quiz_results import survey


def _leaflets_made(province: int | None, period: Period) -> int:
    query = (
        select(func.count())
        .select_from(Leaflet)
        .where(
            Leaflet.created_at >= dt.datetime.combine(period.start, dt.time()),
            Leaflet.created_at < dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time()),
        )
    )
    if province is not None:
        query = query.where(Leaflet.province_code == province)
    return int(db.session.execute(query).scalar() or 0)


def figures(province: int | None, period: Period, content: Content) -> dict:
    """Every figure of the report for one province (None: the country) and period."""
    flt = reports.ReportFilter(province=province, start=period.start, end=period.end)
    totals = reports.totals(flt)
    reach = reports.reach(flt, commune_areas.lists(content))
    kinds = activities.by_kind(flt)
    return {
        "sessions": totals["sessions"],
        "participants": totals["attendees"],
        "women": totals["women"],
        "ethnic_minority": totals["ethnic_minority"],
        "elderly": totals["elderly"],
        "disabled": totals["disabled"],
        "areas": {area: value["attendees"] for area, value in reach["areas"].items()},
        "communes_reached": reach["reached"],
        "communes": reach["in_scope"] if province is not None else len(communes.communes()),
        "leaflets_made": _leaflets_made(province, period),
        "leaflets_handed_out": kinds["leaflets"]["count"],
        "leaflet_scans": totals["leaflet_scans"],
        "banners": kinds["banner"]["count"],
        "broadcasts": totals["broadcasts"],
        "broadcast_minutes": totals["broadcast_minutes"],
        "media_items": kinds["media"]["count"],
        "fairs": kinds["fair"]["activities"],
        "fair_visitors": kinds["fair"]["count"],
        "trainings": kinds["training"]["activities"],
        "training_participants": kinds["training"]["count"],
        "survey": survey(flt),
        "complaints": complaints.figures(flt),
        "broadcasts_by_language": broadcasts.by_language(flt),
    }


# The rows of the report's main table, in order: (key in figures, whether it is compared with a
# target of the same name). Their labels are in ministry_labels().
ROWS = (
    "sessions",
    "participants",
    "women",
    "ethnic_minority",
    "elderly",
    "disabled",
    "communes_reached",
    "leaflets_made",
    "leaflets_handed_out",
    "leaflet_scans",
    "banners",
    "broadcasts",
    "broadcast_minutes",
    "media_items",
    "fairs",
    "fair_visitors",
    "trainings",
    "training_participants",
)
TARGET_OF = {"sessions": "sessions", "participants": "participants"}


def report(province: int | None, period: Period, content: Content, lang: str) -> dict:
    """The whole report: this period, the same period a year earlier, the year's targets, and for
    the country a table by province."""
    now = figures(province, period, content)
    before = figures(province, period.year_before(), content)
    year = period.start.year
    progress = {p.name: p for p in targets.progress(province, year, content, lang)}
    by_province = []
    if province is None:
        flt = reports.ReportFilter(start=period.start, end=period.end)
        participation = {row["province_code"]: row for row in reports.by_province(flt)}
        cases = complaints.by_province(flt)
        for info in communes.provinces().values():
            totals = participation.get(info.code)
            case = cases.get(info.code)
            if (totals and totals["sessions"]) or case:
                by_province.append(
                    {
                        "province": info.name,
                        "sessions": totals["sessions"] if totals else 0,
                        "participants": totals["attendees"] if totals else 0,
                        "broadcasts": totals["broadcasts"] if totals else 0,
                        "complaints": case["received"] if case else 0,
                        "resolved_share": case["resolved_share"] if case else 0,
                    }
                )
    return {
        "province": province,
        "period": {"key": period.key, "start": period.start.isoformat(), "end": period.end.isoformat()},
        "now": now,
        "before": before,
        "targets": {
            name: {"target": p.target, "actual": p.actual, "share": p.share} for name, p in progress.items()
        },
        "by_province": by_province,
        "made_at": dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat(),
    }
