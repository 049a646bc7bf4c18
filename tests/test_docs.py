"""The README is the manual: its tables of settings and commands are generated from the code
(`make docs`) and must not drift; the docs a contributor needs exist."""

import re

from server.cli import cli
from server.config import PROJECT_ROOT, SETTINGS
from server.readme import render

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    head = README[:1500]
    assert "make run" in head and "make test" in head


def test_generated_tables_are_up_to_date():
    assert README.count("<!-- generated: ") == 2
    assert render(README, cli) == README, "README.md's generated tables are out of date: run `make docs`"


def test_every_setting_and_command_is_in_the_readme():
    missing = [name for name in SETTINGS if f"| `{name}` |" not in README]
    assert not missing, f"settings missing from README: {missing}"
    for name in ("leaflets build", "users create", "sync import", "i18n coverage", "serve"):
        assert f"| `loa {name}" in README


def test_a_drifted_table_is_caught():
    drifted = README.replace("| `LOA_SYNC_MAX_RECORDS` | `500` |", "| `LOA_SYNC_MAX_RECORDS` | `1000` |")
    assert drifted != README and render(drifted, cli) == README


def test_the_licence_matches_pyproject():
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text()
    licence = (PROJECT_ROOT / "LICENSE").read_text()
    assert 'license = { text = "AGPL-3.0-or-later" }' in pyproject
    assert "GNU AFFERO GENERAL PUBLIC LICENSE" in licence and "Version 3, 19 November 2007" in licence


def test_contributing_and_changelog_exist():
    contributing = (PROJECT_ROOT / "CONTRIBUTING.md").read_text()
    for topic in ("make lint", "make test-fast", "make test", "loa i18n init", "loa db migrate"):
        assert topic in contributing, topic
    assert re.search(r"^## ", (PROJECT_ROOT / "CHANGELOG.md").read_text(), re.M)


def test_ci_runs_lint_then_tests():
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "make lint" in ci and "make test" in ci and ci.index("make lint") < ci.index("make test")
