"""Daily and monthly figures per commune, kept by the database itself.

Every counted record (hold 0) adds its figures to the row of its commune and day in
`daily_figures`, and of its commune and month in `monthly_figures`: a session adds 1 to `sessions`, an attendance line its people, a broadcast its
airtime, a complaint 1 to the count of its current step. Triggers on the record tables add a
record's share when it is stored and take it back when it is voided, corrected, moved to
another step or deleted, in the same transaction as the change. Bulk updates (voiding a session
and everything of it, quarantining a device) are covered like single rows. Concurrent writers
add with INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n, which the database applies
one after the other per row, so nothing is lost to a race.

The country's figures then read whole months and the days around them, one row per commune
with records, instead of every record. Filters by topic or language, and figures that include
held records, still read the records themselves (reports.py).

`loa figures check` compares both tables with the records; `loa figures rebuild` recomputes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from flask import g, has_request_context
from sqlalchemy import BigInteger, cast, func, select, text
from sqlalchemy.engine import Connection

from .extensions import db
from .models import (
    ACTIVITY_KINDS,
    ATTENDANCE_PARTS,
    COMPLAINT_STEPS,
    DAILY_FIGURES,
    daily_figures,
    monthly_figures,
)

if TYPE_CHECKING:
    from .reports import ReportFilter


@dataclass(frozen=True)
class Source:
    """A record table and what each of its counted rows adds to its commune's day. In the
    expressions, `R` stands for the row (NEW or OLD in a trigger, the table in a rebuild)."""

    table: str
    moment: str  # the column whose day the record counts on
    adds: dict[str, str]  # daily_figures column: expression over the row
    reads: tuple[str, ...]  # columns the expressions read (an update of these moves figures)
    only: str = "1 = 1"  # which counted rows add at all

    def watched(self) -> tuple[str, ...]:
        return ("hold", "commune_code", "province_code", self.moment, *self.reads)


def _by_value(column: str, values: Iterable[str], names: str, amount: str = "1") -> dict[str, str]:
    return {names.format(v): f"CASE WHEN R.{column} = '{v}' THEN {amount} ELSE 0 END" for v in values}


SOURCES = (
    Source("sessions", "starts_at", {"sessions": "1"}, ()),
    Source(
        "attendance",
        "session_starts_at",
        {"attendees": "R.count", **{part: f"COALESCE(R.{part}, 0)" for part in ATTENDANCE_PARTS}},
        ("count", *ATTENDANCE_PARTS),
        only="R.commune_code IS NOT NULL",  # lines waiting for their session count once it comes
    ),
    Source(
        "quiz_responses",
        "created_at",
        {
            "quiz_responses": "1",
            **{
                f"quiz_{phase}_{part}": f"CASE WHEN R.phase = '{phase}' THEN {amount} ELSE 0 END"
                for phase in ("pre", "post")
                for part, amount in (("answers", "1"), ("right", "R.correct"), ("asked", "R.total"))
            },
        },
        ("phase", "correct", "total"),
    ),
    Source("leaflet_scans", "scanned_at", {"leaflet_scans": "1"}, ()),
    Source(
        "broadcasts",
        "started_at",
        {"broadcasts": "1", "broadcast_minutes": "R.minutes * R.repeats"},
        ("minutes", "repeats"),
    ),
    Source(
        "activities",
        "held_at",
        {
            **_by_value("kind", ACTIVITY_KINDS, "activities_{}"),
            **_by_value("kind", ACTIVITY_KINDS, "activity_count_{}", "R.count"),
        },
        ("kind", "count"),
    ),
    Source(
        "complaints",
        "taken_at",
        {**_by_value("status", COMPLAINT_STEPS, "complaints_{}"), "money_recovered": "R.money_recovered"},
        ("status", "money_recovered"),
    ),
)
assert {name for s in SOURCES for name in s.adds} == set(DAILY_FIGURES), "every figure has one source"


# -- the triggers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grain:
    """A figures table and how a record's moment becomes its key there."""

    table: str
    column: str

    def of(self, dialect: str, moment: str) -> str:
        # SQLite keeps datetimes as ISO text ("2027-03-15 08:00:00"): its first characters are
        # the day, as a Date column stores it (and the month's first day is "2027-03-01").
        if self.column == "day":
            return f"substr({moment}, 1, 10)" if dialect == "sqlite" else f"CAST({moment} AS DATE)"
        if dialect == "sqlite":
            return f"(substr({moment}, 1, 7) || '-01')"
        return f"CAST(date_trunc('month', {moment}) AS DATE)"


