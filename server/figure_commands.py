"""`loa figures check` and `loa figures rebuild`: the daily figures against the records."""

from __future__ import annotations

import sys

import click

from .cli import cli


@cli.group("figures")
def figures_group():
    """The daily figures the reports read (kept by the database as records arrive)."""


@figures_group.command("check")
def check():
    """Compare the daily figures with the records; exit 1 and list the differences if any."""
    from .daily_figures import check_and_report

    problems = check_and_report()
    for line in problems[:200]:
        click.echo(line)
    if problems:
        click.echo(f"{len(problems)} figures differ from the records: run `loa figures rebuild`.")
        sys.exit(1)
    click.echo("The daily figures agree with the records.")


@figures_group.command("rebuild")
def rebuild():
    """Recompute the daily figures from the records (writers wait until it is done)."""
    from .daily_figures import rebuild_now

    rebuild_now()
    click.echo("The daily figures were recomputed from the records.")
