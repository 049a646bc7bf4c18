"""Writing a translated topic or quiz file from the studio's fields, shaped by the Vietnamese
file: the same ids, order, quiz, option ids and answers; the translated texts; the status
`reviewed` only when every field is reviewed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from . import topic_file, yamlio
from .model import SOURCE_LANG


def _status(meta: dict[str, Any], reviewers: list[str] | None) -> None:
    if reviewers:
        meta["status"] = "reviewed"
        meta["reviewed_by"] = ", ".join(sorted(set(reviewers)))
    else:
        meta["status"] = "draft"
        meta.pop("reviewed_by", None)


def topic(
    source: bytes,
    old: bytes | None,
    texts: dict[str, str],
    translator: str,
    reviewers: list[str] | None,
    today: dt.date,
) -> bytes:
    """The translated topic file; `texts` holds every field of `translation_state.topic_fields`."""
    src, _body = topic_file.parse(source)
    meta: dict[str, Any] = topic_file.parse(old)[0] if old else {"id": src["id"]}
    meta["title"], meta["summary"] = texts["title"], texts["summary"]
    for name in ("order", "quiz", "province"):
        if name in src:
            meta[name] = src[name]
        else:
            meta.pop(name, None)
    count = len(src.get("key_points") or [])
    meta["key_points"] = [texts[f"key_points[{i}]"] for i in range(1, count + 1)]
    _status(meta, reviewers)
    meta["translator"] = meta.get("translator") or translator
    meta["source_lang"] = SOURCE_LANG
    meta["updated"] = today
    return topic_file.render(meta, texts["body"])


def quiz(
    source: bytes,
    old: bytes | None,
    texts: dict[str, str],
    translator: str,
    reviewers: list[str] | None,
) -> bytes:
    """The translated quiz file: the Vietnamese questions, option ids and answers, translated."""
    src = yamlio.load(source.decode("utf-8"))
    before = yamlio.load(old.decode("utf-8")) if old else {}
    meta: dict[str, Any] = {"id": src["id"], "topic": src["topic"], "title": texts["title"]}
    _status(meta, reviewers)
    meta["translator"] = (before or {}).get("translator") or translator
    meta["source_lang"] = SOURCE_LANG
    questions = []
    for q in src["questions"]:
        qid = q["id"]
        questions.append(
            {
                "id": qid,
                "text": texts[f"{qid}.text"],
                "options": [{"id": o["id"], "text": texts[f"{qid}.options.{o['id']}"]} for o in q["options"]],
                "answer": q["answer"],
                "explanation": texts[f"{qid}.explanation"],
            }
        )
    meta["questions"] = questions
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10**6).encode()
