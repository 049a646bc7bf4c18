"""What the organisers see: plain query functions, used by the dashboard, the stats API and
the exports.

Every figure counts each stored record once (sync.py stores each record id once). Attendance
and quiz answers count for a commune once their session is known; lines whose session has
not arrived yet are reported separately ("waiting for their session"), never dropped.
Loudspeaker broadcasts count beside sessions: how many, and their airtime (minutes × repeats).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Literal

from sqlalchemy import func, select

from . import communes, daily_figures
from .content import Content
from .extensions import db
from .models import (
    PARTICIPATION_FIGURES,
    Activity,
    Attendance,
    Broadcast,
    Leaflet,
    LeafletScan,
    QuizResponse,
    QuizTally,
    SyncRecord,
    User,
    VillageSession,
)

FIGURES = PARTICIPATION_FIGURES


class FilterError(ValueError):
    """A filter a person typed is wrong; the message says which and why (in English, for the
    API), `code` and `params` let pages say it in the reader's language."""

    def __init__(self, message: str, code: str, **params) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ReportFilter:
    province: int | None = None
    commune: int | None = None
    topic: str | None = None
    lang: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None  # inclusive
    include_held: bool = False  # also records held out of the figures (voided, quarantined...)

    def as_dict(self) -> dict:
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in asdict(self).items()
            if k != "include_held"
        }

    def describe(self) -> str:
        parts = []
        if self.commune:
            parts.append(communes.commune_name(self.commune))
        if self.province:
            parts.append(communes.province_name(self.province))
        if self.topic:
            parts.append(self.topic)
        if self.lang:
            parts.append(self.lang)
        if self.start or self.end:
            parts.append(f"{self.start or '…'} – {self.end or '…'}")
        return ", ".join(parts)

    # -- applying the filter to each kind of record ------------------------------------------
    def _period(self, query, column):
        if self.start is not None:
            query = query.where(column >= dt.datetime.combine(self.start, dt.time()))
        if self.end is not None:
            query = query.where(column < dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time()))
        return query

    def _place(self, query, province_column, commune_column):
        if self.province is not None:
            query = query.where(province_column == self.province)
        if self.commune is not None:
            query = query.where(commune_column == self.commune)
        return query

    def _topic_clause(self, model=VillageSession):
        return model.topic_ids.like(f'%"{self.topic}"%')

    # Only records that count: not voided, quarantined or refused (hold 0; see models.HOLD_*).
    def _counted(self, query, model):
        return query if self.include_held else query.where(model.hold == 0)

    def sessions(self, query):
        query = self._counted(query, VillageSession)
        query = self._period(
            self._place(query, VillageSession.province_code, VillageSession.commune_code),
            VillageSession.starts_at,
        )
        return query.where(self._topic_clause()) if self.topic else query

    def attendance(self, query):
        query = self._place(
            self._counted(query, Attendance), Attendance.province_code, Attendance.commune_code
        )
        query = self._period(query, Attendance.session_starts_at)
        if self.topic:
            of_topic = select(VillageSession.id).where(self._topic_clause())
            of_topic = self._place(of_topic, VillageSession.province_code, VillageSession.commune_code)
            query = query.where(Attendance.session_id.in_(of_topic))
        return query

    def quiz_responses(self, query):
        query = self._period(
            self._place(
                self._counted(query, QuizResponse), QuizResponse.province_code, QuizResponse.commune_code
            ),
            QuizResponse.created_at,
        )
        if self.lang:
            query = query.where(QuizResponse.lang == self.lang)
        if self.topic:
            query = query.where(QuizResponse.quiz_id == self.topic)
        return query

    def broadcasts(self, query):
        """Broadcasts in the place, of the topic and language, aired in the period."""
        query = self._period(
            self._place(self._counted(query, Broadcast), Broadcast.province_code, Broadcast.commune_code),
            Broadcast.started_at,
        )
        if self.lang:
            query = query.where(Broadcast.lang == self.lang)
        return query.where(self._topic_clause(Broadcast)) if self.topic else query

    def activities(self, query):
        """Campaign activities in the place, of the topic, held in the period (no language)."""
        query = self._period(
            self._place(self._counted(query, Activity), Activity.province_code, Activity.commune_code),
            Activity.held_at,
        )
        return query.where(self._topic_clause(Activity)) if self.topic else query

    def quiz_tallies(self, query):
        """Show-of-hands tallies, filtered like quiz answers (their time is when they were made)."""
        query = self._period(
            self._place(self._counted(query, QuizTally), QuizTally.province_code, QuizTally.commune_code),
            QuizTally.created_at,
        )
        if self.lang:
            query = query.where(QuizTally.lang == self.lang)
        if self.topic:
            query = query.where(QuizTally.quiz_id == self.topic)
        return query

    def scans(self, query, joined: bool = False):
        query = self._period(
            self._place(
                self._counted(query, LeafletScan), LeafletScan.province_code, LeafletScan.commune_code
            ),
            LeafletScan.scanned_at,
        )
        if self.lang or self.topic:
            if not joined:
                query = query.join(Leaflet, Leaflet.code == LeafletScan.code)
            if self.lang:
                query = query.where(Leaflet.lang == self.lang)
            if self.topic:
                query = query.where(Leaflet.topic_id == self.topic)
        return query


