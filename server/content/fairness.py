"""Warnings about quizzes that give their answers away: when the right answer is the longest
option in most questions, a resident can score well without knowing anything, and the
before/after survey measures the wrong thing. A warning, not an error: the content still loads."""

from __future__ import annotations

from .model import Content, Quiz


def longest_is_right(quiz: Quiz) -> int:
    """How many questions have their right answer as the strictly longest option."""
    count = 0
    for question in quiz.questions:
        lengths = {o.id: len(o.text) for o in question.options}
        right = lengths.get(question.answer, 0)
        if all(right > length for option, length in lengths.items() if option != question.answer):
            count += 1
    return count


def warnings(content: Content) -> list[str]:
    found = []
    for lang, quizzes in sorted(content.quizzes.items()):
        for quiz_id, quiz in sorted(quizzes.items()):
            total = len(quiz.questions)
            longest = longest_is_right(quiz)
            if total and longest * 2 > total:
                found.append(
                    f"{quiz.path}: quiz '{quiz_id}' ({lang}): the right answer is the longest option in "
                    f"{longest} of {total} questions; residents can guess it. Make wrong options as "
                    "long and as plausible as the right one."
                )
    return found
