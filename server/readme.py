"""The README's generated parts: the settings table from `server/config.py` and the command
table from the `loa` click group. `python tools/readme.py` rewrites them in README.md and
`python tools/readme.py --check` (run by the tests) fails when the README has drifted."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask
from flask.cli import ScriptInfo

from .config import PROJECT_ROOT, SETTINGS

BLOCK = re.compile(r"(<!-- generated: (?P<name>[a-z]+) -->\n)(?P<body>.*?)(<!-- end generated -->)", re.S)


def command_paths(
    group: click.Group, create_app: Callable[[], Flask] | None = None
) -> list[tuple[list[str], click.Command]]:
    """Every command under `group` as ([name, sub-name, ...], command), sorted. With `create_app`,
    the app's own commands (Flask-Migrate's `loa db ...`) are included; without it only the
    commands defined in code, so no app (and no database) is needed. The click contexts are
    closed before returning, so the app context Flask pushes for them does not leak."""
    found: list[tuple[list[str], click.Command]] = []

    def names(g: click.Group, ctx: click.Context) -> list[str]:
        return g.list_commands(ctx) if create_app else click.Group.list_commands(g, ctx)

    def walk(g: click.Group, path: list[str], ctx: click.Context) -> None:
        for name in names(g, ctx):
            command = g.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            found.append(([*path, name], command))
            if isinstance(command, click.Group):
                with click.Context(command, info_name=name, parent=ctx) as sub:
                    walk(command, [*path, name], sub)

    info = ScriptInfo(create_app=create_app) if create_app else None
    with click.Context(group, info_name="loa", obj=info) as root:
        walk(group, [], root)
    return found


def _option_usage(option: click.Option, ctx: click.Context) -> str:
    name = max(option.opts, key=len)
    text = name if option.is_flag else f"{name} {option.make_metavar(ctx)}"
    if option.multiple:
        text += " ..."
    return text if option.required else f"[{text}]"


def _usage(path: list[str], command: click.Command) -> str:
    """`loa users create USERNAME --role ROLE [--province CODE] ...`: arguments, then options."""
    ctx = click.Context(command, info_name=path[-1])
    arguments = [p.make_metavar(ctx) for p in command.params if isinstance(p, click.Argument)]
    options = [
        _option_usage(p, ctx)
        for p in command.params
        if isinstance(p, click.Option) and not p.hidden and p.name != "help"
    ]
    return " ".join(["loa", *path, *arguments, *options])


def commands_table(group: click.Group) -> str:
    rows = ["| command | what |", "|---|---|"]
    for path, command in command_paths(group):
        if isinstance(command, click.Group):
            continue
        help_text = command.get_short_help_str(limit=200).replace("|", "\\|")
        usage = _usage(path, command).replace("|", "\\|")
        rows.append(f"| `{usage}` | {help_text} |")
    return "\n".join(rows) + "\n"


def _shown_default(default: str) -> str:
    root = str(PROJECT_ROOT) + "/"
    if default.startswith(root):
        return f"`{default[len(root) :]}/`"
    return f"`{default}`" if default else "(empty)"


def settings_table() -> str:
    rows = ["| variable | default | what |", "|---|---|---|"]
    for name, (default, description) in SETTINGS.items():
        what = description.replace("|", "\\|")
        rows.append(f"| `{name}` | {_shown_default(default)} | {what} |")
    return "\n".join(rows) + "\n"


def render(text: str, group: click.Group) -> str:
    """README text with every generated block written anew."""
    tables = {"settings": settings_table, "commands": lambda: commands_table(group)}

    def replace(match: re.Match) -> str:
        name = match.group("name")
        if name not in tables:
            raise ValueError(f"README.md: unknown generated block {name!r}")
        return match.group(1) + tables[name]() + match.group(4)

    return BLOCK.sub(replace, text)


def readme_path() -> Path:
    return PROJECT_ROOT / "README.md"
