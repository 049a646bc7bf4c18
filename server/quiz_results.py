"""What residents know before and after a talk: per quiz and question, the share answering
correctly, the most common wrong answer, by language and phase, and the knowledge gain in
sessions that ran the quiz both before and after (the awareness survey the plans ask for).

Quizzes asked aloud and answered by a show of hands (quiz_tallies.py) are reported beside the
individual answers, under `show_of_hands`, never mixed into their counts: a hand is not a
person's whole quiz, and the two ways of asking are not equally reliable."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from . import daily_figures, quiz_tallies
from .content import SOURCE_LANG, Content
from .extensions import db
from .models import QuizResponse
from .reports import ReportFilter


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class QuestionResult:
    id: str
    text: str
    answered: int = 0
    correct: int = 0
    wrong: Counter = field(default_factory=Counter)
    by_phase: dict = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )  # phase -> [correct, answered]
    by_lang: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def as_dict(self, option_text: dict[str, str]) -> dict:
        common = self.wrong.most_common(1)
        return {
            "id": self.id,
            "text": self.text,
            "answered": self.answered,
            "correct_share": _share(self.correct, self.answered),
            "most_common_wrong": (
                {
                    "option": common[0][0],
                    "text": option_text.get(common[0][0], common[0][0]),
                    "share": _share(common[0][1], self.answered),
                }
                if common
                else None
            ),
            "by_phase": {p or "none": _share(c, n) for p, (c, n) in sorted(self.by_phase.items(), key=str)},
            "by_lang": {lang: _share(c, n) for lang, (c, n) in sorted(self.by_lang.items())},
        }


def quiz_results(flt: ReportFilter, content: Content) -> list[dict]:
    """One entry per quiz with answers or show-of-hands tallies in the filter; `show_of_hands`
    is None when the quiz was not asked aloud."""
    query = flt.quiz_responses(
        select(
            QuizResponse.quiz_id,
            QuizResponse.lang,
            QuizResponse.answers,
            QuizResponse.phase,
            QuizResponse.session_id,
            QuizResponse.correct,
            QuizResponse.total,
        )
    )
    per_quiz: dict[str, list] = defaultdict(list)
    for row in db.session.execute(query):
        per_quiz[row.quiz_id].append(row)
    hands = quiz_tallies.results(flt, content)
    results = []
    for quiz_id in content.quiz_ids():
        rows = per_quiz.get(quiz_id, [])
        if not rows and quiz_id not in hands:
            continue
        quiz = content.quizzes[SOURCE_LANG][quiz_id]
        key = quiz.answer_key()
        questions = {q.id: QuestionResult(q.id, q.text) for q in quiz.questions}
        phase_scores: dict = defaultdict(list)
        session_scores: dict = defaultdict(lambda: defaultdict(list))
        for row in rows:
            answers = json.loads(row.answers)
            score = row.correct / row.total if row.total else 0.0
            phase_scores[row.phase or "none"].append(score)
            if row.session_id and row.phase:
                session_scores[row.session_id][row.phase].append(score)
            for question_id, option in answers.items():
                result = questions.get(question_id)
                if result is None:
                    continue
                right = option == key[question_id]
                result.answered += 1
                result.correct += right
                if not right:
                    result.wrong[option] += 1
                for table, bucket in ((result.by_phase, row.phase), (result.by_lang, row.lang)):
                    table[bucket][0] += right
                    table[bucket][1] += 1
        both = [s for s in session_scores.values() if s.get("pre") and s.get("post")]
        pre = [x for s in both for x in s["pre"]]
        post = [x for s in both for x in s["post"]]
        options = {q.id: {o.id: o.text for o in q.options} for q in quiz.questions}
        results.append(
            {
                "quiz_id": quiz_id,
                "title": quiz.title,
                "responses": len(rows),
                "mean_score": {phase: round(sum(v) / len(v), 4) for phase, v in sorted(phase_scores.items())},
                "gain": {
                    "sessions": len(both),
                    "pre": round(sum(pre) / len(pre), 4) if pre else None,
                    "post": round(sum(post) / len(post), 4) if post else None,
                    "points": round((sum(post) / len(post) - sum(pre) / len(pre)) * 100, 1) if both else None,
                },
                "questions": [questions[q.id].as_dict(options[q.id]) for q in quiz.questions],
                "show_of_hands": hands.get(quiz_id),
            }
        )
    return results


PHASES = ("pre", "post")


def survey(flt: ReportFilter) -> dict:
    """The awareness survey in figures: quiz answers, and for the answers given before and
    after a talk, how many and the share of their questions answered right (percent)."""
    names = [f"quiz_{phase}_{part}" for phase in PHASES for part in ("answers", "right", "asked")]
    if daily_figures.usable(flt):
        sums = daily_figures.summed(flt, ["quiz_responses", *names])[None]
    else:
        sums = dict.fromkeys(["quiz_responses", *names], 0)
        query = flt.quiz_responses(
            select(
                QuizResponse.phase, func.count(), func.sum(QuizResponse.correct), func.sum(QuizResponse.total)
            )
        ).group_by(QuizResponse.phase)
        for phase, answers, right, asked in db.session.execute(query):
            sums["quiz_responses"] += answers
            if phase in PHASES:
                sums.update(
                    {
                        f"quiz_{phase}_answers": answers,
                        f"quiz_{phase}_right": right,
                        f"quiz_{phase}_asked": asked,
                    }
                )
    found: dict = {"answers": sums["quiz_responses"]}
    for phase in PHASES:
        asked = sums[f"quiz_{phase}_asked"]
        found[f"{phase}_answers"] = sums[f"quiz_{phase}_answers"]
        found[phase] = round(100 * sums[f"quiz_{phase}_right"] / asked) if asked else None
    return found


RESIDENT_ANSWERS_DAYS = 30  # sessions a staff phone hears about: those it recorded this recently


def resident_answers(device_id: str) -> dict[str, dict[str, int]]:
    """Answers residents sent from their own phones (with the session QR code's key) to the
    sessions `device_id` recorded in the last RESIDENT_ANSWERS_DAYS days, per session and phase:
    the staff phone adds them to its own counts, which only know the answers it recorded."""
    import datetime as dt

    from sqlalchemy import func

    from .models import VillageSession, utcnow

    since = utcnow() - dt.timedelta(days=RESIDENT_ANSWERS_DAYS)
    sessions = select(VillageSession.id).where(
        VillageSession.device_id == device_id, VillageSession.starts_at >= since
    )
    counts: dict[str, dict[str, int]] = {}
    for session_id, phase, n in db.session.execute(
        select(QuizResponse.session_id, QuizResponse.phase, func.count())
        .where(
            QuizResponse.session_id.in_(sessions),
            QuizResponse.session_key_hash.is_not(None),
            QuizResponse.hold == 0,
        )
        .group_by(QuizResponse.session_id, QuizResponse.phase)
    ):
        counts.setdefault(str(session_id), {})[phase or "none"] = n
    return counts
