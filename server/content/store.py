"""The live content of a running server: the newest release in the database, never half broken.

Several `loa serve` processes on several machines share one database, so they serve the same
published content: every few seconds each asks the database for the newest release number and
loads that release when it changed (only the files it has not seen: blobs never change).

The content folder seeds the database: when the database has no release yet (a fresh install,
`make run` on an empty database) the folder is imported as release 1. Until the database is
ready (no tables yet: before `loa init-db`) the folder itself is served."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from . import releases
from .errors import ContentInvalid
from .loader import load_tree
from .model import Content
from .tree import Tree


class ContentStore:
    """The content a running server uses. `current()` checks the database every CHECK_EVERY
    seconds (or when forced) and switches to a newer release; content that fails to load is
    logged and the last good content stays in use."""

    CHECK_EVERY = 5.0

    def __init__(
        self, seed_dir: Path | str, engine: Callable[[], Engine], logger: logging.Logger | None = None
    ):
        self.seed_dir = Path(seed_dir)
        self._engine = engine
        self.logger = logger
        self._lock = threading.Lock()
        self.tree = Tree.from_dir(self.seed_dir)
        self.content = load_tree(self.tree)  # what is served until the database is ready
        self.release: tuple[int, str] | None = None  # (number, version) of the release in use
        self._blobs: dict[str, bytes] = {}
        self._checked = float("-inf")

    def current(self, force: bool = False) -> Content:
        if not force and time.monotonic() - self._checked < self.CHECK_EVERY:
            return self.content
        with self._lock:
            self._checked = time.monotonic()
            try:
                self._follow_database()
            except (OperationalError, ProgrammingError) as exc:  # no tables yet: serve the folder
                if self.logger:
                    self.logger.debug("content from the folder, the database is not ready: %s", exc)
            except ContentInvalid as exc:  # an empty database and a folder broken since start
                if self.logger:
                    self.logger.error(
                        "the content folder cannot be imported; serving %s\n%s", self.content.version, exc
                    )
        return self.content

    def _follow_database(self) -> None:
        engine = self._engine()
        with engine.connect() as conn:
            newest = releases.head_number(conn)
        if newest is None:
            newest = self._seed(engine)
        if newest == self.release:
            return
        with engine.connect() as conn:
            release = releases.release(conn, newest[0])
            if release is None:  # rolled away between the two questions: next time
                return
            tree = releases.tree_of(conn, release.manifest, self._blobs)
        try:
            self.content = load_tree(tree)
            self.tree = tree
        except ContentInvalid as exc:  # published content is checked; a hand-edited database is not
            if self.logger:
                self.logger.error(
                    "release %s is broken; still serving %s\n%s", newest[0], self.content.version, exc
                )
        self.release = newest
        self._blobs = {sha: self._blobs[sha] for sha in release.manifest.values() if sha in self._blobs}

    def _seed(self, engine: Engine) -> tuple[int, str]:
        """Import the content folder into an empty database (another server may do it at the same
        moment: then its release is the one used)."""
        with contextlib.suppress(IntegrityError):
            releases.run(engine, lambda conn: releases.import_tree(conn, Tree.from_dir(self.seed_dir), "loa"))
        with engine.connect() as conn:
            newest = releases.head_number(conn)
        assert newest is not None, "the content folder was just imported"
        return newest
