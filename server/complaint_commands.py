"""`loa complaints purge`: delete the contact and photos of cases resolved or closed longer ago
than LOA_COMPLAINT_RETENTION_DAYS (the complaints page does the same each time it opens)."""

from __future__ import annotations

import click
from flask import current_app

from .cli import cli


@cli.group("complaints")
def complaints_group():
    """Consumer complaints taken in the communes."""


@complaints_group.command("purge")
@click.option(
    "--days", type=int, default=None, help="Retention in days (default LOA_COMPLAINT_RETENTION_DAYS)."
)
def purge(days: int | None):
    """Delete the personal data of cases finished more than the retention period ago."""
    from .complaints import purge_personal_data

    retention = days if days is not None else current_app.config["COMPLAINT_RETENTION_DAYS"]
    if retention < 0:
        raise click.BadParameter("days must be 0 or more", param_hint="--days")
    count = purge_personal_data(retention)
    click.echo(f"{count} finished cases had their contact and photos deleted (retention {retention} days).")
