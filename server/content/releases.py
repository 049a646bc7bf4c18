"""Content in the database: the draft working copy the studio edits, and numbered releases.

- A **blob** is one file's bytes, named by its SHA-256.
- The **draft** is a whole content tree (`content_drafts`: path -> blob, with a revision per file).
  Saving a file checks the blob the editor started from, so a save made from an older page is
  refused (`Conflict`, with what is there now), never lost.
- A **release** is a whole tree too (`manifest`: path -> blob), numbered 1, 2, 3...; the highest
  is what residents get. Publishing checks the tree exactly like `loa content check` and refuses
  broken content. The release number is the primary key, so two publishers at the same moment
  cannot both build on the same release: the later one fails and builds again on the new one.
- **Rollback** publishes an older release's tree again as a new release (history stays linear).

Everything here works on a SQLAlchemy `Connection` inside the caller's transaction, on SQLite
and PostgreSQL alike; `run()` opens that transaction and retries it when a publisher raced."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..models import CONTENT_PATH_LEN, ContentBlob, ContentDraft, ContentRelease
from .loader import load_tree
from .tree import Tree, is_content_file

IMPORT, PUBLISH, EVENTS, ROLLBACK = "import", "publish", "events", "rollback"
RETRIES = 8  # publishers racing for the same release number: each retry builds on the winner

T = TypeVar("T")

_RELEASE_COLUMNS = (
    ContentRelease.number,
    ContentRelease.version,
    ContentRelease.manifest,
    ContentRelease.note,
    ContentRelease.kind,
    ContentRelease.created_at,
    ContentRelease.created_by,
)


class Conflict(Exception):
    """A save made from an older copy of a file: `current` is the file as it is now (None: gone)."""

    def __init__(self, path: str, current: bytes | None):
        self.path = path
        self.current = current
        super().__init__(f"{path} changed since it was opened")


class NothingToPublish(Exception):
    """The draft holds exactly what residents already have."""


@dataclass(frozen=True)
class Release:
    number: int
    version: str
    manifest: dict[str, str]
    note: str
    kind: str
    created_at: dt.datetime
    created_by: str


@dataclass(frozen=True)
class FileChange:
    path: str
    change: str  # added | changed | removed
    diff: str  # unified diff of the text ("" for a file that is not text)


def sha_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# -- running a change ---------------------------------------------------------------------------


def run(engine: Engine, change: Callable[[Connection], T]) -> T:
    """`change(conn)` in a transaction of its own; made again when another publisher took the
    release number it was building (each try sees the other's release)."""
    for attempt in range(RETRIES):
        try:
            with engine.begin() as conn:
                return change(conn)
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# -- blobs --------------------------------------------------------------------------------------


def put_blob(conn: Connection, data: bytes) -> str:
    """Store `data` once (a blob is named by its bytes); returns its SHA-256."""
    sha = sha_of(data)
    if conn.execute(select(ContentBlob.sha).where(ContentBlob.sha == sha)).first() is None:
        dialect = conn.dialect.name
        if dialect in ("sqlite", "postgresql"):
            module = __import__(f"sqlalchemy.dialects.{dialect}", fromlist=["insert"])
            conn.execute(module.insert(ContentBlob).values(sha=sha, data=data).on_conflict_do_nothing())
        else:  # pragma: no cover - Loa runs on SQLite and PostgreSQL only
            conn.execute(insert(ContentBlob).values(sha=sha, data=data))
    return sha


def read_blobs(
    conn: Connection, shas: Iterable[str], cache: dict[str, bytes] | None = None
) -> dict[str, bytes]:
    """The bytes of each blob; those in `cache` are not fetched again (blobs never change)."""
    cache = cache if cache is not None else {}
    wanted = sorted(set(shas) - cache.keys())
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for sha, data in conn.execute(
            select(ContentBlob.sha, ContentBlob.data).where(ContentBlob.sha.in_(chunk))
        ):
            cache[sha] = bytes(data)
    return cache


def read_blob(conn: Connection, sha: str) -> bytes | None:
    """One blob's bytes (None when there is no such blob)."""
    row = conn.execute(select(ContentBlob.data).where(ContentBlob.sha == sha)).first()
    return bytes(row.data) if row else None


def tree_of(conn: Connection, manifest: Mapping[str, str], cache: dict[str, bytes] | None = None) -> Tree:
    blobs = read_blobs(conn, manifest.values(), cache)
    return Tree({path: blobs[sha] for path, sha in manifest.items()})


# -- releases -----------------------------------------------------------------------------------


def _release(row) -> Release:
    return Release(
        number=row.number,
        version=row.version,
        manifest=json.loads(row.manifest),
        note=row.note,
        kind=row.kind,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def head(conn: Connection) -> Release | None:
    """The release residents get now, or None before the first import."""
    row = conn.execute(select(*_RELEASE_COLUMNS).order_by(ContentRelease.number.desc()).limit(1)).first()
    return _release(row) if row else None


def head_number(conn: Connection) -> tuple[int, str] | None:
    """(number, version) of the newest release: the cheap question a server asks every few seconds."""
    row = conn.execute(
        select(ContentRelease.number, ContentRelease.version).order_by(ContentRelease.number.desc()).limit(1)
    ).first()
    return (row.number, row.version) if row else None


def release(conn: Connection, number: int) -> Release | None:
    row = conn.execute(select(*_RELEASE_COLUMNS).where(ContentRelease.number == number)).first()
    return _release(row) if row else None


def history(conn: Connection, limit: int = 50) -> list[Release]:
    rows = conn.execute(select(*_RELEASE_COLUMNS).order_by(ContentRelease.number.desc()).limit(limit))
    return [_release(row) for row in rows]


def _new_release(
    conn: Connection,
    base: Release | None,
    manifest: Mapping[str, str],
    kind: str,
    note: str,
    user: str,
    check: bool = True,
) -> Release:
    """The release after `base` (the head `manifest` was built from), after checking its content
    (ContentInvalid). If another release was made after `base` meanwhile, the number is taken
    and the insert fails (IntegrityError): `run` then builds again on the new head."""
    tree = tree_of(conn, manifest)
    if check:
        load_tree(tree)
    number = (base.number if base else 0) + 1
    values: dict = {
        "number": number,
        "version": tree.version(),
        "manifest": json.dumps(dict(sorted(manifest.items())), ensure_ascii=False),
        "note": note,
        "kind": kind,
        "created_at": now(),
        "created_by": user,
    }
    conn.execute(insert(ContentRelease).values(**values))  # IntegrityError: another publisher won
    return Release(**{**values, "manifest": dict(manifest)})


# -- the draft ----------------------------------------------------------------------------------


def draft_manifest(conn: Connection) -> dict[str, str]:
    return {row.path: row.sha for row in conn.execute(select(ContentDraft.path, ContentDraft.sha))}


def draft_tree(conn: Connection) -> Tree:
    return tree_of(conn, draft_manifest(conn))


def draft_file(conn: Connection, path: str) -> bytes | None:
    row = conn.execute(select(ContentDraft.sha).where(ContentDraft.path == path)).first()
    return read_blobs(conn, [row.sha])[row.sha] if row else None


def check_path(path: str) -> None:
    """A path inside the content folder, as the draft stores it; ValueError otherwise."""
    parts = path.split("/")
    if (
        not path
        or len(path) > CONTENT_PATH_LEN
        or path.startswith("/")
        or any(p in ("", ".", "..") or not is_content_file(p) for p in parts)
    ):
        raise ValueError(f"'{path}' is not a file path inside the content folder")


def save_draft(conn: Connection, path: str, data: bytes | None, base: bytes | None, user: str) -> None:
    """Write (or, with data None, delete) one draft file, only if it still holds `base` (None: the
    file must not exist yet). Otherwise Conflict with what it holds now."""
    check_path(path)
    stamp = {"updated_at": now(), "updated_by": user}
    row = conn.execute(
        select(ContentDraft.sha, ContentDraft.revision).where(ContentDraft.path == path)
    ).first()
    base_sha = sha_of(base) if base is not None else None
    if (row.sha if row else None) != base_sha:
        raise Conflict(path, draft_file(conn, path))
    if row is None:
        if data is not None:  # a new file; a racing creator of the same path fails on the key
            conn.execute(
                insert(ContentDraft).values(path=path, sha=put_blob(conn, data), revision=1, **stamp)
            )
        return
    where = (
        (ContentDraft.path == path) & (ContentDraft.sha == row.sha) & (ContentDraft.revision == row.revision)
    )
    if data is None:
        done = conn.execute(delete(ContentDraft).where(where)).rowcount
    else:
        sha = put_blob(conn, data)
        done = conn.execute(
            update(ContentDraft).where(where).values(sha=sha, revision=row.revision + 1, **stamp)
        ).rowcount
    if done != 1:  # changed between our read and our write (PostgreSQL, read committed)
        raise Conflict(path, draft_file(conn, path))


def _replace_draft(
    conn: Connection, manifest: Mapping[str, str], user: str, paths: Iterable[str] | None = None
) -> None:
    """Make the draft hold `manifest` (for `paths` only, when given)."""
    current = draft_manifest(conn)
    stamp = {"updated_at": now(), "updated_by": user}
    for path in sorted(set(paths) if paths is not None else set(current) | set(manifest)):
        old, new = current.get(path), manifest.get(path)
        if old == new:
            continue
        if new is None:
            conn.execute(delete(ContentDraft).where(ContentDraft.path == path))
        elif old is None:
            conn.execute(insert(ContentDraft).values(path=path, sha=new, revision=1, **stamp))
        else:
            conn.execute(
                update(ContentDraft)
                .where(ContentDraft.path == path)
                .values(sha=new, revision=ContentDraft.revision + 1, **stamp)
            )


# -- publishing ---------------------------------------------------------------------------------


def import_tree(conn: Connection, tree: Tree, user: str, note: str = "") -> Release | None:
    """Make `tree` the draft and publish it (checked first). None when it is what residents
    already have."""
    load_tree(tree)  # refuse broken content before touching anything
    manifest = {path: put_blob(conn, tree.files[path]) for path in tree}
    _replace_draft(conn, manifest, user)
    current = head(conn)
    if current is not None and current.manifest == manifest:
        return None
    return _new_release(conn, current, manifest, IMPORT, note or "imported from files", user, check=False)


def publish(
    conn: Connection, user: str, note: str, paths: Iterable[str] | None = None, kind: str = PUBLISH
) -> Release:
    """Publish the draft (or only its files at `paths`) as the next release."""
    current = head(conn)
    draft = draft_manifest(conn)
    manifest = dict(current.manifest) if current else {}
    for path in set(paths) if paths is not None else set(manifest) | set(draft):
        if path in draft:
            manifest[path] = draft[path]
        else:
            manifest.pop(path, None)
    if current is not None and manifest == current.manifest:
        raise NothingToPublish()
    return _new_release(conn, current, manifest, kind, note, user)


def rollback(conn: Connection, number: int, user: str, note: str = "") -> Release:
    """Publish release `number`'s content again as the next release. Draft files nobody changed
    since the last release follow it back; files with unpublished edits keep them."""
    target = release(conn, number)
    current = head(conn)
    if target is None or current is None:
        raise LookupError(f"no release {number}")
    if target.manifest == current.manifest:
        raise NothingToPublish()
    draft = draft_manifest(conn)
    untouched = [
        p for p in set(current.manifest) | set(target.manifest) if draft.get(p) == current.manifest.get(p)
    ]
    _replace_draft(conn, target.manifest, user, untouched)
    return _new_release(
        conn, current, target.manifest, ROLLBACK, note or f"back to release {number}", user, check=False
    )


def changes(conn: Connection, old: Mapping[str, str], new: Mapping[str, str]) -> list[FileChange]:
    """What changed from one manifest to another, file by file, with a diff of each text."""
    paths = sorted(p for p in set(old) | set(new) if old.get(p) != new.get(p))
    blobs = read_blobs(conn, [s for m in (old, new) for p, s in m.items() if p in paths])
    out = []
    for path in paths:
        before = blobs[old[path]] if path in old else b""
        after = blobs[new[path]] if path in new else b""
        change = "added" if path not in old else "removed" if path not in new else "changed"
        out.append(FileChange(path, change, text_diff(before, after, path)))
    return out


def text_diff(before: bytes, after: bytes, path: str = "") -> str:
    try:
        a, b = before.decode("utf-8"), after.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    lines = difflib.unified_diff(a.splitlines(), b.splitlines(), f"a/{path}", f"b/{path}", lineterm="", n=1)
    return "\n".join(lines)


# -- files on disk ------------------------------------------------------------------------------


def export_dir(tree: Tree, target: Path, replace: bool = False) -> None:
    """Write `tree` into `target` byte for byte. A folder that already has files is refused,
    unless `replace`: then its content files not in the tree are removed (hidden files stay)."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        if not replace:
            raise FileExistsError(f"{target} is not empty (use --replace to overwrite a content folder)")
        if not (target / "languages.yaml").exists():
            raise FileExistsError(f"{target} has no languages.yaml: it does not look like a content folder")
        for path in sorted(target.rglob("*"), reverse=True):
            rel = path.relative_to(target).as_posix()
            if path.is_file() and is_content_file(path.name) and rel not in tree.files:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    tree.write_dir(target)
