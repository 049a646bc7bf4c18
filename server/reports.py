"""What the organisers see: plain query functions, used by pages, the JSON API and exports.

Every figure counts each record once: records are stored once (see sync.py), and these
queries only read."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from . import communes
from .extensions import db
from .models import Leaflet, LeafletScan


@dataclass(frozen=True)
class ScanFilter:
    province: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None       # inclusive

    def apply(self, query, scanned_at=LeafletScan.scanned_at, province=LeafletScan.province_code):
        if self.province is not None:
            query = query.where(province == self.province)
        if self.start is not None:
            query = query.where(scanned_at >= dt.datetime.combine(self.start, dt.time()))
        if self.end is not None:
            query = query.where(scanned_at < dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time()))
        return query


def scans_by_leaflet(flt: ScanFilter) -> list[dict]:
    """Every leaflet of the area with its scan count and last scan, most scanned first."""
    scans = flt.apply(select(LeafletScan.code, func.count().label("scans"),
                             func.max(LeafletScan.scanned_at).label("last"))
                      .group_by(LeafletScan.code)).subquery()
    query = (select(Leaflet, func.coalesce(scans.c.scans, 0), scans.c.last)
             .outerjoin(scans, scans.c.code == Leaflet.code))
    if flt.province is not None:
        query = query.where(Leaflet.province_code == flt.province)
    rows = []
    for leaflet, count, last in db.session.execute(query):
        commune = communes.commune(leaflet.commune_code) if leaflet.commune_code else None
        rows.append({"code": leaflet.code, "topic": leaflet.topic_id, "lang": leaflet.lang,
                     "commune_code": leaflet.commune_code, "commune": commune.name if commune else "",
                     "scans": count, "last_scan": last})
    rows.sort(key=lambda r: (-r["scans"], r["commune"], r["topic"], r["lang"]))
    return rows


def _grouped(column, flt: ScanFilter) -> list[tuple]:
    query = flt.apply(select(column, func.count()).group_by(column))
    return [tuple(row) for row in db.session.execute(query)]


def scans_by_commune(flt: ScanFilter) -> list[dict]:
    rows = []
    for code, count in _grouped(LeafletScan.commune_code, flt):
        commune = communes.commune(code) if code else None
        rows.append({"commune_code": code, "commune": commune.name if commune else "",
                     "province": commune.province.name if commune else "", "scans": count})
    return sorted(rows, key=lambda r: -r["scans"])


def scans_by_language(flt: ScanFilter) -> list[dict]:
    query = flt.apply(select(Leaflet.lang, func.count()).select_from(LeafletScan)
                      .join(Leaflet, Leaflet.code == LeafletScan.code).group_by(Leaflet.lang))
    return sorted(({"lang": lang, "scans": count} for lang, count in db.session.execute(query)),
                  key=lambda r: -r["scans"])


def scans_by_week(flt: ScanFilter) -> list[dict]:
    """ISO weeks ("2027-W10") with their scans, oldest first."""
    day = func.date(LeafletScan.scanned_at)
    weeks: dict[str, int] = {}
    for value, count in db.session.execute(flt.apply(select(day, func.count()).group_by(day))):
        date = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
        year, week, _ = date.isocalendar()
        key = f"{year}-W{week:02d}"
        weeks[key] = weeks.get(key, 0) + count
    return [{"week": k, "scans": v} for k, v in sorted(weeks.items())]


def communes_never_scanned(flt: ScanFilter) -> list[dict]:
    """Communes that have leaflets, none of which was ever scanned (in the period)."""
    by_commune: dict[int, int] = {}
    for row in scans_by_leaflet(flt):
        if row["commune_code"] is not None:
            by_commune[row["commune_code"]] = by_commune.get(row["commune_code"], 0) + row["scans"]
    rows = []
    for code, total in by_commune.items():
        if total == 0:
            commune = communes.commune(code)
            rows.append({"commune_code": code, "commune": commune.name, "province": commune.province.name})
    return sorted(rows, key=lambda r: (r["province"], communes.fold(r["commune"])))
