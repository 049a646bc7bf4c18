"""Warnings about quizzes that give their answers away: when the right answer is the longest
option in most questions, a resident can score well without knowing anything, and the
before/after survey measures the wrong thing; an "all of the above" option is either the
answer or a trap, never a fair question. A warning, not an error: the content still loads."""

from __future__ import annotations

import re

from .model import Content, Quiz

# Options that answer by pointing at the other options, in the languages Loa publishes.
POINTING_OPTIONS = re.compile(
    r"\b(all|none|both) of (the above|these)\b|\bboth [a-d] and [a-d]\b"
    r"|tất cả (các )?(ý|đáp án|câu)|cả (hai|ba|bốn) (ý|đáp án|câu)|không (ý|đáp án|câu) nào"
    r"|ទាំងអស់ខាងលើ|tag nrho cov saum toj",
    re.IGNORECASE,
)


def longest_is_right(quiz: Quiz) -> int:
    """How many questions have their right answer as the strictly longest option."""
    count = 0
    for question in quiz.questions:
        lengths = {o.id: len(o.text) for o in question.options}
        right = lengths.get(question.answer, 0)
        if all(right > length for option, length in lengths.items() if option != question.answer):
            count += 1
    return count


def pointing_options(quiz: Quiz) -> list[str]:
    """The question ids with an "all of the above" kind of option."""
    return [q.id for q in quiz.questions if any(POINTING_OPTIONS.search(o.text) for o in q.options)]


def warnings(content: Content) -> list[str]:
    found = list(content.warnings)
    for lang, quizzes in sorted(content.quizzes.items()):
        for quiz_id, quiz in sorted(quizzes.items()):
            pointing = pointing_options(quiz)
            if pointing:
                found.append(
                    f"{quiz.path}: quiz '{quiz_id}' ({lang}): questions {', '.join(pointing)} have an "
                    "option like 'all of the above'; give every option its own plain answer."
                )
            total = len(quiz.questions)
            longest = longest_is_right(quiz)
            if total and longest * 2 > total:
                found.append(
                    f"{quiz.path}: quiz '{quiz_id}' ({lang}): the right answer is the longest option in "
                    f"{longest} of {total} questions; residents can guess it. Make wrong options as "
                    "long and as plausible as the right one."
                )
    return found