def parse_filter(args, content: Content) -> ReportFilter:
    """A ReportFilter from query arguments (province, commune, topic, lang, from, to), or a
    FilterError naming the bad value: never an empty report that looks like zero."""

    def code(name, lookup, what):
        value = (args.get(name) or "").strip()
        if not value:
            return None
        if not communes.is_code(value) or lookup(value) is None:
            raise FilterError(
                f"{name} '{value}' is not an official {what} code", f"unknown_{what}", value=value
            )
        return int(value)

    def date(name):
        value = (args.get(name) or "").strip()
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise FilterError(
                f"{name} '{value}' is not a date (YYYY-MM-DD)", "not_a_date", value=value
            ) from None

    province = code("province", communes.province, "province")
    commune = code("commune", communes.commune, "commune")
    if commune and province and (info := communes.known_commune(commune)).province_code != province:
        raise FilterError(
            f"commune {info.name} ({commune}) is not in province "
            f"{communes.known_province(province).name} ({province})",
            "commune_not_in_province",
            commune=info.name,
            province=communes.known_province(province).name,
        )
    topic = (args.get("topic") or "").strip() or None
    if topic and topic not in content.topic_ids():
        raise FilterError(
            f"topic '{topic}' does not exist; topics: {', '.join(content.topic_ids())}",
            "unknown_topic",
            value=topic,
        )
    lang = (args.get("lang") or "").strip() or None
    if lang and lang not in content.languages:
        raise FilterError(
            f"language '{lang}' does not exist; languages: {', '.join(content.languages)}",
            "unknown_language",
            value=lang,
        )
    start, end = date("from"), date("to")
    if start and end and end < start:
        raise FilterError(f"'to' ({end}) is before 'from' ({start})", "dates_inverted", start=start, end=end)
    return ReportFilter(province, commune, topic, lang, start, end)


# -- participation --------------------------------------------------------------------------


def _record_grid(flt: ReportFilter) -> dict[tuple[int, int], dict[str, int]]:
    """The participation figures counted from the records, as daily_figures.grid() reads them
    from the daily figures: {(province, commune): {figure: n}}, 0 for a record with none. For
    what the daily figures cannot answer (a topic, a language, held records). Read once per
    request."""
    memo = daily_figures.request_memo("record_grid")
    if flt in memo:
        return memo[flt]
    results: dict[tuple[int, int], dict[str, int]] = {}

    def query(model, *aggregates):
        place = (func.coalesce(model.province_code, 0), func.coalesce(model.commune_code, 0))
        return select(*place, *aggregates).select_from(model).group_by(*place)

    def add(statement, names):
        for province, commune, *values in db.session.execute(statement):
            entry = results.setdefault((province, commune), dict.fromkeys(FIGURES, 0))
            for name, value in zip(names, values, strict=True):
                entry[name] += int(value or 0)

    add(flt.sessions(query(VillageSession, func.count())), ("sessions",))
    parts = (
        Attendance.count,
        Attendance.women,
        Attendance.ethnic_minority,
        Attendance.elderly,
        Attendance.disabled,
    )
    add(
        flt.attendance(query(Attendance, *map(func.sum, parts)).where(Attendance.commune_code.is_not(None))),
        ("attendees", "women", "ethnic_minority", "elderly", "disabled"),
    )
    add(flt.quiz_responses(query(QuizResponse, func.count())), ("quiz_responses",))
    add(flt.scans(query(LeafletScan, func.count())), ("leaflet_scans",))
    airtime = func.sum(Broadcast.minutes * Broadcast.repeats)
    add(flt.broadcasts(query(Broadcast, func.count(), airtime)), ("broadcasts", "broadcast_minutes"))
    memo[flt] = results
    return results


def _figures_by(flt: ReportFilter, level: Literal["province", "commune"] | None) -> dict:
    """{key: {figure: n}}: key None for the totals (level None), else a province or commune code."""
    grid = daily_figures.grid(flt) if daily_figures.usable(flt) else _record_grid(flt)
    by = {"province": "province_code", "commune": "commune_code", None: None}[level]
    return daily_figures.roll_up(grid, FIGURES, by)  # type: ignore[arg-type]


