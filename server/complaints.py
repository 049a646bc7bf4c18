"""Consumer complaints taken in the commune: each case goes received → advised → transferred →
resolved or closed, every step dated and signed by the person who took it. A step may skip
ahead (advised and resolved on the spot) but never go back, never precede the step before it,
and nothing follows resolved or closed.

The legal time limits of Law 19/2023 are shown on each case (complaint_deadlines.py); a case
past its limit is overdue.

The contact is personal data: shown only to the people handling the case (the staff who took
it) and the organisers of its province, never in exports, and emptied `retention_days` after the
case was resolved or closed, leaving the anonymous case and its figures.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, func, select, update

from . import daily_figures
from .complaint_deadlines import FINAL, RESULT_DAYS, add_working_days
from .devices import Actor
from .extensions import db
from .models import COMPLAINT_STEPS, ORGANISER, Complaint, ComplaintPhoto, ComplaintStep, User, utcnow
from .reports import ReportFilter
from .sync_parse import RecordInvalid

RANK = {"received": 0, "advised": 1, "transferred": 2, "resolved": 3, "closed": 3}
ADVISED = ("advised", "transferred", "resolved", "closed")  # received and advised (or further)


def check_step(step: str, at: dt.datetime, status: str, status_at: dt.datetime) -> None:
    """RecordInvalid when `step` at `at` may not follow a case that stands at `status`."""
    if status in FINAL:
        raise RecordInvalid(
            f"the case is already {status}; nothing follows", "case_finished", step=step, status=status
        )
    if RANK[step] < RANK[status] or (RANK[step] == RANK[status] and step != "transferred"):
        raise RecordInvalid(
            f"'{step}' cannot follow '{status}': a case goes {' → '.join(COMPLAINT_STEPS[:4])} or closed",
            "step_out_of_order",
            step=step,
            status=status,
        )
    if at < status_at:
        raise RecordInvalid(
            f"'{step}' is dated before the case's last step ('{status}')",
            "step_before_previous",
            step=step,
            status=status,
        )


def may_handle(actor: Actor, commune_code: int | None, province_code: int | None) -> bool:
    """Staff handle cases of their communes; organisers those of their province (national
    organisers every case)."""
    if actor.role == ORGANISER:
        return actor.province_code is None or actor.province_code == province_code
    return commune_code is not None and commune_code in actor.commune_codes


@dataclass
class CaseState:
    status: str
    status_at: dt.datetime
    commune_code: int | None
    province_code: int | None


def admit_steps(
    steps: list[dict], cases_in_batch: list[dict], actor: Actor, reject: Callable[[str, RecordInvalid], None]
) -> tuple[list[dict], dict[str, dict]]:
    """The steps that may be stored, in the order they were taken, and the new state of each
    case they move ({case id: values}). The caller holds the cases' turns."""
    state: dict[str, CaseState] = {
        c["id"]: CaseState(c["status"], c["status_at"], c["commune_code"], c["province_code"])
        for c in cases_in_batch
    }
    wanted = sorted({s["complaint_id"] for s in steps} - set(state))
    for start in range(0, len(wanted), 500):
        rows = db.session.execute(
            select(
                Complaint.id,
                Complaint.status,
                Complaint.status_at,
                Complaint.commune_code,
                Complaint.province_code,
            )
            .where(Complaint.id.in_(wanted[start : start + 500]), Complaint.hold == 0)
            .execution_options(populate_existing=True)
        )
        state.update(
            {
                row.id: CaseState(row.status, row.status_at, row.commune_code, row.province_code)
                for row in rows
            }
        )
    kept: list[dict] = []
    moved: dict[str, dict] = {}
    for row in sorted(steps, key=lambda s: (s["taken_at"], s["created_at"], s["id"])):
        case = state.get(row["complaint_id"])
        try:
            if case is None:
                raise RecordInvalid(
                    f"there is no case {row['complaint_id']}; send the complaint first", "unknown_case"
                )
            if not may_handle(actor, case.commune_code, case.province_code):
                raise RecordInvalid("this case is handled by another commune or province", "case_not_yours")
            check_step(row["step"], row["taken_at"], case.status, case.status_at)
        except RecordInvalid as exc:
            reject(row["id"], exc)
            continue
        case.status, case.status_at = row["step"], row["taken_at"]
        values = moved.setdefault(row["complaint_id"], {})
        values.update(status=row["step"], status_at=row["taken_at"])
        if row["step"] == "transferred":
            values["transferred_to"] = row["transferred_to"]
            values["due_at"] = add_working_days(row["taken_at"], RESULT_DAYS)
        if row["step"] in FINAL:
            values["due_at"] = None
        if row["step"] == "resolved":
            values["money_recovered"] = row["money_recovered"]
        kept.append(row)
    return kept, moved


