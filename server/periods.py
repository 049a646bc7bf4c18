"""Reporting periods, as organisers write them: a month (2027-03), a quarter (2027-Q1), the
Consumer Rights Day campaign (2027-crd: the whole of March, around 15 March) or a year (2027)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import gettext as _

PATTERN = re.compile(r"(\d{4})(?:-(\d{2})|-[Qq]([1-4])|-(crd))?")
FIRST_YEAR, LAST_YEAR = 2015, 2100


class PeriodError(ValueError):
    def __init__(self, value: str) -> None:
        super().__init__(f"'{value}' is not a period: write 2027, 2027-03, 2027-Q1 or 2027-crd")
        self.code, self.params = "bad_period", {"value": value}


@dataclass(frozen=True)
class Period:
    key: str  # as written: 2027-03
    start: dt.date
    end: dt.date  # inclusive

    def label(self) -> str:
        year, rest = self.key[:4], self.key[5:]
        if not rest:
            return _("Year %(year)s", year=year)
        if rest.lower().startswith("q"):
            return _("Quarter %(n)s of %(year)s", n=rest[1], year=year)
        if rest == "crd":
            return _("Consumer Rights Day campaign %(year)s (March)", year=year)
        return _("Month %(month)s/%(year)s", month=int(rest), year=year)

    def year_before(self) -> Period:
        """The same period a year earlier, for the comparison."""
        return parse(f"{int(self.key[:4]) - 1}{self.key[4:]}")


def parse(value: str) -> Period:
    text = (value or "").strip()
    found = PATTERN.fullmatch(text)
    if not found:
        raise PeriodError(text)
    year = int(found.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(text)
    month, quarter, crd = found.group(2), found.group(3), found.group(4)
    if month:
        if not 1 <= int(month) <= 12:
            raise PeriodError(text)
        m = int(month)
        return Period(text, dt.date(year, m, 1), dt.date(year, m, calendar.monthrange(year, m)[1]))
    if quarter:
        first = 3 * (int(quarter) - 1) + 1
        last = first + 2
        return Period(
            f"{year}-Q{quarter}",
            dt.date(year, first, 1),
            dt.date(year, last, calendar.monthrange(year, last)[1]),
        )
    if crd:
        return Period(f"{year}-crd", dt.date(year, 3, 1), dt.date(year, 3, 31))
    return Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))
