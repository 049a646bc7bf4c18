"""A content tree: the files of the content folder by their path inside it (`vi/topics/x.md`),
read from a folder on disk or from the database, so that one loader checks both alike."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# The name the content folder has in messages ("content/vi/topics/x.md: field 'title': ...").
DEFAULT_NAME = "content"


def is_content_file(name: str) -> bool:
    """Hidden files (lock and temporary files, editor leftovers) are not content."""
    return not name.startswith(".")


@dataclass(frozen=True)
class Tree:
    """Every file of one content version, by POSIX path relative to the content folder."""

    files: Mapping[str, bytes]
    name: str = DEFAULT_NAME
    _folders: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        folders = {path.split("/", 1)[0] for path in self.files if "/" in path}
        object.__setattr__(self, "_folders", frozenset(folders))

    @classmethod
    def from_dir(cls, root: Path | str) -> Tree:
        """The files under `root` (hidden ones left out); `root`'s name names it in messages."""
        root = Path(root)
        files: dict[str, bytes] = {}
        for dirpath, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if is_content_file(d))
            for name in names:
                if is_content_file(name):
                    path = Path(dirpath, name)
                    files[path.relative_to(root).as_posix()] = path.read_bytes()
        return cls(files, root.name or DEFAULT_NAME)

    def write_dir(self, root: Path | str) -> None:
        """Write every file under `root` (made if missing), byte for byte."""
        root = Path(root)
        for rel, data in sorted(self.files.items()):
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    @property
    def root(self) -> PurePosixPath:
        return PurePosixPath(self.name)

    def read(self, rel: str) -> bytes | None:
        return self.files.get(rel)

    def exists(self, rel: str) -> bool:
        return rel in self.files

    def listdir(self, folder: str, suffix: str) -> list[str]:
        """The paths of the files directly in `folder` whose names end with `suffix`, sorted."""
        prefix = folder.rstrip("/") + "/"
        return sorted(
            p
            for p in self.files
            if p.startswith(prefix) and "/" not in p[len(prefix) :] and p.endswith(suffix)
        )

    def folders(self) -> list[str]:
        """The folders at the top of the tree (one per language), sorted."""
        return sorted(self._folders)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.files))

    def version(self) -> str:
        """A short fingerprint of every path and byte: any change to any file changes it."""
        digest = hashlib.sha256()
        for rel in sorted(self.files):
            digest.update(rel.encode())
            digest.update(b"\0")
            digest.update(self.files[rel])
            digest.update(b"\0")
        return digest.hexdigest()[:12]
