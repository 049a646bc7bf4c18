"""What the studio pages need from the draft: a file checked in place (with the rules of `loa
content check`), whose province a file belongs to, and what publishing would change with the
bytes a phone downloads for it, per language."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import Connection

from . import releases
from .errors import ContentError, ContentInvalid
from .loader import load_tree
from .model import SOURCE_LANG, Content
from .pictures import offline_split
from .recordings import AUDIO_DIR, AUDIO_FILE
from .translation_state import STATE_FILE
from .tree import Tree


def topic_path(lang: str, topic_id: str) -> str:
    return f"{lang}/topics/{topic_id}.md"


def quiz_path(lang: str, quiz_id: str) -> str:
    return f"{lang}/quizzes/{quiz_id}.yaml"


def check_in_draft(
    conn: Connection, changed: dict[str, bytes | None]
) -> tuple[Content | None, list[ContentError]]:
    """The draft's content with each changed path holding its data (None: removed), and the
    problems of those files: (content, []) when they are fine. Problems of other draft files do
    not count here."""
    files = dict(releases.draft_tree(conn).files)
    for path, data in changed.items():
        if data is None:
            files.pop(path, None)
        else:
            files[path] = data
    try:
        return load_tree(Tree(files)), []
    except ContentInvalid as exc:
        mine = {f"content/{path}" for path in changed}
        return None, [e for e in exc.errors if e.path in mine]


def file_province(content: Content | None, path: str) -> int | None:
    """The province a file belongs to (a province's own topic and its quiz and translations);
    None: national content (every other file)."""
    if content is None:
        return None
    parts = PurePosixPath(path).parts
    if len(parts) != 3 or parts[1] not in ("topics", "quizzes"):
        return None
    stem = PurePosixPath(path).stem
    if parts[1] == "quizzes":
        quiz = content.quizzes.get(SOURCE_LANG, {}).get(stem)
        stem = quiz.topic if quiz else stem
    topic = content.topics.get(SOURCE_LANG, {}).get(stem)
    return topic.province if topic else None


@dataclass(frozen=True)
class Pending:
    """A draft file that differs from what residents have."""

    path: str
    change: str  # added | changed | removed
    diff: str
    lang: str | None  # the language folder, None for files of every language
    province: int | None  # None: national content
    download: int  # compressed bytes a phone fetches for it (0 when removed)


def pending(conn: Connection) -> tuple[list[Pending], list[ContentError]]:
    """What publishing the whole draft would change, file by file, and the draft's problems
    (publishing is refused while there are any)."""
    head = releases.head(conn)
    old = head.manifest if head else {}
    draft_manifest = releases.draft_manifest(conn)
    changes = releases.changes(conn, old, draft_manifest)
    tree = releases.tree_of(conn, draft_manifest)
    try:
        content: Content | None = load_tree(tree)
        problems: list[ContentError] = []
    except ContentInvalid as exc:
        content, problems = None, exc.errors
    out = []
    for change in changes:
        data = tree.read(change.path)
        parts = PurePosixPath(change.path).parts
        out.append(
            Pending(
                path=change.path,
                change=change.change,
                diff=change.diff,
                lang=parts[0] if len(parts) > 1 else None,
                province=file_province(content, change.path),
                # phones fetch pages with a release, never the translators' state files or the
                # recordings (downloaded on demand, "download audio for offline use")
                download=len(gzip.compress(data, 6)) if data and not _on_demand(change.path) else 0,
            )
        )
    return out, problems


def _on_demand(path: str) -> bool:
    return path.endswith((f"/{STATE_FILE}", f"/{AUDIO_FILE}")) or path.startswith(f"{AUDIO_DIR}/")


def download_by_language(
    changes: list[Pending], languages: list[str], draft_paths: set[str]
) -> dict[str, int]:
    """Compressed bytes a phone downloads per language when these changes are published: its own
    files, the files of every language (events, languages), and Vietnamese files that the language
    shows as the fallback because it has no translation of them (`draft_paths`: every draft file)."""
    sizes = {}
    for lang in languages:
        total = 0
        for change in changes:
            own = change.lang in (lang, None)
            rest = change.path.partition("/")[2]
            fallback = change.lang == SOURCE_LANG and f"{lang}/{rest}" not in draft_paths
            total += change.download if own or fallback else 0
        sizes[lang] = total
    return sizes


def online_only_pictures(conn: Connection, languages: list[str]) -> dict[str, int]:
    """Per language, how many pictures of the draft would load only online (beyond the precache's
    share for pictures), for the publish page to say so."""
    tree = releases.draft_tree(conn)
    try:
        content = load_tree(tree)
    except ContentInvalid:
        return {}
    return {lang: len(offline_split(content, tree, lang)[1]) for lang in languages}
