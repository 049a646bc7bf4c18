"""The problems a content folder can have, each with its file and field."""

from __future__ import annotations

from pathlib import PurePath


class ContentError(Exception):
    """One problem in one content file."""

    def __init__(self, path: PurePath | str, field: str | None, message: str):
        self.path = str(path)
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: field '{self.field}'" if self.field else self.path
        return f"{where}: {self.message}"


class ContentInvalid(Exception):
    """The content folder has problems; `errors` lists each one."""

    def __init__(self, errors: list[ContentError]):
        self.errors = errors
        lines = "\n".join(f"  - {e}" for e in errors)
        super().__init__(f"{len(errors)} problem(s) in the campaign content:\n{lines}")
