"""Reading and checking the content folder; `load_content(path)` builds the `Content`.

Layout (translators edit these files; see README "Content"):

    content/languages.yaml              the languages Loa publishes
    content/<lang>/topics/<id>.md       a topic: YAML front matter, then Markdown
    content/<lang>/quizzes/<id>.yaml    a quiz for a topic
    content/events.yaml                 Consumer Rights Day theme and events (organisers edit)
    content/areas.yaml                  lists of communes reported on separately (optional)

`load_content(path)` returns a `Content` or raises `ContentInvalid` listing every problem
with its file and field. Loa never serves half of a broken content folder.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .. import communes
from ..campaign import HOTLINE
from . import model, yamlio
from .errors import ContentError, ContentInvalid
from .markdown import markdown_problems, pictures_in, render_markdown
from .model import SOURCE_LANG, Area, Content, Event, Language, Option, Question, Quiz, Theme, Topic
from .pictures import MEDIA
from .recordings import Clip, clip_of, entry_problem, manifest_path, spoken_text
from .tree import Tree

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
LANG_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
EVENTS_FILE = "events.yaml"


class _Checker:
    """Collects errors for one file, so one broken file reports every bad field at once."""

    def __init__(self, tree: Tree, rel: str, errors: list[ContentError], prefix: str = ""):
        self.tree = tree
        self.path = rel  # inside the content folder: vi/topics/x.md
        self.rel = tree.root / rel  # as messages name it: content/vi/topics/x.md
        self.errors = errors
        self.prefix = prefix

    def sub(self, prefix: str) -> _Checker:
        """A checker for one part of the same file, e.g. `events[3] (some-id)`."""
        return _Checker(self.tree, self.path, self.errors, prefix)

    def error(self, field: str | None, message: str) -> None:
        if self.prefix:
            field = f"{self.prefix}.{field}" if field else self.prefix
        self.errors.append(ContentError(self.rel, field, message))

    def text(self, data: dict, name: str, required: bool = True, max_len: int | None = None) -> str | None:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(name, "is required and must be non-empty text")
            return None
        if not isinstance(value, str):
            self.error(name, f"must be text, found {type(value).__name__}")
            return None
        if max_len and len(value) > max_len:
            self.error(name, f"is {len(value)} characters; at most {max_len} fit")
        return value.strip()

    def slug(self, data: dict, name: str) -> str | None:
        value = self.text(data, name)
        if value is not None and not SLUG.match(value):
            self.error(name, f"'{value}' must be lower-case letters, digits and '-'")
            return None
        return value

    def status(self, data: dict) -> tuple[str, str | None]:
        status = self.text(data, "status") or "draft"
        if status not in model.STATUSES:
            self.error("status", f"'{status}' must be one of: {', '.join(model.STATUSES)}")
        reviewed_by = self.text(data, "reviewed_by", required=False)
        if status == "reviewed" and not reviewed_by:
            self.error("reviewed_by", "a reviewed file must say who reviewed it")
        return status, reviewed_by

    def date(self, data: dict, name: str, required: bool = True) -> dt.date | None:
        value = data.get(name)
        if value is None:
            if required:
                self.error(name, "is required (YYYY-MM-DD)")
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.error(name, f"'{value}' is not a date (YYYY-MM-DD)")
            return None

    def localized(
        self, data: dict, name: str, languages: Mapping[str, Language], required: bool = True
    ) -> dict[str, str]:
        value = data.get(name)
        if value is None:
            if required:
                self.error(name, f"is required, with at least a '{SOURCE_LANG}' text")
            return {}
        if isinstance(value, str):
            value = {SOURCE_LANG: value}
        if not isinstance(value, dict):
            self.error(name, "must map language codes to text, e.g. {vi: ..., en: ...}")
            return {}
        out = {}
        for lang, text in value.items():
            if lang not in languages:
                self.error(f"{name}.{lang}", f"unknown language '{lang}'; known: {', '.join(languages)}")
            elif not isinstance(text, str) or not text.strip():
                self.error(f"{name}.{lang}", "must be non-empty text")
            else:
                out[lang] = text.strip()
        if required and SOURCE_LANG not in out:
            self.error(name, f"needs a '{SOURCE_LANG}' text (the fallback for every language)")
        return out


def _read_text(check: _Checker) -> str | None:
    """The file's text, or None (with the error recorded) when it is not UTF-8."""
    data = check.tree.read(check.path) or b""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        check.error(None, f"is not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None


def _read_yaml(check: _Checker) -> Any:
    text = _read_text(check)
    if text is None:
        return None
    return _parse_yaml(text, check)


def _read_top(check: _Checker, expected_type: type, message: str) -> Any:
    """The YAML data of a whole file when it is an `expected_type`; None when the file is
    empty or broken, or (recording `message`) when it holds something else."""
    data = _read_yaml(check)
    if data is None:
        return None
    if not isinstance(data, expected_type):
        check.error(None, message)
        return None
    return data


def _parse_yaml(text: str, check: _Checker) -> Any:
    """The YAML data, or None (with the error recorded) when the text is not valid YAML."""
    try:
        return yamlio.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        check.error(None, f"is not valid YAML{where}: {getattr(exc, 'problem', exc)}")
    except ValueError as exc:  # YAML that parses but names an impossible date, e.g. 2027-13-01
        check.error(None, f"has an impossible value: {exc} (write dates as YYYY-MM-DD)")
    return None


def _split_front_matter(check: _Checker) -> tuple[dict | None, str]:
    text = _read_text(check)
    if text is None:
        return None, ""
    match = re.match(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)(.*)\Z", text, re.S)
    if not match:
        check.error(None, "must start with YAML front matter between '---' lines")
        return None, ""
    try:
        meta = yamlio.load(match.group(1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        check.error(None, f"front matter is not valid YAML{where}: {getattr(exc, 'problem', exc)}")
        return None, ""
    except ValueError as exc:  # an impossible date such as 2027-02-30
        check.error(None, f"front matter has an impossible value: {exc} (write dates as YYYY-MM-DD)")
        return None, ""
    if not isinstance(meta, dict):
        check.error(None, "front matter must be a mapping of fields")
        return None, ""
    return meta, match.group(3)


def _load_languages(tree: Tree, errors: list[ContentError]) -> dict[str, Language]:
    check = _Checker(tree, "languages.yaml", errors)
    if not tree.exists(check.path):
        check.error(None, "is missing: it lists the languages Loa publishes")
        return {}
    data = _read_top(check, list, "must be a list of languages")
    if data is None:
        return {}
    languages: dict[str, Language] = {}
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            check.error(f"[{i}]", "must be a mapping with code and name")
            continue
        code = entry.get("code")
        if not isinstance(code, str) or not LANG_CODE.match(code):
            check.error(f"[{i}].code", f"'{code}' is not a language code like 'vi' or 'mww'")
            continue
        name = check.text(entry, "name")
        replaces = entry.get("replaces") or []
        if not isinstance(replaces, list) or not all(
            isinstance(r, str) and LANG_CODE.match(r) for r in replaces
        ):
            check.error(f"[{i}].replaces", "must be a list of old language codes, e.g. [hnj]")
            replaces = []
        languages[code] = Language(
            code=code,
            name=name or code,
            english_name=entry.get("english_name") or name or code,
            cldr=bool(entry.get("cldr", True)),
            font=entry.get("font"),
            replaces=tuple(replaces),
        )
    for lang in languages.values():
        for old in lang.replaces:
            if old in languages:
                check.error(
                    f"{lang.code}.replaces",
                    f"'{old}' is a language of its own now: remove it from the old codes of '{lang.code}'",
                )
    if SOURCE_LANG not in languages:
        check.error(None, f"must list the source language '{SOURCE_LANG}'")
    return languages


def _load_topic(tree: Tree, path: str, lang: str, errors: list[ContentError]) -> Topic | None:
    check = _Checker(tree, path, errors)
    stem = PurePosixPath(path).stem
    before = len(errors)
    meta, body = _split_front_matter(check)
    if meta is None:
        return None
    tid = check.slug(meta, "id")
    if tid and tid != stem:
        check.error("id", f"'{tid}' must equal the file name '{stem}'")
    title = check.text(meta, "title", max_len=120)
    summary = check.text(meta, "summary", max_len=400)
    order = meta.get("order", 99)
    if not isinstance(order, int):
        check.error("order", f"must be a whole number, found '{order}'")
    points = meta.get("key_points")
    if not isinstance(points, list) or not 4 <= len(points) <= 6:
        n = len(points) if isinstance(points, list) else "none"
        check.error("key_points", f"needs 4 to 6 items (they go on leaflets), found {n}")
        points = []
    for i, point in enumerate(points):
        if not isinstance(point, str) or not point.strip():
            check.error(f"key_points[{i + 1}]", "must be non-empty text")
        elif len(point) > model.KEY_POINT_MAX:
            check.error(
                f"key_points[{i + 1}]",
                f"is {len(point)} characters; at most {model.KEY_POINT_MAX} fit on a leaflet",
            )
    status, reviewed_by = check.status(meta)
    translator = check.text(meta, "translator") or ""
    sources = meta.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        check.error("sources", "must be a list of text")
        sources = []
    updated = check.date(meta, "updated", required=False)
    province = meta.get("province")
    if province is not None and (isinstance(province, bool) or communes.province(province) is None):
        check.error("province", f"'{province}' is not an official province code")
        province = None
    quiz = meta.get("quiz")
    if not body.strip():
        check.error("body", "is empty: write the topic below the front matter")
    for problem in markdown_problems(body):
        check.error("body", problem)
    for picture in pictures_in(body):
        if not check.tree.exists(picture):
            check.error("body", f"the picture '/{picture}' is not in the content (upload it in the studio)")
    if re.search(r"^#\s", body, re.M):
        check.error("body", "uses a '# ' heading; the title comes from 'title', start sections with '## '")
    # A missing id, title or summary has been reported already (so errors grew).
    if len(errors) > before or tid is None or title is None or summary is None:
        return None
    return Topic(
        id=tid,
        lang=lang,
        title=title,
        summary=summary,
        order=order,
        key_points=[p.strip() for p in points],
        body_html=render_markdown(body),
        status=status,
        translator=translator,
        reviewed_by=reviewed_by,
        source_lang=meta.get("source_lang"),
        updated=updated,
        sources=sources,
        quiz=quiz,
        path=str(check.rel),
        province=int(province) if province is not None else None,
    )


def _load_quiz(tree: Tree, path: str, lang: str, errors: list[ContentError]) -> Quiz | None:
    check = _Checker(tree, path, errors)
    stem = PurePosixPath(path).stem
    before = len(errors)
    data = _read_top(check, dict, "must be a mapping with id, topic, title and questions")
    if data is None:
        return None
    qid = check.slug(data, "id")
    if qid and qid != stem:
        check.error("id", f"'{qid}' must equal the file name '{stem}'")
    topic = check.slug(data, "topic")
    title = check.text(data, "title")
    status, reviewed_by = check.status(data)
    translator = check.text(data, "translator") or ""
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or len(raw_questions) < 5:
        n = len(raw_questions) if isinstance(raw_questions, list) else "none"
        check.error("questions", f"needs at least 5 questions, found {n}")
        raw_questions = []
    questions, seen = [], set()
    for i, rq in enumerate(raw_questions, start=1):
        where = f"questions[{i}]"
        if not isinstance(rq, dict):
            check.error(where, "must be a mapping with id, text, options, answer, explanation")
            continue
        q_id = rq.get("id")
        if not isinstance(q_id, str) or not SLUG.match(q_id):
            check.error(f"{where}.id", f"'{q_id}' must be lower-case letters, digits and '-'")
            continue
        qc = check.sub(f"questions[{i}] ({q_id})")
        if q_id in seen:
            qc.error("id", "is used twice in this quiz")
        seen.add(q_id)
        text = qc.text(rq, "text")
        options, option_ids = [], set()
        raw_options = rq.get("options")
        if not isinstance(raw_options, list) or not 2 <= len(raw_options) <= 6:
            qc.error("options", "needs 2 to 6 options")
            raw_options = []
        for j, ro in enumerate(raw_options, start=1):
            if not isinstance(ro, dict) or not isinstance(ro.get("id"), str):
                qc.error(f"options[{j}]", "must have an id (a, b, c...) and a text")
                continue
            if not isinstance(ro.get("text"), str) or not ro["text"].strip():
                found = type(ro.get("text")).__name__
                hint = f"; put numbers like {HOTLINE} in quotes" if found in ("int", "float") else ""
                qc.error(f"options[{j}].text", f"must be non-empty text, found {found}{hint}")
                continue
            if ro["id"] in option_ids:
                qc.error(f"options[{j}].id", f"'{ro['id']}' is used twice")
            option_ids.add(ro["id"])
            options.append(Option(str(ro["id"]), ro["text"].strip()))
        answer = rq.get("answer")
        if answer not in option_ids:
            qc.error("answer", f"'{answer}' is not one of the option ids: {', '.join(sorted(option_ids))}")
        explanation = qc.text(rq, "explanation") or ""
        questions.append(Question(q_id, text or "", options, str(answer), explanation))
    # A missing id, topic or title has been reported already (so errors grew).
    if len(errors) > before or qid is None or topic is None or title is None:
        return None
    return Quiz(
        id=qid,
        lang=lang,
        topic=topic,
        title=title,
        questions=questions,
        status=status,
        translator=translator,
        reviewed_by=reviewed_by,
        source_lang=data.get("source_lang"),
        path=str(check.rel),
    )


def _quiz_behind_source(quiz: Quiz, source: Quiz) -> list[str]:
    """How a translated quiz differs from the Vietnamese in its questions, option ids or answers
    (results add up across languages only when they agree). A quiz that differs is behind the
    Vietnamese: residents get the Vietnamese quiz until its translation follows."""
    src = {q.id: q for q in source.questions}
    mine = {q.id: q for q in quiz.questions}
    problems = [f"question '{q}' of the Vietnamese quiz is missing" for q in sorted(src.keys() - mine.keys())]
    problems += [f"question '{q}' is not in the Vietnamese quiz" for q in sorted(mine.keys() - src.keys())]
    for q_id in sorted(src.keys() & mine.keys()):
        a, b = src[q_id], mine[q_id]
        if [o.id for o in a.options] != [o.id for o in b.options]:
            problems.append(f"question '{q_id}': option ids differ from the Vietnamese quiz")
        elif a.answer != b.answer:
            problems.append(
                f"question '{q_id}': answer '{b.answer}' differs from the Vietnamese answer '{a.answer}'"
            )
    return problems


def load_events(
    tree: Tree, languages: Mapping[str, Language], errors: list[ContentError]
) -> tuple[list[Event], Theme | None]:
    """The events and theme of the tree's events.yaml (none when it does not exist), adding
    every problem to `errors`."""
    check = _Checker(tree, EVENTS_FILE, errors)
    if not tree.exists(EVENTS_FILE):
        return [], None
    data = _read_yaml(check)
    if data is None:
        return [], None
    return _events_from_data(data, languages, check)


def validate_events(text: str, languages: Mapping[str, Language]) -> list[ContentError]:
    """The problems `loa content check` would report for `text` as content/events.yaml."""
    errors: list[ContentError] = []
    check = _Checker(Tree({}), EVENTS_FILE, errors)
    data = _parse_yaml(text, check)
    if data is not None:
        _events_from_data(data, languages, check)
    return errors


def _events_from_data(
    data: Any, languages: Mapping[str, Language], check: _Checker
) -> tuple[list[Event], Theme | None]:
    if not isinstance(data, dict):
        check.error(None, "must be a mapping with 'theme' and 'events'")
        return [], None
    theme = None
    raw_theme = data.get("theme")
    if isinstance(raw_theme, dict):
        year = raw_theme.get("year")
        if not isinstance(year, int):
            check.error("theme.year", f"must be a year like 2027, found '{year}'")
        theme = Theme(
            year=year if isinstance(year, int) else 0,
            title=check.localized(raw_theme, "title", languages),
            note=check.localized(raw_theme, "note", languages, required=False),
        )
    elif raw_theme is not None:
        check.error("theme", "must be a mapping with year and title")
    events, ids = [], set()
    raw_events = data.get("events") or []
    if not isinstance(raw_events, list):
        check.error("events", "must be a list")
        raw_events = []
    for i, raw in enumerate(raw_events, start=1):
        if not isinstance(raw, dict):
            check.error(f"events[{i}]", "must be a mapping")
            continue
        eid = raw.get("id")
        sub = check.sub(f"events[{i}]" + (f" ({eid})" if eid else ""))
        err = sub.error
        if not isinstance(eid, str) or not SLUG.match(eid):
            err("id", f"'{eid}' must be lower-case letters, digits and '-'")
        elif eid in ids:
            err("id", "is used twice")
        ids.add(eid)
        date = sub.date(raw, "date")
        end_date = sub.date(raw, "end_date", required=False)
        if date and end_date and end_date < date:
            err("end_date", f"{end_date} is before the start date {date}")
        province = raw.get("province")
        if province is not None and communes.province(province) is None:
            err("province", f"'{province}' is not an official province code")
        commune = raw.get("commune")
        if commune is not None:
            info = communes.commune(commune)
            if info is None:
                err("commune", f"'{commune}' is not an official commune code")
            elif province is not None and communes.province(province) and info.province_code != int(province):
                err("commune", f"{info.name} ({commune}) is not in province {province}")
            elif province is None:
                province = info.province_code
        title = sub.localized(raw, "title", languages)
        place = sub.localized(raw, "place", languages)
        description = sub.localized(raw, "description", languages, required=False)
        status = raw.get("status", "example")
        if status not in model.EVENT_STATUSES:
            err("status", f"'{status}' must be one of: {', '.join(model.EVENT_STATUSES)}")
        national = raw.get("national", False)
        if not isinstance(national, bool):
            err("national", f"must be true or false, found '{national}'")
        if date is None:  # reported by sub.date: the content is invalid, the event is left out
            continue
        events.append(
            Event(
                id=str(eid),
                date=date,
                end_date=end_date,
                province=int(province) if province is not None and communes.province(province) else None,
                commune=int(commune) if commune is not None and communes.commune(commune) else None,
                title=title,
                place=place,
                description=description,
                status=status if status in model.EVENT_STATUSES else "example",
                national=national is True,
            )
        )
    events.sort(key=lambda e: (e.date, e.id))
    return events, theme


def _load_areas(tree: Tree, languages: Mapping[str, Language], errors: list[ContentError]) -> dict[str, Area]:
    if not tree.exists("areas.yaml"):
        return {}
    check = _Checker(tree, "areas.yaml", errors)
    data = _read_top(check, dict, "must map an area id (e.g. border) to its label and communes")
    if data is None:
        return {}
    areas = {}
    for area_id, raw in data.items():
        sub = check.sub(str(area_id))
        if not isinstance(area_id, str) or not SLUG.match(area_id):
            sub.error(None, "area ids are lower-case letters, digits and '-'")
            continue
        if not isinstance(raw, dict):
            sub.error(None, "must have a label and a list of communes")
            continue
        codes = raw.get("communes") or []
        if not isinstance(codes, list):
            sub.error("communes", "must be a list of official commune codes")
            codes = []
        bad = [c for c in codes if communes.commune(c) is None]
        if bad:
            sub.error("communes", f"not official commune codes: {', '.join(map(str, bad))}")
        areas[area_id] = Area(
            area_id,
            sub.localized(raw, "label", languages),
            frozenset(int(c) for c in codes if communes.commune(c) is not None),
        )
    return areas


def _load_audio(
    tree: Tree, lang: str, topics: dict, quizzes: dict, errors: list[ContentError], warnings: list[str]
) -> dict[str, Clip]:
    """The recordings of one language (see recordings.py): an entry naming a missing file is an
    error; one for a piece the language no longer has is left out with a warning."""
    path = manifest_path(lang)
    data = tree.read(path)
    if data is None:
        return {}
    check = _Checker(tree, path, errors)
    entries = _read_top(check, dict, "must be a mapping of recordings by what they read")
    if not entries:
        return {}
    files = set(tree.files)
    clips: dict[str, Clip] = {}
    for key, entry in entries.items():
        problem = entry_problem(str(key), entry, files)
        if problem:
            check.error(str(key), problem)
            continue
        text = spoken_text(topics, quizzes, key)
        if text is None:
            warnings.append(
                f"{tree.root / path}: '{key}' reads a text this language does not have; not served"
            )
            continue
        clips[key] = clip_of(key, entry, text)
    return clips


def content_version(root: Path) -> str:
    return Tree.from_dir(root).version()


def load_content(root: Path | str) -> Content:
    """The content of the folder `root`, or ContentInvalid listing every problem."""
    root = Path(root)
    if not root.is_dir():
        raise ContentInvalid([ContentError(root, None, "content folder not found")])
    return load_tree(Tree.from_dir(root))


def load_tree(tree: Tree) -> Content:
    """The content of `tree` (a folder's files or a release's), or ContentInvalid."""
    errors: list[ContentError] = []
    warnings: list[str] = []  # what is served anyway, but someone should fix
    lagging: list[tuple[str, str]] = []  # translated quizzes behind the Vietnamese (not served)
    root = tree.root
    languages = _load_languages(tree, errors)
    topics: dict[str, dict[str, Topic]] = {}
    quizzes: dict[str, dict[str, Quiz]] = {}
    for lang in languages:
        topics[lang], quizzes[lang] = {}, {}
        for path in tree.listdir(f"{lang}/topics", ".md"):
            topic = _load_topic(tree, path, lang, errors)
            if topic:
                topics[lang][topic.id] = topic
        for path in tree.listdir(f"{lang}/quizzes", ".yaml"):
            quiz = _load_quiz(tree, path, lang, errors)
            if quiz:
                quizzes[lang][quiz.id] = quiz
    for folder in tree.folders():
        if folder not in languages and folder != MEDIA:
            errors.append(
                ContentError(
                    root / folder,
                    None,
                    f"folder for language '{folder}', which languages.yaml does not list",
                )
            )
    source_topics = topics.get(SOURCE_LANG, {})
    source_quizzes = quizzes.get(SOURCE_LANG, {})
    for tid in model.REQUIRED_TOPICS:
        if tid not in source_topics and not errors:
            errors.append(
                ContentError(
                    root / SOURCE_LANG / "topics" / f"{tid}.md",
                    None,
                    "is missing: every language falls back to this topic",
                )
            )
    for lang in languages:
        for topic in topics.get(lang, {}).values():
            if topic.quiz and topic.quiz not in source_quizzes and topic.quiz not in quizzes[lang]:
                errors.append(ContentError(topic.path, "quiz", f"quiz '{topic.quiz}' does not exist"))
            if lang != SOURCE_LANG and topic.id not in source_topics:
                errors.append(
                    ContentError(topic.path, "id", f"topic '{topic.id}' has no Vietnamese original")
                )
        for quiz in quizzes.get(lang, {}).values():
            if quiz.topic not in source_topics:
                errors.append(ContentError(quiz.path, "topic", f"topic '{quiz.topic}' does not exist"))
            if lang != SOURCE_LANG:
                if quiz.id not in source_quizzes:
                    errors.append(
                        ContentError(quiz.path, "id", f"quiz '{quiz.id}' has no Vietnamese original")
                    )
                elif behind := _quiz_behind_source(quiz, source_quizzes[quiz.id]):
                    warnings.append(
                        f"{quiz.path}: {'; '.join(behind)}; residents get the Vietnamese quiz until the "
                        "translation follows it"
                    )
                    lagging.append((lang, quiz.id))
    for lang, quiz_id in lagging:
        del quizzes[lang][quiz_id]
    events, theme = load_events(tree, languages, errors)
    areas = _load_areas(tree, languages, errors)
    audio = {
        lang: _load_audio(tree, lang, topics[lang], quizzes[lang], errors, warnings) for lang in languages
    }
    if errors:
        raise ContentInvalid(errors)
    return Content(
        root=Path(tree.name),
        languages=languages,
        topics=topics,
        quizzes=quizzes,
        events=events,
        theme=theme,
        version=tree.version(),
        areas=areas,
        warnings=warnings,
        audio=audio,
    )
