"""Quizzes asked aloud: staff read a question at a session and count the hands raised for
each option (a `quiz_tally` record). Their figures stay apart from individual answers.

Which tallies count, so that retries, re-counts and late arrivals never count twice:

- A tally counts once its session is known and neither it nor its session is held out of the
  figures (voided, quarantined, commune not its author's: `hold` 0), like attendance.
- A re-count replaces the count before it: of the tallies of one session, quiz, phase and
  question (different record ids), only the latest by `created_at` (then by id) counts; the
  others are kept. A voided re-count gives the place back to the count before it.
- Hands cannot outnumber the people at the session. When the session's attendance is known as
  a tally arrives (stored earlier or in the same batch), a tally with more hands is rejected
  (`tally_over_attendance`, params `hands` and `attendance`). Otherwise it is checked each time
  it is counted: the latest tally of its question with more hands than the session's counted
  attendance (0 when none was recorded) is not counted, and the data quality page lists it.
  So attendance that arrives later, or is corrected, is always taken into account.

Plain functions: sync.py, quiz_results.py and the data quality page call them.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, Subquery, func, select

from . import communes
from .content import SOURCE_LANG, Content
from .extensions import db
from .models import Attendance, QuizTally, VillageSession
from .reports import ReportFilter
from .sync_parse import RecordInvalid

MAX_LISTED = 200  # tallies over attendance listed on the data quality page


# -- at arrival ---------------------------------------------------------------------------------


def _attendance_of(session_ids: set[str], batch_lines: Iterable[dict]) -> dict[str, int]:
    """The counted attendance of sessions that have any (stored, or in this batch and joining
    its session now): {session id: people}. A session with no line yet is left out."""
    people: dict[str, int] = {}
    wanted = sorted(session_ids)
    for start in range(0, len(wanted), 500):
        for session_id, total in db.session.execute(
            select(Attendance.session_id, func.sum(Attendance.count))
            .where(
                Attendance.session_id.in_(wanted[start : start + 500]),
                Attendance.commune_code.is_not(None),
                Attendance.hold == 0,
            )
            .group_by(Attendance.session_id)
        ):
            people[session_id] = int(total or 0)
    for line in batch_lines:
        if line["session_id"] in session_ids and line["commune_code"] is not None and not line["hold"]:
            people[line["session_id"]] = people.get(line["session_id"], 0) + line["count"]
    return people


def within_attendance(
    tallies: list[dict], batch_lines: list[dict], reject: Callable[[str, RecordInvalid], None]
) -> list[dict]:
    """The tallies of a batch that may be stored: those whose session and attendance are
    known and that have more hands than people are rejected (`reject(id, reason)`). Called
    under the sessions' turn, after the tallies joined their known sessions."""
    joined = {t["session_id"] for t in tallies if t["commune_code"] is not None}
    if not joined:
        return tallies
    people = _attendance_of(joined, batch_lines)
    kept = []
    for tally in tallies:
        attendance = people.get(tally["session_id"]) if tally["commune_code"] is not None else None
        if attendance is not None and tally["hands"] > attendance:
            reject(
                tally["id"],
                RecordInvalid(
                    f"{tally['hands']} hands for question '{tally['question_id']}', but the session "
                    f"counted {attendance} people; count the hands again",
                    "tally_over_attendance",
                    hands=tally["hands"],
                    attendance=attendance,
                    session_id=tally["session_id"],
                ),
            )
            continue
        kept.append(tally)
    return kept


# -- when counted -------------------------------------------------------------------------------


def _latest_and_attendance(flt: ReportFilter) -> tuple[Subquery, Subquery]:
    """(latest, people): subqueries of the latest counted tally of each session, quiz, phase
    and question (rank 1), and of each session's counted attendance."""
    rank = func.row_number().over(
        partition_by=(QuizTally.session_id, QuizTally.quiz_id, QuizTally.phase, QuizTally.question_id),
        order_by=(QuizTally.created_at.desc(), QuizTally.id.desc()),
    )
    ranked_query = select(QuizTally.id, rank.label("rank")).where(
        QuizTally.hold == 0, QuizTally.commune_code.is_not(None)
    )
    # A session's tallies share its place, so the place filter may narrow the ranking too.
    if flt.province is not None:
        ranked_query = ranked_query.where(QuizTally.province_code == flt.province)
    if flt.commune is not None:
        ranked_query = ranked_query.where(QuizTally.commune_code == flt.commune)
    ranked = ranked_query.subquery()
    people = (
        select(Attendance.session_id, func.sum(Attendance.count).label("people"))
        .where(Attendance.hold == 0, Attendance.commune_code.is_not(None))
        .group_by(Attendance.session_id)
        .subquery()
    )
    return ranked, people


def _latest(flt: ReportFilter, *columns) -> tuple[Select, ColumnElement[int]]:
    ranked, people = _latest_and_attendance(flt)
    attendance = func.coalesce(people.c.people, 0)
    return (
        select(*columns, attendance.label("attendance"))
        .join(ranked, ranked.c.id == QuizTally.id)
        .outerjoin(people, people.c.session_id == QuizTally.session_id)
        .where(ranked.c.rank == 1)
    ), attendance