def apply_moves(moved: dict[str, dict]) -> None:
    for case_id, values in moved.items():
        db.session.execute(update(Complaint).where(Complaint.id == case_id).values(**values))


# -- reading cases ---------------------------------------------------------------------------


def sees_personal_data(user: User, case: Complaint) -> bool:
    """The people handling the case (whoever took it) and the organisers of its province."""
    if case.user_id is not None and case.user_id == user.id:
        return True
    return (
        user.role == ORGANISER and user.province_code is not None and user.province_code == case.province_code
    )


def steps_of(case_id: str) -> list[ComplaintStep]:
    return list(
        db.session.execute(
            select(ComplaintStep)
            .where(ComplaintStep.complaint_id == case_id)
            .order_by(ComplaintStep.taken_at)
        ).scalars()
    )


def photos_of(case: Complaint) -> list[dict]:
    """[{id, complete}] of every photo the case names, in its order (missing: not uploaded yet)."""
    ids = json.loads(case.photo_ids)
    done = set()
    if ids:
        query = select(ComplaintPhoto.id).where(ComplaintPhoto.id.in_(ids), ComplaintPhoto.complete.is_(True))
        done = set(db.session.execute(query).scalars())
    return [{"id": photo_id, "complete": photo_id in done} for photo_id in ids]


def listed(
    province: int | None, status: str | None = None, overdue_only: bool = False, limit: int = 200
) -> list[dict]:
    """The cases of a province (None: every province), newest first, with their deadline."""
    query = select(Complaint).where(Complaint.hold == 0)
    if province is not None:
        query = query.where(Complaint.province_code == province)
    if status:
        query = query.where(Complaint.status == status)
    now = utcnow()
    if overdue_only:
        query = query.where(Complaint.due_at < now)
    return [
        {"case": case, "due": case.due_at, "overdue": bool(case.due_at and case.due_at < now)}
        for case in db.session.execute(query.order_by(Complaint.taken_at.desc()).limit(limit)).scalars()
    ]


# -- figures ---------------------------------------------------------------------------------


def filtered(flt: ReportFilter, query):
    """Cases received in the filter's place and period (a complaint has no topic or language)."""
    if not flt.include_held:
        query = query.where(Complaint.hold == 0)
    if flt.province is not None:
        query = query.where(Complaint.province_code == flt.province)
    if flt.commune is not None:
        query = query.where(Complaint.commune_code == flt.commune)
    if flt.start is not None:
        query = query.where(Complaint.taken_at >= dt.datetime.combine(flt.start, dt.time()))
    if flt.end is not None:
        query = query.where(
            Complaint.taken_at < dt.datetime.combine(flt.end + dt.timedelta(days=1), dt.time())
        )
    return query


STATUS_FIGURES = tuple(f"complaints_{step}" for step in COMPLAINT_STEPS)


