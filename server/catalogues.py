"""Babel catalogues in translations/: check them, compile them, measure their coverage.

Translators edit `translations/<lang>/LC_MESSAGES/messages.po` (Poedit, Weblate, a text
editor). Loa compiles them when it starts, so a fresh machine needs no extra step. A
translated entry whose placeholders differ from the original (`%(count)s` missing or
renamed) is reported with its file and line and left out of the compiled catalogue: the
page shows the original text instead of crashing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{(\w*)\}")


@dataclass
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class CatalogueReport:
    lang: str
    path: Path
    total: int
    translated: int
    fuzzy: int
    problems: list[Problem]

    @property
    def share(self) -> float:
        return self.translated / self.total if self.total else 1.0


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text or ""))


def catalogue_paths(directory: Path) -> dict[str, Path]:
    return {p.parent.parent.name: p for p in sorted(Path(directory).glob("*/LC_MESSAGES/messages.po"))}


def _display(path: Path) -> str:
    parts = path.parts
    return "/".join(parts[parts.index("translations") :]) if "translations" in parts else str(path)


QUOTED_LINE = re.compile(
    r'^(?:#~\s*)?(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*"(?:[^"\\]|\\.)*"\s*$'
)
STRING_LINE = re.compile(r'^(?:#~\s*)?(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?\s|")')


def _unterminated(path: Path) -> Problem | None:
    """Babel quietly accepts a string missing its closing quote; a translator should hear of it."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if STRING_LINE.match(stripped) and not QUOTED_LINE.match(stripped):
            return Problem(
                _display(path), number, f"not a valid PO file: badly quoted string: {stripped[:60]}"
            )
    return None


def read_catalogue(path: Path):
    """(catalog, problems). An unreadable file gives no catalog and one problem."""
    try:
        bad_quote = _unterminated(path)
        if bad_quote:
            return None, [bad_quote]
        with open(path, "rb") as fh:
            return read_po(fh, abort_invalid=True), []
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        return None, [Problem(_display(path), line, f"not a valid PO file: {exc}")]


def check(catalog, path: Path) -> list[Problem]:
    problems = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        wanted = placeholders(ids[0])
        for string in strings:
            if string and placeholders(string) != wanted:
                problems.append(
                    Problem(
                        _display(path),
                        message.lineno,
                        f"placeholders {placeholders(string) or 'none'} differ from the original's "
                        f"{wanted or 'none'} in msgid {ids[0][:60]!r}",
                    )
                )
    return problems


def report(lang: str, path: Path) -> CatalogueReport:
    catalog, problems = read_catalogue(path)
    if catalog is None:
        return CatalogueReport(lang, path, 0, 0, 0, problems)
    problems = check(catalog, path)
    messages = [m for m in catalog if m.id]
    bad = {p.line for p in problems}
    translated = sum(
        1
        for m in messages
        if m.string
        and not m.fuzzy
        and m.lineno not in bad
        and (all(m.string) if isinstance(m.string, (list, tuple)) else True)
    )
    return CatalogueReport(
        lang, path, len(messages), translated, sum(1 for m in messages if m.fuzzy), problems
    )


def compile_catalogues(directory: Path, force: bool = False) -> list[Problem]:
    """Compile every catalogue whose .mo is missing or older than its .po; leave out entries
    with wrong placeholders. Returns every problem found (empty when all is well)."""
    problems: list[Problem] = []
    for po in catalogue_paths(directory).values():
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog, found = read_catalogue(po)
        if catalog is None:
            problems += found
            continue
        found = check(catalog, po)
        problems += found
        bad = {p.line for p in found}
        for message in catalog:
            if message.lineno in bad:
                message.string = (
                    "" if not isinstance(message.string, (list, tuple)) else ("",) * len(message.string)
                )
        tmp = mo.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        tmp.replace(mo)
    return problems
