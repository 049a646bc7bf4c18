"""Commune loudspeaker broadcasts (`broadcast` records): how many went out and their airtime,
by commune, by language and by topic, for the dashboard, the stats API, the exports and the
yearly report. Their totals (`broadcasts`, `broadcast_minutes`) are figures of reports.py.

Airtime is minutes × repeats: a 10-minute spot aired 3 times is 30 minutes. A broadcast about
two topics counts under each of them, so the rows by topic may add up to more than the total.
"""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import func, select

from . import communes
from .extensions import db
from .models import Broadcast
from .reports import ReportFilter

AIRTIME = func.sum(Broadcast.minutes * Broadcast.repeats)


def _sorted(rows: list[dict], name: str) -> list[dict]:
    return sorted(rows, key=lambda r: (-r["minutes"], -r["broadcasts"], str(r[name])))


def by_commune(flt: ReportFilter) -> list[dict]:
    """[{commune_code, commune, province, broadcasts, minutes}], most airtime first."""
    query = flt.broadcasts(
        select(Broadcast.commune_code, func.count(), AIRTIME).group_by(Broadcast.commune_code)
    )
    return _sorted(
        [
            {
                "commune_code": code,
                "commune": communes.commune_name(code),
                "province": communes.province_name_of_commune(code),
                "broadcasts": count,
                "minutes": int(minutes or 0),
            }
            for code, count, minutes in db.session.execute(query)
        ],
        "commune",
    )


def by_language(flt: ReportFilter) -> list[dict]:
    """[{lang, broadcasts, minutes}], most airtime first."""
    query = flt.broadcasts(select(Broadcast.lang, func.count(), AIRTIME).group_by(Broadcast.lang))
    return _sorted(
        [
            {"lang": lang, "broadcasts": count, "minutes": int(minutes or 0)}
            for lang, count, minutes in db.session.execute(query)
        ],
        "lang",
    )


def by_topic(flt: ReportFilter) -> list[dict]:
    """[{topic, broadcasts, minutes}], most airtime first; a broadcast counts under each of its
    topics (one with no topic under "")."""
    query = flt.broadcasts(select(Broadcast.topic_ids, func.count(), AIRTIME).group_by(Broadcast.topic_ids))
    topics: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for topic_ids, count, minutes in db.session.execute(query):
        for topic in json.loads(topic_ids) or [""]:
            if flt.topic and topic != flt.topic:
                continue
            topics[topic][0] += count
            topics[topic][1] += int(minutes or 0)
    return _sorted([{"topic": t, "broadcasts": n, "minutes": m} for t, (n, m) in topics.items()], "topic")


def breakdown(flt: ReportFilter) -> dict:
    """The three tables at once."""
    return {"by_commune": by_commune(flt), "by_language": by_language(flt), "by_topic": by_topic(flt)}
