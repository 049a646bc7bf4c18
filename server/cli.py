"""The `loa` command: a Flask CLI group holding every Loa command.

`loa run` (development server) and `loa db ...` (migrations) come from Flask and
Flask-Migrate; the rest are here. Every command has --help.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup

from .config import env


def _create_app():
    from . import create_app
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def cli():
    """Loa: consumer-rights campaigns for places with no signal."""


# -- content --------------------------------------------------------------------------------

@cli.group("content")
def content_group():
    """Campaign content: check the files translators and organisers edit."""


@content_group.command("check", with_appcontext=False)
@click.option("--dir", "content_dir", type=click.Path(file_okay=False, path_type=Path),
              default=lambda: env("LOA_CONTENT_DIR"), show_default="LOA_CONTENT_DIR",
              help="content folder to check")
def content_check(content_dir: Path):
    """Validate every content file; print each problem with its file and field."""
    from .content import ContentInvalid, load_content
    try:
        content = load_content(content_dir)
    except ContentInvalid as exc:
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
        click.echo(f"{len(exc.errors)} problem(s); Loa will not start until they are fixed.", err=True)
        sys.exit(1)
    n_topics = sum(len(t) for t in content.topics.values())
    n_quizzes = sum(len(q) for q in content.quizzes.values())
    click.echo(f"ok: {len(content.languages)} languages, {n_topics} topic files, {n_quizzes} quiz files, "
               f"{len(content.events)} events; content version {content.version}")


# -- database -------------------------------------------------------------------------------

@cli.command("init-db")
def init_db():
    """Create or upgrade the database to the latest schema (same as `loa db upgrade`)."""
    from .database import upgrade_database
    upgrade_database()
    click.echo(f"database ready: {current_app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")


@cli.command("demo")
@click.option("--if-empty", is_flag=True, help="do nothing when the database already holds users")
def demo(if_empty: bool):
    """Load demo users, village sessions, quiz answers and leaflets (Lai Châu)."""
    from .demo import database_is_empty, load_demo
    if if_empty and not database_is_empty():
        click.echo("demo: database already has data, left alone")
        return
    for line in load_demo():
        click.echo(line)


# -- production server ----------------------------------------------------------------------

@cli.command("serve")
@click.option("--host", default=lambda: env("LOA_HOST"), show_default="LOA_HOST")
@click.option("--port", type=int, default=lambda: int(env("PORT")), show_default="PORT")
@click.option("--threads", type=int, default=lambda: int(env("LOA_WORKERS")), show_default="LOA_WORKERS")
def serve(host: str, port: int, threads: int):
    """Serve Loa with the production server (waitress)."""
    import waitress
    app = current_app._get_current_object()
    click.echo(f"Loa serving on http://{host}:{port} with {threads} threads")
    waitress.serve(app, host=host, port=port, threads=threads, ident="Loa",
                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"] * 4)


# -- translations ---------------------------------------------------------------------------

@cli.group("i18n")
def i18n_group():
    """Interface translations: the Babel catalogue workflow for translators."""


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface
    CommandLineInterface().run(["pybabel", "-q", *args])


def _translations_dir() -> Path:
    return Path(env("LOA_TRANSLATIONS_DIR"))


@i18n_group.command("extract", with_appcontext=False)
def i18n_extract():
    """Collect interface strings from code and templates into translations/messages.pot."""
    from .config import PROJECT_ROOT
    tdir = _translations_dir()
    _pybabel("extract", "-F", str(tdir / "babel.cfg"), "-k", "_l", "--no-location", "--sort-output",
             "--project", "Loa", "--copyright-holder", "Loa developers",
             "-o", str(tdir / "messages.pot"), str(PROJECT_ROOT))
    click.echo(f"wrote {tdir / 'messages.pot'}")


@i18n_group.command("update", with_appcontext=False)
def i18n_update():
    """Merge new strings from messages.pot into every language's messages.po."""
    tdir = _translations_dir()
    _pybabel("update", "-i", str(tdir / "messages.pot"), "-d", str(tdir), "--no-fuzzy-matching")
    click.echo("catalogues updated; translate the empty entries, then run `loa i18n compile`")


@i18n_group.command("init", with_appcontext=False)
@click.argument("lang")
def i18n_init(lang: str):
    """Start a catalogue for a new language LANG (then add it to content/languages.yaml)."""
    tdir = _translations_dir()
    _pybabel("init", "-i", str(tdir / "messages.pot"), "-d", str(tdir), "-l", lang)
    click.echo(f"created {tdir / lang / 'LC_MESSAGES' / 'messages.po'}")


@i18n_group.command("compile", with_appcontext=False)
def i18n_compile():
    """Check and compile every catalogue; wrong placeholders are reported with file and line."""
    from .catalogues import compile_catalogues
    problems = compile_catalogues(_translations_dir(), force=True)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        click.echo(f"{len(problems)} entr{'y' if len(problems) == 1 else 'ies'} left out of the compiled "
                   "catalogues: the original text is shown instead", err=True)
        sys.exit(1)
    click.echo("catalogues compiled")


from .leaflet_commands import leaflets  # noqa: E402

cli.add_command(leaflets)
