"""The campaign content as the server uses it: languages, topics, quizzes, events, areas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from .recordings import Clip

REQUIRED_TOPICS = ("counterfeit", "complaints", "consumer-day")
SOURCE_LANG = "vi"
STATUSES = ("draft", "reviewed")
# An event is an "example" (shows the format; organisers see it flagged, residents never do)
# until an organiser marks it "confirmed". A missing status means example: nothing unchecked
# reaches residents by accident.
EVENT_STATUSES = ("example", "confirmed")
KEY_POINT_MAX = 140

T = TypeVar("T")


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    english_name: str
    cldr: bool = True
    font: str | None = None
    # Codes this language was published under before (e.g. White Hmong was "hnj" until it got
    # its own code "mww"): their addresses redirect here and their records count here.
    replaces: tuple[str, ...] = ()


@dataclass
class Topic:
    id: str
    lang: str
    title: str
    summary: str
    order: int
    key_points: list[str]
    body_html: str
    status: str
    translator: str
    path: str
    quiz: str | None = None
    reviewed_by: str | None = None
    source_lang: str | None = None
    updated: dt.date | None = None
    sources: list[str] = field(default_factory=list)
    province: int | None = None  # a province's own topic (its editors write it); None: national


@dataclass(frozen=True)
class Option:
    id: str
    text: str


@dataclass
class Question:
    id: str
    text: str
    options: list[Option]
    answer: str
    explanation: str


@dataclass
class Quiz:
    id: str
    lang: str
    topic: str
    title: str
    questions: list[Question]
    status: str
    translator: str
    path: str
    reviewed_by: str | None = None
    source_lang: str | None = None
    _option_ids: dict[str, set[str]] | None = field(default=None, repr=False, compare=False)
    _answer_key: dict[str, str] | None = field(default=None, repr=False, compare=False)

    def answer_key(self) -> dict[str, str]:
        if self._answer_key is None:
            self._answer_key = {q.id: q.answer for q in self.questions}
        return self._answer_key

    def option_ids(self) -> dict[str, set[str]]:
        """{question id: its option ids}, computed once (sync checks every answer against it)."""
        if self._option_ids is None:
            self._option_ids = {q.id: {o.id for o in q.options} for q in self.questions}
        return self._option_ids


@dataclass
class Event:
    id: str
    date: dt.date
    end_date: dt.date | None
    province: int | None
    commune: int | None
    title: dict[str, str]
    place: dict[str, str]
    description: dict[str, str]
    status: str = "example"
    national: bool = False  # a Ministry event for the whole country, held in `province`

    @property
    def confirmed(self) -> bool:
        return self.status == "confirmed"


@dataclass
class Theme:
    year: int
    title: dict[str, str]
    note: dict[str, str]


@dataclass
class Area:
    """A list of communes organisers report on separately (e.g. border or mountain communes)."""

    id: str
    label: dict[str, str]
    communes: frozenset[int]


@dataclass
class Localized(Generic[T]):
    """A piece of content in the language asked for, or in Vietnamese as a visible fallback."""

    value: T
    lang: str
    fallback: bool


@dataclass
class Content:
    root: Path
    languages: dict[str, Language]
    topics: dict[str, dict[str, Topic]]
    quizzes: dict[str, dict[str, Quiz]]
    events: list[Event]
    theme: Theme | None
    version: str
    areas: dict[str, Area] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # served anyway; `loa content check` prints them
    audio: dict[str, dict[str, Clip]] = field(default_factory=dict)  # {lang: {key: recording}}

    # -- lookups with Vietnamese fallback -------------------------------------------------
    def topic_ids(self) -> list[str]:
        source = self.topics[SOURCE_LANG]
        return sorted(source, key=lambda tid: (source[tid].order, tid))

    def topic(self, lang: str, topic_id: str) -> Localized[Topic] | None:
        return self._localized(self.topics, lang, topic_id)

    def quiz(self, lang: str, quiz_id: str) -> Localized[Quiz] | None:
        return self._localized(self.quizzes, lang, quiz_id)

    def quiz_ids(self) -> list[str]:
        order = {t.quiz: i for i, t in enumerate(self.topics_in_order(SOURCE_LANG)) if t.quiz}
        return sorted(self.quizzes[SOURCE_LANG], key=lambda q: (order.get(q, 99), q))

    def topics_in_order(self, lang: str) -> list[Topic]:
        """Every topic, in the language asked for or else in Vietnamese (topic_ids() are the
        Vietnamese topics, so each one has at least that)."""
        mine, source = self.topics.get(lang, {}), self.topics[SOURCE_LANG]
        return [mine.get(tid, source[tid]) for tid in self.topic_ids()]

    def text(self, mapping: dict[str, str], lang: str) -> Localized[str]:
        if lang in mapping:
            return Localized(mapping[lang], lang, False)
        return Localized(mapping.get(SOURCE_LANG, ""), SOURCE_LANG, lang != SOURCE_LANG)

    def clip(self, lang: str, key: str) -> Clip | None:
        """The recording of `key` in `lang` (the language of the text shown), or None."""
        return self.audio.get(lang, {}).get(key)

    def canonical_lang(self, code: str) -> str:
        """The language published now for `code`: itself, or the language that replaced it."""
        if code in self.languages:
            return code
        return next((lang.code for lang in self.languages.values() if code in lang.replaces), code)

    def public_events(self) -> list[Event]:
        """The events residents see: confirmed ones only, never the examples."""
        return [e for e in self.events if e.confirmed]

    def public_event_groups(self) -> list[tuple[int | None, list[Event]]]:
        """Residents' events grouped: national ones first (key None), then one group per
        province in code order, so a reader finds their province's or sees it has none yet."""
        groups: dict[int | None, list[Event]] = {}
        for e in self.public_events():
            groups.setdefault(None if e.national or e.province is None else e.province, []).append(e)
        return sorted(groups.items(), key=lambda item: -1 if item[0] is None else item[0])

    def untranslated_events(self, lang: str) -> list:
        """The events residents see some of whose text a reader of `lang` sees in Vietnamese."""
        return [
            e
            for e in self.public_events()
            if any(self.text(t, lang).fallback for t in (e.title, e.place, e.description) if t)
        ]

    def _localized(self, table: dict[str, dict[str, T]], lang: str, item_id: str) -> Localized[T] | None:
        if item_id in table.get(lang, {}):
            return Localized(table[lang][item_id], lang, False)
        if item_id in table[SOURCE_LANG]:
            return Localized(table[SOURCE_LANG][item_id], SOURCE_LANG, True)
        return None

    def files_of(self, lang: str) -> list[dict]:
        """What exists in a language, for the coverage table."""
        kinds: list[tuple[str, list[str], Mapping[str, Topic | Quiz]]] = [
            ("topic", self.topic_ids(), self.topics.get(lang, {})),
            ("quiz", self.quiz_ids(), self.quizzes.get(lang, {})),
        ]
        rows = []
        for kind, ids, files in kinds:
            for item_id in ids:
                f = files.get(item_id)
                rows.append(
                    {
                        "kind": kind,
                        "id": item_id,
                        "present": f is not None,
                        "status": f.status if f else None,
                        "reviewed_by": f.reviewed_by if f else None,
                    }
                )
        return rows


def score(quiz: Quiz, answers: dict[str, str]) -> tuple[int, int]:
    """(correct, total) for answers {question id: option id}; unanswered counts as wrong."""
    key = quiz.answer_key()
    return sum(1 for q, a in answers.items() if key.get(q) == a), len(key)