def totals(flt: ReportFilter) -> dict:
    return _figures_by(flt, None).get(None, dict.fromkeys(FIGURES, 0))


def by_province(flt: ReportFilter) -> list[dict]:
    rows = []
    for code, figures in _figures_by(flt, "province").items():
        rows.append({"province_code": code, "province": communes.province_name(code), **figures})
    return sorted(rows, key=lambda r: (-r["attendees"], r["province"]))


def by_commune(flt: ReportFilter) -> list[dict]:
    rows = []
    for code, figures in _figures_by(flt, "commune").items():
        commune = communes.commune(code)
        rows.append(
            {
                "commune_code": code,
                "commune": communes.commune_name(code),
                "province_code": commune.province_code if commune else None,
                "province": commune.province.name if commune else "",
                **figures,
            }
        )
    return sorted(rows, key=lambda r: (-r["attendees"], r["province"], communes.fold(r["commune"])))


def waiting_for_session(province: int | None = None) -> dict:
    """Attendance lines, quiz answers and show-of-hands tallies whose session has not arrived
    yet: they have no commune or session date yet, so no filter applies; they are counted once
    it arrives. For one province: those sent by its accounts."""

    def of_province(model, query):
        if province is None:
            return query
        senders = select(User.id).where(User.province_code == province)
        return query.join(SyncRecord, SyncRecord.id == model.id).where(SyncRecord.user_id.in_(senders))

    lines, people = db.session.execute(
        of_province(
            Attendance,
            select(func.count(), func.coalesce(func.sum(Attendance.count), 0)).where(
                Attendance.commune_code.is_(None), Attendance.hold == 0
            ),
        )
    ).one()
    answers = db.session.execute(
        of_province(
            QuizResponse,
            select(func.count())
            .select_from(QuizResponse)
            .where(
                QuizResponse.session_id.is_not(None),
                QuizResponse.commune_code.is_(None),
                QuizResponse.hold == 0,
            ),
        )
    ).scalar()
    tallies = db.session.execute(
        of_province(
            QuizTally,
            select(func.count())
            .select_from(QuizTally)
            .where(QuizTally.commune_code.is_(None), QuizTally.hold == 0),
        )
    ).scalar()
    return {
        "attendance_lines": lines,
        "people": int(people),
        "quiz_responses": answers,
        "quiz_tallies": tallies,
    }


def by_month(flt: ReportFilter) -> list[dict]:
    """Sessions and attendees per month of the sessions' dates ("2027-03")."""
    months: dict[str, dict] = {}

    def month_of(value) -> str:
        return str(value)[:7]

    if daily_figures.usable(flt):
        found = daily_figures.by_month(flt, ("sessions", "attendees"))
        return [{"month": m, **v} for m, v in sorted(found.items()) if v["sessions"] or v["attendees"]]

    session_day = func.date(VillageSession.starts_at)
    for value, count in db.session.execute(
        flt.sessions(select(session_day, func.count()).group_by(session_day))
    ):
        months.setdefault(month_of(value), {"sessions": 0, "attendees": 0})["sessions"] += count
    attendance_day = func.date(Attendance.session_starts_at)
    for value, people in db.session.execute(
        flt.attendance(
            select(attendance_day, func.sum(Attendance.count))
            .where(Attendance.commune_code.is_not(None))
            .group_by(attendance_day)
        )
    ):
        months.setdefault(month_of(value), {"sessions": 0, "attendees": 0})["attendees"] += int(people or 0)
    return [{"month": m, **v} for m, v in sorted(months.items())]


def reach(flt: ReportFilter, area_communes: dict[str, set[int]] | None = None) -> dict:
    """Communes reached (at least one session) and not reached, in the filtered province (or
    in the provinces that had any session), plus the remote and border communes reached and
    the people who came to sessions in them."""
    fast = daily_figures.usable(flt)
    if fast:
        reached = daily_figures.communes_with(flt, "sessions")
    else:
        reached = set(
            db.session.execute(flt.sessions(select(VillageSession.commune_code).distinct())).scalars()
        )
    if flt.commune:
        scope = {flt.commune}
    elif flt.province:
        scope = {c.code for c in communes.communes_of(flt.province)}
    else:
        provinces = {info.province_code for c in reached if (info := communes.commune(c)) is not None}
        scope = {c.code for p in provinces for c in communes.communes_of(p)}
    # The scope's codes come from the official list (or the checked filter), never from records.
    not_reached = sorted(
        (communes.known_commune(c) for c in scope - reached),
        key=lambda info: (info.province_code, communes.fold(info.name)),
    )
    areas = {}
    people: dict[int, int] = {}
    if area_communes and fast:
        found = daily_figures.summed(flt, ("attendees",), "commune_code")
        people = {code: figures["attendees"] for code, figures in found.items() if code is not None}
    elif area_communes:
        query = select(Attendance.commune_code, func.sum(Attendance.count)).where(
            Attendance.commune_code.is_not(None)
        )
        people = {
            code: int(n or 0)
            for code, n in db.session.execute(flt.attendance(query.group_by(Attendance.commune_code)))
        }
    for area, codes in (area_communes or {}).items():
        in_scope = codes & scope if (flt.province or flt.commune) else codes
        areas[area] = {
            "listed": len(in_scope),
            "reached": len(in_scope & reached),
            "attendees": sum(people.get(code, 0) for code in in_scope),
        }
    return {
        "reached": len(reached & scope) if scope else len(reached),
        "in_scope": len(scope),
        "not_reached": [
            {"commune_code": info.code, "commune": info.name, "province": info.province.name}
            for info in not_reached
        ],
        "areas": areas,
    }


