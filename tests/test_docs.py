"""The README is the manual: every command and every setting must be in it."""

import click

from server.cli import cli
from server.config import PROJECT_ROOT, SETTINGS

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
BUILT_IN = {"routes", "shell"}  # Flask's own developer commands


def command_paths(group, prefix=()):
    for name, command in group.commands.items():
        if not prefix and name in BUILT_IN:
            continue
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, path)
        else:
            yield " ".join(path)


def test_readme_starts_with_the_two_commands():
    head = README[:1500]
    assert "make run" in head and "make test" in head


def test_every_setting_is_documented():
    missing = [name for name in SETTINGS if f"`{name}`" not in README]
    assert not missing, f"settings missing from README: {missing}"


def test_every_command_is_documented():
    missing = []
    for path in command_paths(cli):
        words = path.split()
        documented = f"loa {path}" in README or (
            len(words) > 1 and f"`{words[-1]}`" in README and f"loa {words[0]}" in README
        )
        if not documented:
            missing.append(path)
    assert not missing, f"commands missing from README: {missing}"


def test_ci_calls_make_test():
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text()
