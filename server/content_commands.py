"""`loa content import|export|publish|releases|changes|rollback`: the content in the database,
round-tripped with the Markdown/YAML folder that git, bulk edits and the seed content use."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from .cli import content_group
from .config import env


def _who() -> str:
    return f"cli:{getpass.getuser()}"


def _fail_invalid(exc) -> None:
    for error in exc.errors:
        click.echo(f"error: {error}", err=True)
    raise click.ClickException(f"{len(exc.errors)} problem(s): nothing was changed")


@content_group.command("import")
@click.argument(
    "folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path), default=None
)
@click.option("--note", default="", help="what this import brings (shown in the history)")
def content_import(folder: Path | None, note: str):
    """Make FOLDER (default LOA_CONTENT_DIR) the draft and publish it, after checking it."""
    from .content import ContentInvalid
    from .content import releases as rel
    from .content.tree import Tree
    from .extensions import db

    folder = folder or Path(env("LOA_CONTENT_DIR"))
    try:
        made = rel.run(db.engine, lambda conn: rel.import_tree(conn, Tree.from_dir(folder), _who(), note))
    except ContentInvalid as exc:
        _fail_invalid(exc)
        return
    if made is None:
        click.echo(f"{folder}: already published, nothing to do")
    else:
        click.echo(f"{folder}: published as release {made.number} (content version {made.version})")


@content_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--release", "number", type=int, help="this release (default: the newest)")
@click.option("--draft", is_flag=True, help="the draft the studio edits, published or not")
@click.option("--replace", is_flag=True, help="overwrite a content folder, removing files not in the export")
def content_export(folder: Path, number: int | None, draft: bool, replace: bool):
    """Write the published content (or a release, or the draft) into FOLDER, byte for byte."""
    from .content import releases as rel
    from .extensions import db

    with db.engine.connect() as conn:
        if draft:
            tree, what = rel.draft_tree(conn), "the draft"
        else:
            found = rel.release(conn, number) if number else rel.head(conn)
            if found is None:
                raise click.ClickException(f"no release {number}" if number else "nothing published yet")
            tree, what = rel.tree_of(conn, found.manifest), f"release {found.number}"
    try:
        rel.export_dir(tree, folder, replace)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{what}: {len(tree.files)} files written to {folder} (content version {tree.version()})")


@content_group.command("publish")
@click.option("--note", required=True, help="what changed, for the history")
def content_publish(note: str):
    """Publish the draft as the next release (checked first, like `loa content check`)."""
    from .content import ContentInvalid
    from .content import releases as rel
    from .extensions import db

    try:
        made = rel.run(db.engine, lambda conn: rel.publish(conn, _who(), note))
    except ContentInvalid as exc:
        _fail_invalid(exc)
        return
    except rel.NothingToPublish:
        click.echo("the draft holds what is published already: nothing to do")
        return
    click.echo(f"published release {made.number} (content version {made.version})")


@content_group.command("releases")
@click.option("--limit", default=20, show_default=True, help="how many, newest first")
def content_releases(limit: int):
    """The history of releases, newest first: number, when, who, kind and note."""
    from .content import releases as rel
    from .extensions import db

    with db.engine.connect() as conn:
        for r in rel.history(conn, limit):
            click.echo(
                f"{r.number:>5}  {r.created_at:%Y-%m-%d %H:%M}  {r.created_by:<16}  {r.kind:<8}  {r.note}"
            )


@content_group.command("changes")
@click.argument("number", type=int, required=False)
def content_changes(number: int | None):
    """What release NUMBER changed, as a diff; without NUMBER, what publishing the draft would."""
    from .content import releases as rel
    from .extensions import db

    with db.engine.connect() as conn:
        current = rel.head(conn)
        if number is None:
            old, new = (current.manifest if current else {}), rel.draft_manifest(conn)
        else:
            found, before = rel.release(conn, number), rel.release(conn, number - 1)
            if found is None:
                raise click.ClickException(f"no release {number}")
            old, new = (before.manifest if before else {}), found.manifest
        changed = rel.changes(conn, old, new)
    for change in changed:
        click.echo(f"{change.change}: {change.path}")
        if change.diff:
            click.echo(change.diff)
    click.echo(f"{len(changed)} file(s) changed")


@content_group.command("rollback")
@click.argument("number", type=int)
@click.option("--note", default="", help="why (shown in the history)")
def content_rollback(number: int, note: str):
    """Publish release NUMBER's content again, as the next release."""
    from .content import releases as rel
    from .extensions import db

    try:
        made = rel.run(db.engine, lambda conn: rel.rollback(conn, number, _who(), note))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    except rel.NothingToPublish:
        click.echo(f"release {number} is what is published already: nothing to do")
        return
    click.echo(f"published release {made.number}: the content of release {number}")