DAY = Grain("daily_figures", "day")
MONTH = Grain("monthly_figures", "month")
GRAINS = (DAY, MONTH)
TABLES = {DAY: daily_figures, MONTH: monthly_figures}


@dataclass(frozen=True)
class _Upsert:
    source: Source
    dialect: str
    grain: Grain

    @property
    def columns(self) -> list[str]:
        return list(self.source.adds)

    def head(self) -> str:
        key = f"province_code, commune_code, {self.grain.column}"
        return f"INSERT INTO {self.grain.table} ({key}, {', '.join(self.columns)})"

    def values(self, row: str, sign: str) -> str:
        """The key and signed figures of one row (`row`: NEW, OLD, or the table's name)."""
        s = self.source
        figures = ", ".join(f"{sign}({expr.replace('R.', row + '.')})" for expr in s.adds.values())
        return (
            f"COALESCE({row}.province_code, 0), COALESCE({row}.commune_code, 0), "
            f"{self.grain.of(self.dialect, f'{row}.{s.moment}')}, {figures}"
        )

    def counted(self, row: str) -> str:
        return f"{row}.hold = 0 AND {self.source.only.replace('R.', row + '.')}"

    def tail(self) -> str:
        adds = ", ".join(f"{c} = {self.grain.table}.{c} + excluded.{c}" for c in self.columns)
        return f"ON CONFLICT (province_code, commune_code, {self.grain.column}) DO UPDATE SET {adds}"

    def statement(self, row: str, sign: str) -> str:
        """Add (sign "") or take back (sign "-") one trigger row's share."""
        if self.dialect == "sqlite":  # SELECT without FROM; its WHERE keeps ON CONFLICT unambiguous
            return f"{self.head()} SELECT {self.values(row, sign)} WHERE {self.counted(row)} {self.tail()};"
        return f"IF {self.counted(row)} THEN {self.head()} VALUES ({self.values(row, sign)}) {self.tail()}; END IF;"

    def grouped(self) -> str:
        """Every counted row of the table, summed by commune and day (or month)."""
        s = self.source
        row = s.table
        figures = ", ".join(f"SUM({expr.replace('R.', row + '.')})" for expr in s.adds.values())
        key = self.grain.of(self.dialect, f"{row}.{s.moment}")
        place = f"COALESCE({row}.province_code, 0), COALESCE({row}.commune_code, 0)"
        return (
            f"SELECT {place}, {key}, {figures} FROM {row} WHERE {self.counted(row)} GROUP BY {place}, {key}"
        )

    def rebuild(self) -> str:
        return f"{self.head()} {self.grouped()} {self.tail()}"


