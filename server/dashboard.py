"""The organiser dashboard and the yearly report, composed from plain report functions."""

from __future__ import annotations

import datetime as dt

from . import activities, broadcasts, commune_areas, communes, complaints, devices, reports, targets
from .content import Content
from .quiz_results import quiz_results

LARGE_EVENTS_TARGET = 2  # the plans ask for at least 2 large public events a year


def area_lists(content: Content) -> dict[str, set[int]]:
    return commune_areas.lists(content)


def dashboard(
    flt: reports.ReportFilter, content: Content, viewer_province: int | None = None, lang: str = "vi"
) -> dict:
    """The dashboard's figures. `viewer_province`: the province organiser looking (None:
    national), whose lines waiting for a session and devices are the only ones shown. The
    targets are those of the filter's province (or national) for the year the filter starts in
    (this year when it has no start)."""
    year = flt.start.year if flt.start else dt.date.today().year
    figures = reports.totals(flt)
    by_commune = bool(flt.province or flt.commune)
    quizzes = quiz_results(flt, content)
    return {
        "totals": figures,
        "has_data": reports.has_data(figures) or activities.any_in(flt),
        "level": "commune" if by_commune else "province",
        "places": reports.by_commune(flt) if by_commune else reports.by_province(flt),
        "months": reports.by_month(flt),
        "reach": reports.reach(flt, area_lists(content)),
        "area_sources": commune_areas.sources(flt.province),
        "quizzes": quizzes,
        "broadcasts": broadcasts.breakdown(flt) if figures["broadcasts"] else None,
        "activities": activities.breakdown(flt),
        "complaints": complaints.figures(flt),
        "target_year": year,
        "targets": targets.progress(flt.province, year, content, lang),
        "waiting": reports.waiting_for_session(viewer_province),
        "devices": devices.in_province(devices.list_devices(), viewer_province)[:30],
    }


def events_in(content: Content, year: int, province: int | None, today: dt.date) -> dict:
    """The year's confirmed Consumer Rights Day events from the events file: held and still
    planned (examples never count)."""
    listed = [
        e
        for e in content.public_events()
        if e.date and e.date.year == year and (province is None or e.province in (None, province))
    ]
    held = [e for e in listed if (e.end_date or e.date) <= today]
    return {
        "listed": listed,
        "held": held,
        "planned": [e for e in listed if e not in held],
        "target": LARGE_EVENTS_TARGET,
    }


def yearly_report(
    year: int, province: int | None, content: Content, today: dt.date | None = None, lang: str = "vi"
) -> dict:
    """The indicators of the provincial plans for one year."""
    flt = reports.ReportFilter(province=province, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    figures = reports.totals(flt)
    return {
        "year": year,
        "province": communes.province(province) if province else None,
        "filter": flt,
        "totals": figures,
        "has_data": reports.has_data(figures) or activities.any_in(flt),
        "events": events_in(content, year, province, today or dt.date.today()),
        "reach": reports.reach(flt, area_lists(content)),
        "area_sources": commune_areas.sources(province),
        "areas": content.areas,
        "quizzes": quiz_results(flt, content),
        "broadcasts": broadcasts.breakdown(flt),
        "activities": activities.breakdown(flt),
        "complaints": complaints.figures(flt),
        "targets": targets.progress(province, year, content, lang),
        "places": reports.by_commune(flt) if province else reports.by_province(flt),
    }
