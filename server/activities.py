"""Campaign activities other than village sessions (`activity` records): leaflets handed out,
banners and posters, fairs and stalls with their visitors, media items, trainings. How many of
each kind and what they count (ACTIVITY_KINDS), in total and by commune, for the dashboard,
the stats API, the exports and the yearly report.

An activity about two topics counts under each of them when a topic is chosen. Activities
have no language: a language filter leaves them as they are.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from . import communes, daily_figures
from .extensions import db
from .models import ACTIVITY_KINDS, Activity
from .reports import ReportFilter


def kind_names() -> dict[str, tuple[str, str]]:
    """{kind: (what it is, what its count counts)} in the reader's language."""
    return {
        "leaflets": (_("Leaflets handed out"), _("leaflets")),
        "banner": (_("Banners and posters"), _("banners or posters")),
        "fair": (_("Fairs and stalls"), _("visitors")),
        "media": (_("Media items"), _("items")),
        "training": (_("Trainings of officials or businesses"), _("participants")),
    }


def count_labels() -> dict[str, str]:
    """{kind: the question its count answers}, for the forms."""
    return {
        "leaflets": _("How many leaflets were handed out"),
        "banner": _("How many banners or posters were put up"),
        "fair": _("How many people visited"),
        "media": _("How many items"),
        "training": _("How many people took part"),
    }


def _empty() -> dict[str, dict[str, int]]:
    return {kind: {"activities": 0, "count": 0} for kind in ACTIVITY_KINDS}


def by_kind(flt: ReportFilter) -> dict[str, dict[str, int]]:
    """{kind: {activities, count}} for every kind, zero where none was recorded."""
    if daily_figures.usable(flt, languages=False):
        names = [f"{part}_{kind}" for kind in ACTIVITY_KINDS for part in ("activities", "activity_count")]
        sums = daily_figures.summed(flt, names)[None]
        return {
            kind: {"activities": sums[f"activities_{kind}"], "count": sums[f"activity_count_{kind}"]}
            for kind in ACTIVITY_KINDS
        }
    query = flt.activities(
        select(Activity.kind, func.count(), func.sum(Activity.count)).group_by(Activity.kind)
    )
    found = _empty()
    for kind, activities, count in db.session.execute(query):
        if kind in found:
            found[kind] = {"activities": activities, "count": int(count or 0)}
    return found


def by_commune(flt: ReportFilter) -> list[dict]:
    """[{commune_code, commune, province, kinds: {kind: {activities, count}}, activities}],
    the communes with most activities first."""
    places: dict[int, dict] = {}

    def place(code: int, kinds: dict | None = None) -> dict:
        return places.setdefault(
            code,
            {
                "commune_code": code,
                "commune": communes.commune_name(code),
                "province": communes.province_name_of_commune(code),
                "kinds": kinds or _empty(),
                "activities": 0,
            },
        )

    if daily_figures.usable(flt, languages=False):
        for (_, code), sums in daily_figures.grid(flt).items():
            if code and (total := sum(sums[f"activities_{kind}"] for kind in ACTIVITY_KINDS)):
                kinds = {
                    kind: {"activities": sums[f"activities_{kind}"], "count": sums[f"activity_count_{kind}"]}
                    for kind in ACTIVITY_KINDS
                }
                place(code, kinds)["activities"] = total
    else:
        query = flt.activities(
            select(Activity.commune_code, Activity.kind, func.count(), func.sum(Activity.count)).group_by(
                Activity.commune_code, Activity.kind
            )
        )
        for code, kind, activities, count in db.session.execute(query):
            entry = place(code)
            entry["kinds"][kind] = {"activities": activities, "count": int(count or 0)}
            entry["activities"] += activities
    return sorted(
        places.values(), key=lambda r: (-r["activities"], r["province"], communes.fold(r["commune"]))
    )


def any_in(flt: ReportFilter) -> bool:
    """Whether the filter holds any counted activity."""
    return db.session.execute(flt.activities(select(Activity.id)).limit(1)).first() is not None


def breakdown(flt: ReportFilter) -> dict:
    """Both tables at once, and whether there is anything to show."""
    kinds = by_kind(flt)
    return {
        "by_kind": kinds,
        "by_commune": by_commune(flt),
        "any": any(v["activities"] for v in kinds.values()),
        "names": kind_names(),
    }
