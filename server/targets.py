"""Yearly targets and the progress towards them: organisers set, per province (or nationally)
and year, the participants, sessions, share of communes reached and participants in each area
of the commune classification (border, remote...) they aim for; the dashboard and the report
show how far the figures have come.

The national programme asks for at least 200,000 consumers a year with priority for rural,
remote and border areas (SUGGESTED): suggestions on the form, never saved by themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select

from . import audit, commune_areas, communes, complaints, reports
from .content import Content
from .extensions import db
from .models import NATIONAL, Target

PERCENT = ("communes_reached", "complaints_advised", "complaints_resolved")  # shares, in percent
MAX_COUNT = 100_000_000
# What the national programme and earlier provincial plans asked for (never saved by themselves).
SUGGESTED = {NATIONAL: {"participants": 200_000, "complaints_advised": 80, "complaints_resolved": 70}}
PROVINCE_SUGGESTED = {"complaints_advised": 80, "complaints_resolved": 70}


class TargetError(ValueError):
    """A target that cannot be saved; `code` and `params` say which and why."""

    def __init__(self, message: str, code: str, **params) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def names(content: Content) -> list[str]:
    """Every target that can be set, in the order the pages show them."""
    return [
        "participants",
        "sessions",
        "communes_reached",
        *(f"participants_{area}" for area in content.areas),
        "complaints_advised",
        "complaints_resolved",
    ]


def labels(content: Content, lang: str) -> dict[str, str]:
    found = {
        "participants": _("Participants"),
        "sessions": _("Sessions"),
        "communes_reached": _("Communes reached (percent of the communes)"),
        "complaints_advised": _("Complaints received and advised (percent)"),
        "complaints_resolved": _("Complaints resolved (percent)"),
    }
    for area_id, area in content.areas.items():
        found[f"participants_{area_id}"] = _(
            "Participants in %(area)s", area=content.text(area.label, lang).value.lower()
        )
    return found


def stored(province: int | None, year: int) -> dict[str, int]:
    """{name: value} set for the province (None: national) and year."""
    code = NATIONAL if province is None else province
    rows = db.session.execute(
        select(Target.name, Target.value).where(Target.province_code == code, Target.year == year)
    )
    return {row.name: row.value for row in rows}


def parse(values: dict[str, str], content: Content) -> dict[str, int]:
    """The targets typed on the form: empty means none; TargetError names a wrong one."""
    found = {}
    for name in names(content):
        text = (values.get(name) or "").strip().replace(".", "").replace(",", "").replace(" ", "")
        if not text:
            continue
        high = 100 if name in PERCENT else MAX_COUNT
        if not text.isdigit() or not 0 < int(text) <= high:
            raise TargetError(
                f"{name} must be a whole number from 1 to {high}", "bad_target", name=name, high=high
            )
        found[name] = int(text)
    return found


def save(province: int | None, year: int, values: dict[str, int], by: str) -> None:
    """Replace the targets of the province (None: national) and year."""
    code = NATIONAL if province is None else province
    db.session.execute(delete(Target).where(Target.province_code == code, Target.year == year))
    db.session.add_all(
        Target(province_code=code, year=year, name=name, value=value, set_by=by)
        for name, value in values.items()
    )
    audit.record(audit.TARGETS_SAVED, f"{code}:{year}", province_code=province, year=year, **values)
    db.session.commit()


@dataclass(frozen=True)
class Progress:
    name: str
    label: str
    target: int
    actual: int
    percent: bool  # a share in percent rather than a number

    @property
    def share(self) -> int:
        """How far towards the target, in percent (capped at 100 for the bar)."""
        return min(100, round(100 * self.actual / self.target)) if self.target else 0

    @property
    def met(self) -> bool:
        return self.actual >= self.target


def actuals(province: int | None, year: int, content: Content) -> dict[str, int]:
    """The figures each target is measured against, for the province (None: the country)."""
    flt = reports.ReportFilter(province=province, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    totals = reports.totals(flt)
    reach = reports.reach(flt, commune_areas.lists(content))
    in_scope = reach["in_scope"] if province is not None else len(communes.communes())
    found = {
        "participants": totals["attendees"],
        "sessions": totals["sessions"],
        "communes_reached": round(100 * reach["reached"] / in_scope) if in_scope else 0,
    }
    for area, figures in reach["areas"].items():
        found[f"participants_{area}"] = figures["attendees"]
    cases = complaints.figures(flt)
    found["complaints_advised"] = cases["advised_share"]
    found["complaints_resolved"] = cases["resolved_share"]
    return found


def progress(province: int | None, year: int, content: Content, lang: str) -> list[Progress]:
    """The targets set for the province (None: national) and year, with the figures so far."""
    targets = stored(province, year)
    if not targets:
        return []
    now = actuals(province, year, content)
    label = labels(content, lang)
    return [
        Progress(name, label[name], targets[name], now.get(name, 0), name in PERCENT)
        for name in names(content)
        if name in targets
    ]
