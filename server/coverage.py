"""Translation coverage: per language, the share of interface strings translated, the
content files present with their status, and what falls back to Vietnamese. Shown by
`loa i18n coverage` and on the organiser side."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .catalogues import CatalogueReport, Problem, catalogue_paths, report
from .content import SOURCE_LANG, Content
from .content.translation_state import STATES, language_counts
from .content.tree import Tree


@dataclass
class LanguageCoverage:
    lang: str
    name: str
    catalogue: CatalogueReport | None
    files: list[dict]
    problems: list[Problem] = field(default_factory=list)
    fields: dict[str, int] = field(default_factory=dict)  # translated fields by state (translation_state)

    @property
    def ui_share(self) -> float:
        return self.catalogue.share if self.catalogue else 0.0

    @property
    def fallbacks(self) -> list[str]:
        return [f"{row['kind']} {row['id']}" for row in self.files if not row["present"]]

    @property
    def reviewed(self) -> int:
        return sum(1 for row in self.files if row["status"] == "reviewed")

    @property
    def drafts(self) -> int:
        return sum(1 for row in self.files if row["status"] == "draft")


def coverage(content: Content, translations_dir: Path, tree: Tree | None = None) -> list[LanguageCoverage]:
    """Per language: the interface catalogue, the content files and (given the content's `tree`)
    its translated fields by state: missing, draft, stale, reviewed."""
    catalogues = catalogue_paths(translations_dir)
    rows = []
    for lang, language in content.languages.items():
        path = catalogues.get(lang)
        catalogue = report(lang, path) if path else None
        problems = (
            list(catalogue.problems)
            if catalogue
            else [
                Problem(
                    f"translations/{lang}/LC_MESSAGES/messages.po",
                    None,
                    "missing: run `loa i18n init " + lang + "`",
                )
            ]
        )
        fields = language_counts(tree, lang) if tree is not None and lang != SOURCE_LANG else {}
        rows.append(
            LanguageCoverage(lang, language.name, catalogue, content.files_of(lang), problems, fields)
        )
    return rows


def format_table(rows: list[LanguageCoverage]) -> str:
    lines = [
        f"{'lang':<5} {'name':<12} {'interface':>16}  {'content files':<28} {'fields (miss/draft/stale/rev)':<30} "
        f"falls back to {SOURCE_LANG}"
    ]
    for row in rows:
        ui = (
            f"{row.ui_share:6.1%} {row.catalogue.translated}/{row.catalogue.total}"
            if row.catalogue
            else "no catalogue"
        )
        present = sum(1 for f in row.files if f["present"])
        files = f"{present}/{len(row.files)} ({row.reviewed} reviewed, {row.drafts} draft)"
        states = "/".join(str(row.fields.get(k, 0)) for k in STATES) if row.fields else "-"
        lines.append(
            f"{row.lang:<5} {row.name:<12} {ui:>16}  {files:<28} {states:<30} {', '.join(row.fallbacks) or '-'}"
        )
    for row in rows:
        for problem in row.problems:
            lines.append(f"error: {problem}")
    return "\n".join(lines)