def counted(flt: ReportFilter) -> list:
    """The tallies that count in the filter (module docstring)."""
    query, attendance = _latest(
        flt,
        QuizTally.session_id,
        QuizTally.quiz_id,
        QuizTally.lang,
        QuizTally.phase,
        QuizTally.question_id,
        QuizTally.counts,
        QuizTally.hands,
    )
    return list(db.session.execute(flt.quiz_tallies(query.where(QuizTally.hands <= attendance))))


def over_attendance(province: int | None = None) -> list[dict]:
    """Tallies not counted because they have more hands than their session counted people,
    newest first (for one province: its tallies)."""
    query, attendance = _latest(
        ReportFilter(province=province),
        QuizTally.id,
        QuizTally.session_id,
        QuizTally.commune_code,
        QuizTally.quiz_id,
        QuizTally.phase,
        QuizTally.question_id,
        QuizTally.hands,
        QuizTally.created_at,
        VillageSession.starts_at,
    )
    query = (
        query.join(VillageSession, VillageSession.id == QuizTally.session_id)
        .where(QuizTally.hands > attendance)
        .order_by(QuizTally.created_at.desc(), QuizTally.id)
        .limit(MAX_LISTED)
    )
    return [
        {
            "id": row.id,
            "session_id": row.session_id,
            "commune": communes.commune_name(row.commune_code),
            "starts_at": row.starts_at,
            "quiz_id": row.quiz_id,
            "phase": row.phase,
            "question_id": row.question_id,
            "hands": row.hands,
            "attendance": int(row.attendance),
        }
        for row in db.session.execute(query)
    ]


# -- results ------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class QuestionHands:
    id: str
    text: str
    answer: str
    options: dict[str, str]  # option id -> text, in order
    hands: Counter = field(default_factory=Counter)
    by_phase: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # phase -> [right, all]
    by_lang: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, counts: dict[str, int], phase: str | None, lang: str) -> None:
        self.hands.update(counts)
        everyone, right = sum(counts.values()), counts.get(self.answer, 0)
        for table, bucket in ((self.by_phase, phase or "none"), (self.by_lang, lang)):
            table[bucket][0] += right
            table[bucket][1] += everyone

    def as_dict(self) -> dict:
        total = sum(self.hands.values())
        return {
            "id": self.id,
            "text": self.text,
            "hands": total,
            "correct_share": _share(self.hands[self.answer], total),
            "options": [
                {"id": o, "text": t, "hands": self.hands[o], "correct": o == self.answer}
                for o, t in self.options.items()
            ],
            "by_phase": {p: _share(c, n) for p, (c, n) in sorted(self.by_phase.items())},
            "by_lang": {lang: _share(c, n) for lang, (c, n) in sorted(self.by_lang.items())},
        }


def _gain(pairs: dict[tuple[str, str], dict[str, tuple[int, int]]]) -> dict:
    """Knowledge gain from hands: the questions of a session counted both before and after the
    talk, pooled: the share of hands on the right answer before, after, and the difference in
    percentage points."""
    both = [p for p in pairs.values() if "pre" in p and "post" in p]
    sessions = {session for (session, _), p in pairs.items() if "pre" in p and "post" in p}
    right_pre, all_pre = sum(p["pre"][0] for p in both), sum(p["pre"][1] for p in both)
    right_post, all_post = sum(p["post"][0] for p in both), sum(p["post"][1] for p in both)
    pre, post = _share(right_pre, all_pre), _share(right_post, all_post)
    return {
        "sessions": len(sessions),
        "questions": len(both),
        "pre": pre,
        "post": post,
        "points": round((post - pre) * 100, 1) if pre is not None and post is not None else None,
    }


def results(flt: ReportFilter, content: Content) -> dict[str, dict]:
    """{quiz id: show-of-hands results}: tallies counted, hands per question and option, share
    of hands on the right answer (all, by phase, by language) and the knowledge gain."""
    per_quiz: dict[str, list] = defaultdict(list)
    for row in counted(flt):
        per_quiz[row.quiz_id].append(row)
    found = {}
    for quiz_id, rows in per_quiz.items():
        quiz = content.quizzes[SOURCE_LANG].get(quiz_id)
        if quiz is None:  # a quiz taken out of the content since
            continue
        questions = {
            q.id: QuestionHands(q.id, q.text, q.answer, {o.id: o.text for o in q.options})
            for q in quiz.questions
        }
        pairs: dict[tuple[str, str], dict[str, tuple[int, int]]] = defaultdict(dict)
        for row in rows:
            question = questions.get(row.question_id)
            if question is None:
                continue
            counts = {o: n for o, n in json.loads(row.counts).items() if o in question.options}
            question.add(counts, row.phase, row.lang)
            if row.phase:
                pairs[(row.session_id, row.question_id)][row.phase] = (
                    counts.get(question.answer, 0),
                    sum(counts.values()),
                )
        found[quiz_id] = {
            "tallies": len(rows),
            "hands": sum(r.hands for r in rows),
            "gain": _gain(pairs),
            "questions": [questions[q.id].as_dict() for q in quiz.questions if questions[q.id].hands],
        }
    return found
