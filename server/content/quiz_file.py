"""A quiz file (`<lang>/quizzes/<id>.yaml`) as the studio's quiz editor shows it, and back: the
title and, per question, its id, text, options (ids a, b, c... kept by position), right answer
and explanation. Fields the editor does not show (status, translator...) are kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import yamlio

OPTION_IDS = "abcdef"  # at most six options, as `loa content check` allows


@dataclass
class QuestionDraft:
    id: str
    text: str = ""
    options: dict[str, str] = field(default_factory=dict)  # option id -> text, in order
    answer: str = ""
    explanation: str = ""


def parse(data: bytes) -> tuple[dict[str, Any], list[QuestionDraft]]:
    """(the quiz's other fields, its questions); ValueError when it is not a quiz mapping."""
    quiz = yamlio.load(data.decode("utf-8"))
    if not isinstance(quiz, dict):
        raise ValueError("a quiz file is a mapping with id, topic, title and questions")
    questions = []
    for q in quiz.get("questions") or []:
        if not isinstance(q, dict):
            continue
        options = {
            str(o.get("id")): str(o.get("text", "")) for o in q.get("options") or [] if isinstance(o, dict)
        }
        questions.append(
            QuestionDraft(
                id=str(q.get("id", "")),
                text=str(q.get("text", "")),
                options=options,
                answer=str(q.get("answer", "")),
                explanation=str(q.get("explanation", "")),
            )
        )
    return quiz, questions


def render(meta: dict[str, Any], title: str, questions: list[QuestionDraft]) -> bytes:
    """The quiz file: `meta`'s other fields kept in their order, the title and questions new."""
    out = dict(meta)
    out["title"] = title
    out.setdefault("status", "draft")
    out["questions"] = [
        {
            "id": q.id,
            "text": q.text,
            "options": [{"id": oid, "text": text} for oid, text in q.options.items()],
            "answer": q.answer,
            "explanation": q.explanation,
        }
        for q in questions
    ]
    return yamlio.dump(out).encode()