def _by_status(flt: ReportFilter, by: Literal["province_code"] | None = None) -> dict[int | None, dict]:
    """{place: ({status: cases}, money recovered)} of the cases received in the filter's place
    and period, from the daily figures, or from the cases where they cannot answer."""
    found: dict[int | None, dict] = {}
    if daily_figures.usable(flt, topics=False, languages=False):
        for key, sums in daily_figures.summed(flt, (*STATUS_FIGURES, "money_recovered"), by).items():
            statuses = {step: sums[f"complaints_{step}"] for step in COMPLAINT_STEPS}
            found[key] = {"by_status": statuses, "money": sums["money_recovered"]}
        return found
    place = [Complaint.province_code] if by else []
    query = filtered(flt, select(*place, Complaint.status, func.count(), func.sum(Complaint.money_recovered)))
    if by:
        query = query.where(Complaint.province_code.is_not(None))
    for row in db.session.execute(query.group_by(*place, Complaint.status)):
        key, (status, count, money) = (row[0], row[1:]) if by else (None, row)
        entry = found.setdefault(key, {"by_status": dict.fromkeys(COMPLAINT_STEPS, 0), "money": 0})
        entry["by_status"][status] = count
        entry["money"] += int(money or 0)
    return found


def _overdue(flt: ReportFilter, by: Literal["province_code"] | None = None) -> dict[int | None, int]:
    """{place: cases past their legal deadline now} (due_at is empty once a case is finished)."""
    place = [Complaint.province_code] if by else []
    query = filtered(flt, select(*place, func.count()).select_from(Complaint)).where(
        Complaint.due_at < utcnow()
    )
    if by:
        query = query.group_by(*place)
    return {(row[0] if by else None): row[-1] for row in db.session.execute(query)}


def _shares(by_status: dict[str, int], money: int, overdue: int) -> dict:
    received = sum(by_status.values())
    advised = sum(by_status[s] for s in ADVISED)
    finished = by_status["resolved"] + by_status["closed"]
    return {
        "received": received,
        "by_status": by_status,
        "advised_share": round(100 * advised / received) if received else 0,
        "resolved_share": round(100 * by_status["resolved"] / received) if received else 0,
        "success_rate": round(100 * by_status["resolved"] / finished) if finished else 0,
        "money_recovered": money,
        "overdue": overdue,
    }


def figures(flt: ReportFilter) -> dict:
    """Cases received in the filter's place and period: by status, the shares advised (or
    further) and resolved, the success rate (resolved of those finished), money recovered and
    how many are overdue now."""
    entry = _by_status(flt).get(None, {"by_status": dict.fromkeys(COMPLAINT_STEPS, 0), "money": 0})
    return _shares(entry["by_status"], entry["money"], _overdue(flt).get(None, 0))


def by_province(flt: ReportFilter) -> dict[int, dict]:
    """{province code: figures()} for every province with cases in the filter's period."""
    overdue = _overdue(flt, "province_code")
    return {
        key: _shares(entry["by_status"], entry["money"], overdue.get(key, 0))
        for key, entry in _by_status(flt, "province_code").items()
        if key is not None and sum(entry["by_status"].values())
    }


# -- retention -------------------------------------------------------------------------------


def purge_personal_data(retention_days: int, now: dt.datetime | None = None) -> int:
    """Empty the contact and delete the photos of cases resolved or closed more than
    `retention_days` ago; the case and its figures stay. How many cases were purged."""
    now = now or utcnow()
    old = list(
        db.session.execute(
            select(Complaint.id, Complaint.photo_ids).where(
                Complaint.status.in_(FINAL),
                Complaint.status_at < now - dt.timedelta(days=retention_days),
                Complaint.personal_deleted_at.is_(None),
            )
        )
    )
    for case_id, photo_ids in old:
        ids = json.loads(photo_ids)
        if ids:
            db.session.execute(delete(ComplaintPhoto).where(ComplaintPhoto.id.in_(ids)))
        db.session.execute(
            update(Complaint)
            .where(Complaint.id == case_id)
            .values(contact_name="", contact_phone="", photo_ids="[]", personal_deleted_at=now)
        )
    db.session.commit()
    return len(old)