def trigger_ddl(dialect: str) -> list[str]:
    """The statements that (re)create every trigger, for "sqlite" or "postgresql": each
    record's share goes to its commune's day and to its month."""
    statements = []
    for source in SOURCES:
        ups = [_Upsert(source, dialect, grain) for grain in GRAINS]

        def body(row: str, sign: str, ups=ups) -> str:
            return "\n  ".join(up.statement(row, sign) for up in ups)

        name = f"daily_figures_{source.table}"
        watched = ", ".join(source.watched())
        if dialect == "sqlite":
            for event, statements_of in (
                ("INSERT", body("NEW", "")),
                ("DELETE", body("OLD", "-")),
                (f"UPDATE OF {watched}", body("OLD", "-") + "\n  " + body("NEW", "")),
            ):
                trigger = f"{name}_{event.split()[0].lower()}"
                statements.append(f"DROP TRIGGER IF EXISTS {trigger}")
                statements.append(
                    f"CREATE TRIGGER {trigger} AFTER {event} ON {source.table} FOR EACH ROW BEGIN\n"
                    f"  {statements_of}\nEND"
                )
        else:
            statements.append(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
                f"  IF TG_OP <> 'INSERT' THEN {body('OLD', '-')} END IF;\n"
                f"  IF TG_OP <> 'DELETE' THEN {body('NEW', '')} END IF;\n"
                "  RETURN NULL;\nEND $$"
            )
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {source.table}")
            statements.append(
                f"CREATE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE OF {watched} ON {source.table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
    return statements


def install_triggers(connection: Connection) -> None:
    """(Re)create the triggers: at table creation, in the migration, and after every upgrade
    (SQLite's batch migrations rebuild a table without its triggers)."""
    for statement in trigger_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


def rebuild(connection: Connection) -> None:
    """Recompute both tables from the records."""
    for grain in GRAINS:
        connection.execute(TABLES[grain].delete())
        for source in SOURCES:
            connection.exec_driver_sql(_Upsert(source, connection.dialect.name, grain).rebuild())


# -- reading ---------------------------------------------------------------------------------


def usable(flt: ReportFilter, topics: bool = True, languages: bool = True) -> bool:
    """Whether the table answers the filter: by place and dates, counted records only, and no
    topic or language where the figures have them (a commune's day holds every topic and
    language together)."""
    return not (flt.include_held or (topics and flt.topic) or (languages and flt.lang))


def _pieces(flt: ReportFilter) -> list[tuple[Grain, dt.date | None, dt.date | None]]:
    """The filter's period as whole months (read by month) and the days before and after them
    (read by day): [(grain, first, last)], either end open (None) when the filter's is."""
    start, end = flt.start, flt.end
    first_month = start if start is None or start.day == 1 else _next_month(start)
    after_months = end + dt.timedelta(days=1) if end is not None else None
    last_month = None if after_months is None else _month_of(after_months) - dt.timedelta(days=1)
    if first_month is not None and last_month is not None and first_month > last_month:
        return [(DAY, start, end)]  # no whole month inside
    pieces: list[tuple[Grain, dt.date | None, dt.date | None]] = []
    if start is not None and first_month is not None and start < first_month:
        pieces.append((DAY, start, first_month - dt.timedelta(days=1)))
    pieces.append((MONTH, first_month, None if last_month is None else _month_of(last_month)))
    if end is not None and last_month is not None and end > last_month:
        pieces.append((DAY, last_month + dt.timedelta(days=1), end))
    return pieces


def _month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _restrict(flt: ReportFilter, grain: Grain, first: dt.date | None, last: dt.date | None, query):
    t = TABLES[grain].c
    if flt.province is not None:
        query = query.where(t.province_code == flt.province)
    if flt.commune is not None:
        query = query.where(t.commune_code == flt.commune)
    if first is not None:
        query = query.where(t[grain.column] >= first)
    if last is not None:
        query = query.where(t[grain.column] <= last)
    return query


class Grid(dict[tuple[int, int], dict[str, int]]):
    """{(province, commune): {figure: sum}}, which adds itself up once for the totals."""

    _total: dict[str, int] | None = None

    def total(self) -> dict[str, int]:
        if self._total is None:
            self._total = dict.fromkeys(DAILY_FIGURES, 0)
            for figures in self.values():
                for name, value in figures.items():
                    self._total[name] += value
        return self._total


def request_memo(name: str) -> dict:
    """A dict that lives as long as the request (a page reads the same figures several times),
    or a fresh one outside a request."""
    return g.setdefault(name, {}) if has_request_context() else {}


def grid(flt: ReportFilter) -> Grid:
    """{(province, commune): {figure: sum}} of every figure over the filter's place and days
    (commune 0: records with no commune), from whole months and the days around them. Read
    once per request."""
    memo = request_memo("daily_figures")
    if flt not in memo:
        found = Grid()
        for grain, first, last in _pieces(flt):
            t = TABLES[grain].c
            sums = (cast(func.sum(t[name]), BigInteger) for name in DAILY_FIGURES)  # int on both engines
            query = select(t.province_code, t.commune_code, *sums)
            query = _restrict(flt, grain, first, last, query.group_by(t.province_code, t.commune_code))
            for province, commune, *values in db.session.execute(query):
                if (entry := found.get((province, commune))) is None:
                    found[(province, commune)] = dict(zip(DAILY_FIGURES, values, strict=True))
                else:
                    for name, value in zip(DAILY_FIGURES, values, strict=True):
                        entry[name] += value
        memo[flt] = found
    return memo[flt]


def summed(
    flt: ReportFilter, names: Sequence[str], by: Literal["province_code", "commune_code"] | None = None
) -> dict[int | None, dict[str, int]]:
    """{place: {figure: sum}} over the filter's place and days: one entry None without `by`,
    else one per province or commune (records with none left out, as the records' own
    queries leave them out)."""
    return roll_up(grid(flt), names, by)


def roll_up(
    grid: dict[tuple[int, int], dict[str, int]],
    names: Sequence[str],
    by: Literal["province_code", "commune_code"] | None = None,
) -> dict[int | None, dict[str, int]]:
    """A grid's figures summed for the whole (key None) or by province or commune."""
    if by is None and isinstance(grid, Grid):
        return {None: {name: grid.total()[name] for name in names}}
    found: dict[int | None, dict[str, int]] = {None: dict.fromkeys(names, 0)} if by is None else {}
    for (province, commune), figures in grid.items():
        key = None if by is None else province if by == "province_code" else commune
        if by is not None and not key:
            continue
        entry = found.setdefault(key, dict.fromkeys(names, 0))
        for name in names:
            entry[name] += figures[name]
    return found


def by_month(flt: ReportFilter, names: Sequence[str]) -> dict[str, dict[str, int]]:
    """{"2027-03": {figure: sum}} over the filter's place and days."""
    months: dict[str, dict[str, int]] = {}
    for grain, first, last in _pieces(flt):
        t = TABLES[grain].c
        key = t[grain.column]
        query = _restrict(
            flt, grain, first, last, select(key, *(func.sum(t[n]) for n in names)).group_by(key)
        )
        for moment, *values in db.session.execute(query):
            entry = months.setdefault(str(moment)[:7], dict.fromkeys(names, 0))
            for name, value in zip(names, values, strict=True):
                entry[name] += int(value or 0)
    return months


def communes_with(flt: ReportFilter, name: str) -> set[int]:
    """The communes where `name` is more than 0 in the filter's place and days."""
    return {commune for (_, commune), figures in grid(flt).items() if commune and figures[name] > 0}


# -- checking ----------------------------------------------------------------------------------


def _as_day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def differences(connection: Connection) -> list[str]:
    """Where the tables and the records disagree ("daily_figures, province 12, commune 3637,
    2027-03-15: attendees 46, the records say 58"), all read in one snapshot, writing nothing."""
    if connection.in_transaction():
        connection.rollback()
    if connection.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    else:
        connection.exec_driver_sql("BEGIN")  # one read snapshot for every read
    problems = []
    for grain in GRAINS:
        stored: dict[tuple[int, int, dt.date], dict[str, int]] = {}
        for row in connection.execute(select(TABLES[grain])).mappings():
            if values := {name: int(row[name]) for name in DAILY_FIGURES if row[name]}:
                stored[(row["province_code"], row["commune_code"], _as_day(row[grain.column]))] = values
        expected: dict[tuple[int, int, dt.date], dict[str, int]] = {}
        for source in SOURCES:
            for province, commune, moment, *sums in connection.exec_driver_sql(
                _Upsert(source, connection.dialect.name, grain).grouped()
            ):
                entry = expected.setdefault((province, commune, _as_day(moment)), {})
                for name, value in zip(source.adds, sums, strict=True):
                    if value:
                        entry[name] = entry.get(name, 0) + int(value)
        for key in sorted(set(stored) | set(expected)):
            have, want = stored.get(key, {}), expected.get(key, {})
            for name in DAILY_FIGURES:
                if have.get(name, 0) != want.get(name, 0):
                    problems.append(
                        f"{grain.table}, province {key[0]}, commune {key[1]}, {key[2]}: {name} "
                        f"{have.get(name, 0)}, the records say {want.get(name, 0)}"
                    )
    connection.rollback()
    return problems


def check_and_report() -> list[str]:
    with db.engine.connect() as connection:
        return differences(connection)


def rebuild_now() -> None:
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("LOCK TABLE daily_figures, monthly_figures IN EXCLUSIVE MODE"))
        rebuild(connection)
