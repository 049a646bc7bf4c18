"""The live content of a running server: reloaded when its files change, never half broken."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from .errors import ContentInvalid
from .loader import load_content
from .model import Content

# (folder, file name, modification time in ns, size) of every file under the content folder
Signature = tuple[tuple[str, str, int, int], ...]


class ContentStore:
    """The content a running server uses. Every few seconds it looks whether a file under the
    content folder changed (an organiser's events page, a translator's edit) and loads it
    again; broken new content is logged and the last good content stays in use."""

    CHECK_EVERY = 5.0

    def __init__(self, root: Path | str, logger: logging.Logger | None = None):
        self.root = Path(root)
        self.logger = logger
        self._lock = threading.Lock()
        self._signature = self._scan()
        self.content = load_content(self.root)
        self._checked = time.monotonic()
        self._bad_signature: Signature | None = None

    def _scan(self) -> Signature:
        entries = []
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                if name.startswith("."):  # lock and temp files of the events page, not content
                    continue
                try:
                    st = os.stat(os.path.join(dirpath, name))
                except FileNotFoundError:
                    continue
                entries.append((dirpath, name, st.st_mtime_ns, st.st_size))
        return tuple(sorted(entries))

    def current(self, force: bool = False) -> Content:
        if not force and time.monotonic() - self._checked < self.CHECK_EVERY:
            return self.content
        with self._lock:
            self._checked = time.monotonic()
            signature = self._scan()
            if signature != self._signature and signature != self._bad_signature:
                try:
                    self.content = load_content(self.root)
                    self._signature = signature
                except ContentInvalid as exc:
                    self._bad_signature = signature
                    if self.logger:
                        self.logger.error(
                            "content changed but is broken; still serving version %s\n%s",
                            self.content.version,
                            exc,
                        )
        return self.content