# -- leaflet scans -------------------------------------------------------------------------------


def scans_by_leaflet(flt: ReportFilter) -> list[dict]:
    """Every leaflet of the area with its scan count and last scan, most scanned first."""
    scans = flt.scans(
        select(
            LeafletScan.code, func.count().label("scans"), func.max(LeafletScan.scanned_at).label("last")
        ).group_by(LeafletScan.code)
    ).subquery()
    query = select(Leaflet, func.coalesce(scans.c.scans, 0), scans.c.last).outerjoin(
        scans, scans.c.code == Leaflet.code
    )
    if flt.province is not None:
        query = query.where(Leaflet.province_code == flt.province)
    if flt.commune is not None:
        query = query.where(Leaflet.commune_code == flt.commune)
    if flt.topic:
        query = query.where(Leaflet.topic_id == flt.topic)
    if flt.lang:
        query = query.where(Leaflet.lang == flt.lang)
    rows = []
    for leaflet, count, last in db.session.execute(query):
        rows.append(
            {
                "code": leaflet.code,
                "topic": leaflet.topic_id,
                "lang": leaflet.lang,
                "commune_code": leaflet.commune_code,
                "commune": communes.commune_name(leaflet.commune_code) if leaflet.commune_code else "",
                "scans": count,
                "last_scan": last,
            }
        )
    rows.sort(key=lambda r: (-r["scans"], r["commune"], r["topic"], r["lang"]))
    return rows


def scans_by_commune(flt: ReportFilter) -> list[dict]:
    query = flt.scans(select(LeafletScan.commune_code, func.count()).group_by(LeafletScan.commune_code))
    rows = []
    for code, count in db.session.execute(query):
        rows.append(
            {
                "commune_code": code,
                "commune": communes.commune_name(code) if code else "",
                "province": communes.province_name_of_commune(code) if code else "",
                "scans": count,
            }
        )
    return sorted(rows, key=lambda r: -r["scans"])


def scans_by_language(flt: ReportFilter) -> list[dict]:
    query = flt.scans(
        select(Leaflet.lang, func.count())
        .select_from(LeafletScan)
        .join(Leaflet, Leaflet.code == LeafletScan.code)
        .group_by(Leaflet.lang),
        joined=True,
    )
    return sorted(
        ({"lang": lang, "scans": count} for lang, count in db.session.execute(query)),
        key=lambda r: -r["scans"],
    )


def scans_by_week(flt: ReportFilter) -> list[dict]:
    """ISO weeks ("2027-W10") with their scans, oldest first."""
    day = func.date(LeafletScan.scanned_at)
    weeks: dict[str, int] = {}
    for value, count in db.session.execute(flt.scans(select(day, func.count()).group_by(day))):
        date = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
        year, week, _ = date.isocalendar()
        key = f"{year}-W{week:02d}"
        weeks[key] = weeks.get(key, 0) + count
    return [{"week": k, "scans": v} for k, v in sorted(weeks.items())]


def communes_never_scanned(flt: ReportFilter) -> list[dict]:
    """Communes that have leaflets, none of which was ever scanned (in the period)."""
    by_commune: dict[int, int] = {}
    for row in scans_by_leaflet(flt):
        if row["commune_code"] is not None:
            by_commune[row["commune_code"]] = by_commune.get(row["commune_code"], 0) + row["scans"]
    rows = []
    for code, total in by_commune.items():
        if total == 0:
            rows.append(
                {
                    "commune_code": code,
                    "commune": communes.commune_name(code),
                    "province": communes.province_name_of_commune(code),
                }
            )
    return sorted(rows, key=lambda r: (r["province"], communes.fold(r["commune"])))


def has_data(figures: dict) -> bool:
    return any(figures.get(name) for name in FIGURES)
