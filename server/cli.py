"""The `loa` command: a Flask CLI group holding every Loa command.

`loa run` (development server) and `loa db ...` (migrations) come from Flask and
Flask-Migrate; the rest are here. Every command has --help.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup

from .config import env, public_url
from .models import ROLES
from .state import current_flask_app


def _create_app():
    """The app for a command; broken content or a wrong database URL is a clear error, not a traceback."""
    from . import create_app
    from .content import ContentInvalid
    from .database import DatabaseProblem

    try:
        return create_app()
    except (ContentInvalid, DatabaseProblem) as exc:
        raise click.ClickException(str(exc)) from None


def _content_dir_option(help: str | None = None):
    """The `--dir` option of the commands that read the content folder (default LOA_CONTENT_DIR)."""
    return click.option(
        "--dir",
        "content_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=lambda: env("LOA_CONTENT_DIR"),
        show_default="LOA_CONTENT_DIR",
        help=help,
    )


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def cli():
    """Loa: consumer-rights campaigns for places with no signal."""


# -- content --------------------------------------------------------------------------------


@cli.group("content")
def content_group():
    """Campaign content: check the files, import and export them, publish, roll back."""


@content_group.command("check", with_appcontext=False)
@_content_dir_option(help="content folder to check")
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
    from .content.fairness import warnings

    for warning in warnings(content):
        click.echo(f"warning: {warning}", err=True)
    n_topics = sum(len(t) for t in content.topics.values())
    n_quizzes = sum(len(q) for q in content.quizzes.values())
    click.echo(
        f"ok: {len(content.languages)} languages, {n_topics} topic files, {n_quizzes} quiz files, "
        f"{len(content.events)} events; content version {content.version}"
    )


# -- database -------------------------------------------------------------------------------


@cli.command("init-db")
def init_db():
    """Create or upgrade the database to the latest schema (same as `loa db upgrade`); an empty
    database gets the content folder (LOA_CONTENT_DIR) as its first release."""
    from .database import DatabaseProblem, safe_url, upgrade_database

    try:
        upgrade_database()
    except DatabaseProblem as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"database ready: {safe_url(current_app.config['SQLALCHEMY_DATABASE_URI'])}")
    from .state import state

    store = state().content_store
    store.current(force=True)  # an empty database gets the content folder as release 1
    if store.release:
        click.echo(f"content: release {store.release[0]} published (content version {store.release[1]})")


@cli.command("demo")
@click.option("--if-empty", is_flag=True, help="do nothing when the database already holds users")
def demo(if_empty: bool):
    """Load demo users, village sessions, quiz answers and leaflets (Lai Châu)."""
    from .demo import credentials_path, database_is_empty, load_demo, shown_path

    if if_empty and not database_is_empty():
        kept = credentials_path()
        where = f"; demo accounts: see {shown_path(kept)}" if kept.exists() else ""
        click.echo(f"demo: database already has data, left alone{where}")
        return
    for line in load_demo():
        click.echo(line)


# -- production server ----------------------------------------------------------------------


# Files a server needs besides its connections: the database, logs, content, waitress's own.
FILES_BESIDES_CONNECTIONS = 256


def _listen_problem(exc: OSError, host: str, port: int) -> str:
    """One line for an operator whose `loa serve` could not listen."""
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use; stop the other server or choose another "
            "with --port or PORT"
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (
            f"no permission to listen on port {port} on {host} (ports below 1024 need root): choose "
            "a port from 1024 up with --port or PORT and let nginx listen on 80 and 443"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return (
            f"{host} is not an address of this machine, so Loa cannot listen on it; choose one with "
            "--host or LOA_HOST (127.0.0.1 behind nginx)"
        )
    return f"cannot listen on port {port} on {host}: {exc.strerror or exc}"


def _connections_that_fit(connections: int) -> int:
    """Raise the open-files limit so `connections` fit (each holds a file descriptor); how many
    fit once it is raised as far as the system allows."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = connections + FILES_BESIDES_CONNECTIONS
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return connections
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    except (ValueError, OSError):
        pass
    return connections if soft >= needed else max(soft // 2, soft - FILES_BESIDES_CONNECTIONS)


@cli.command("serve")
@click.option("--host", default=lambda: env("LOA_HOST"), show_default="LOA_HOST")
@click.option("--port", type=int, default=lambda: int(env("PORT")), show_default="PORT")
@click.option("--threads", type=int, default=lambda: int(env("LOA_WORKERS")), show_default="LOA_WORKERS")
@click.option(
    "--channel-timeout",
    type=click.IntRange(min=1),
    default=lambda: int(env("LOA_CHANNEL_TIMEOUT")),
    show_default="LOA_CHANNEL_TIMEOUT",
    help="seconds an idle or half-sent connection is kept open",
)
@click.option(
    "--connection-limit",
    type=click.IntRange(min=1),
    default=lambda: int(env("LOA_CONNECTION_LIMIT")),
    show_default="LOA_CONNECTION_LIMIT",
    help="most connections held at once",
)
def serve(host: str, port: int, threads: int, channel_timeout: int, connection_limit: int):
    """Serve Loa with the production server (waitress). Checks the database first and upgrades
    it from an earlier version; refuses to start when it is missing, unreachable or newer.

    Connections that send nothing (or half a request) for --channel-timeout seconds are closed,
    and at most --connection-limit are held at once, so idle or slow clients cannot take the
    server away from everyone else. Put it behind nginx, which also buffers slow clients."""
    import logging

    from waitress.server import create_server

    from .database import DatabaseProblem, prepare_for_serving

    app = current_flask_app()
    app.debug = False
    try:
        click.echo(prepare_for_serving(app.config["SQLALCHEMY_DATABASE_URI"]), err=True)
    except DatabaseProblem as exc:
        raise click.ClickException(str(exc)) from None
    fitting = _connections_that_fit(connection_limit)
    if fitting < connection_limit:
        click.echo(
            f"Warning: the open-files limit (ulimit -n) allows {fitting} connections, not "
            f"{connection_limit}; raise it (LimitNOFILE= in the systemd unit) to hold more",
            err=True,
        )
    logging.basicConfig()  # as waitress.serve does; idempotent when logging is set up already
    try:
        server = create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="Loa",
            channel_timeout=channel_timeout,
            # idle connections are looked for this often, so one lives at most 1.5 x the timeout
            cleanup_interval=max(1, min(10, channel_timeout // 2)),
            connection_limit=fitting,
            # sync batches (gzip undone later) and the studio's picture uploads
            max_request_body_size=max(
                app.config["MAX_CONTENT_LENGTH"] * 4,
                app.config["PICTURE_MAX_BYTES"] + 2**20,
                app.config["AUDIO_MAX_BYTES"] + 2**20,
            ),
            trusted_proxy="127.0.0.1" if app.config["BEHIND_PROXY"] else None,
            clear_untrusted_proxy_headers=not app.config["BEHIND_PROXY"],
            expose_tracebacks=False,
        )
    except OSError as exc:
        raise click.ClickException(_listen_problem(exc, host, port)) from None
    except ValueError as exc:  # waitress: a host name that does not resolve
        raise click.ClickException(f"cannot listen on port {port} on {host}: {exc}") from None
    click.echo(
        f"Loa serving on http://{host}:{port} with {threads} threads, at most {fitting} connections, "
        f"idle ones closed after {channel_timeout} s",
        err=True,
    )
    # Without LOA_PUBLIC_URL, QR codes and these addresses follow the --host and --port given.
    public = app.config["PUBLIC_URL"] = public_url(host, port)
    click.echo(
        f"open: residents {public}/  staff {public}/{app.config['DEFAULT_LANG']}/staff/  "
        f"organisers {public}/organiser/",
        err=True,
    )
    server.run()


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
    _pybabel(
        "extract",
        "-F",
        str(tdir / "babel.cfg"),
        "-k",
        "_l",
        "-k",
        "N_",
        "--no-location",
        "--sort-output",
        "--project",
        "Loa",
        "--copyright-holder",
        "Loa developers",
        "-o",
        str(tdir / "messages.pot"),
        str(PROJECT_ROOT),
    )
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
        click.echo(
            f"{len(problems)} entr{'y' if len(problems) == 1 else 'ies'} left out of the compiled "
            "catalogues: the original text is shown instead",
            err=True,
        )
        sys.exit(1)
    click.echo("catalogues compiled")


@i18n_group.command("coverage", with_appcontext=False)
@_content_dir_option()
def i18n_coverage(content_dir: Path):
    """Per language: interface strings translated, content files and their review status,
    translated fields by state (missing, draft, stale, reviewed), what falls back to Vietnamese.
    Exits 1 when a catalogue is broken."""
    from .content import ContentInvalid, load_content
    from .content.tree import Tree
    from .coverage import coverage, format_table

    try:
        content = load_content(content_dir)
    except ContentInvalid as exc:
        raise click.ClickException(str(exc)) from None
    rows = coverage(content, _translations_dir(), Tree.from_dir(content_dir))
    click.echo(format_table(rows))
    if any(row.problems for row in rows):
        sys.exit(1)


# -- accounts and devices -------------------------------------------------------------------


@cli.group("users")
def users_group():
    """Organiser and staff accounts."""


@users_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--province", "province_code", type=int, help="official province code (staff)")
@click.option(
    "--commune",
    "commune_codes",
    type=int,
    multiple=True,
    help="official commune code the staff member works in; repeat for several (default: all of the province)",
)
@click.option("--name", "display_name", default="", help="name shown on screens")
@click.password_option(help="the password (asked twice when not given)")
def users_create(username, role, province_code, commune_codes, display_name, password):
    """Create an account USERNAME."""
    from .accounts import AccountError, create_user

    try:
        user = create_user(
            username,
            password,
            role,
            display_name=display_name,
            province_code=province_code,
            commune_codes=list(commune_codes),
        )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created {user.role} '{user.username}' with {len(user.communes)} communes")


@users_group.command("list")
def users_list():
    """List accounts with their role and communes."""
    from .extensions import db
    from .models import User

    for user in db.session.execute(db.select(User).order_by(User.username)).scalars():
        state = "" if user.active else " (disabled)"
        click.echo(
            f"{user.username:<20} {user.role:<10} province {user.province_code or '-':<4} "
            f"{len(user.communes):4d} communes{state}"
        )


@users_group.command("roles")
@click.argument("username")
@click.option("--editor/--no-editor", default=None, help="writes and publishes topics of its province")
@click.option("--translator", "translator", multiple=True, metavar="LANG", help="translates LANG; repeat")
@click.option(
    "--reviewer", "reviewer", multiple=True, metavar="LANG", help="reviews LANG translations; repeat"
)
def users_roles(username, editor, translator, reviewer):
    """Show USERNAME's content roles, or change them: --editor/--no-editor; --translator and
    --reviewer give the exact languages (both lists, when either is given). Unmentioned roles stay."""
    from . import content_roles
    from .extensions import db
    from .models import EDITOR, REVIEWER, TRANSLATOR
    from .state import state

    user = _account(username)
    if editor is not None or translator or reviewer:
        languages = state().content_store.current().languages
        unknown = sorted((set(translator) | set(reviewer)) - set(languages))
        if unknown:
            raise click.ClickException(
                f"unknown language {', '.join(unknown)}; known: {', '.join(languages)}"
            )
        had = content_roles.roles_of(user)
        if editor is None:  # only languages given: the editor role stays as it was
            editor = (EDITOR, "") in had
        if not translator and not reviewer:  # only --editor/--no-editor: the languages stay
            translator = [lang for role, lang in had if role == TRANSLATOR]
            reviewer = [lang for role, lang in had if role == REVIEWER]
        content_roles.set_roles(user, editor, translator, reviewer, "cli")
        db.session.commit()
    click.echo(f"{user.username}: {content_roles.describe(content_roles.roles_of(user))}")


def _account(username: str):
    from .accounts import AccountError, get

    try:
        return get(username)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None


@users_group.command("disable")
@click.argument("username")
def users_disable(username):
    """Disable USERNAME: no more logins; its sessions end and its phones' tokens are revoked
    (unsent records stay on the phones)."""
    from .accounts import disable

    user = _account(username)
    disable(user)
    click.echo(f"disabled '{user.username}': its logins and device tokens are ended")


@users_group.command("enable")
@click.argument("username")
def users_enable(username):
    """Let a disabled USERNAME log in again (with its password; its phones log in afresh)."""
    from .accounts import enable

    user = _account(username)
    enable(user)
    click.echo(f"enabled '{user.username}'")


@users_group.command("set-password")
@click.argument("username")
@click.password_option(help="the new password (asked twice when not given)")
@click.option("--must-change", is_flag=True, help="make the user choose another one at the next login")
def users_set_password(username, password, must_change):
    """Give USERNAME a new password: its sessions end and its phones must log in again."""
    from .accounts import AccountError, set_password
    from .extensions import db

    user = _account(username)
    try:
        set_password(user, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    if must_change:
        user.must_change_password = True
        db.session.commit()
    click.echo(f"new password for '{user.username}'; its logins and device tokens are ended")


@users_group.command("reset-password")
@click.argument("username")
def users_reset_password(username):
    """Print a one-time password for USERNAME, who must choose a new one at the next login."""
    from .accounts import reset_password

    user = _account(username)
    click.echo(reset_password(user))


@cli.group("contacts")
def contacts_group():
    """Province contact cards: the numbers residents call besides the national hotline."""


@contacts_group.command("set")
@click.argument("province", type=int)
@click.option("--doit", default="", help="Department of Industry and Trade (empty: none)")
@click.option("--market", default="", help="Market Surveillance team (empty: none)")
@click.option("--association", default="", help="consumer protection association (empty: none)")
def contacts_set(province, doit, market, association):
    """Set PROVINCE's card (an official province code, e.g. 12); a number left out is removed."""
    from . import communes, contacts

    if communes.province(province) is None:
        raise click.ClickException(f"'{province}' is not an official province code")
    try:
        contacts.save(
            province, {"doit": doit, "market": market, "association": association}, by="command line"
        )
    except contacts.ContactProblem as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"saved the contacts of {communes.province_name(province)} ({province})")


@contacts_group.command("list")
def contacts_list():
    """List every province card with at least one number."""
    from . import contacts

    for card in contacts.all_cards():
        numbers = "  ".join(f"{office}: {number}" for office, number in card.phones.items())
        click.echo(f"{card.province_code:4d} {card.province_name:<24} {numbers}")


@cli.group("devices")
def devices_group():
    """Device tokens that phones and scripts use to send records."""


@devices_group.command("enroll")
@click.option("--user", "username", required=True, help="the account the token acts for")
@click.option("--label", default="script", help="a name to recognise the device by")
def devices_enroll(username, label):
    """Print a new device token for USER (shown once; only its hash is stored)."""
    from .devices import issue_token

    user = _account(username)
    token, _ = issue_token(user, None, label)
    click.echo(token)


@devices_group.command("list")
def devices_list():
    """List device tokens with their last sync."""
    from .devices import list_devices

    for row in list_devices():
        state = "revoked" if row.revoked_at else "active"
        last = row.last_sync_at.isoformat(timespec="minutes") if row.last_sync_at else "never"
        click.echo(
            f"{row.id:6d} {row.user.username if row.user else '-':<20} {row.label:<20} last sync {last} {state}"
        )


@devices_group.command("revoke")
@click.argument("token_id", type=int)
def devices_revoke(token_id):
    """Revoke device token TOKEN_ID: the phone must log in again (its records stay on it)."""
    from .devices import revoke

    if not revoke(token_id):
        raise click.ClickException(f"no active token {token_id}")
    click.echo(f"revoked {token_id}")


# -- sync -----------------------------------------------------------------------------------


@cli.group("sync")
def sync_group():
    """Records made offline on phones."""


@sync_group.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--user", "username", required=True, help="the account the records are imported for")
def sync_import(files, username):
    """Import FILES exported from phones ("Export unsent records"), through the same idempotent
    path as POST /api/v1/sync: importing a file twice counts nothing twice."""
    from .sync_import import import_file

    exit_code = 0
    for path in files:
        try:
            summary = import_file(path, username)
        except ValueError as exc:
            click.echo(f"error: {path}: {exc}", err=True)
            exit_code = 1
            continue
        click.echo(f"{path}: {summary}")
        if summary.problems:
            exit_code = 1
    sys.exit(exit_code)


from .leaflets.commands import leaflets  # noqa: E402

cli.add_command(leaflets)


# -- backups --------------------------------------------------------------------------------


@cli.command("backup")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="file to write  [default: <instance>/backups/loa-<time>.sqlite3 or .pgdump]",
)
def backup_command(out):
    """Back up the whole database (SQLite online backup, or pg_dump); safe while Loa serves."""
    import time

    from .backups import BackupError, backup, default_path

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    target = out or default_path(Path(current_app.config["INSTANCE_DIR"]), url)
    started = time.perf_counter()
    try:
        written = backup(url, target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"backup written to {written} ({written.stat().st_size:,} bytes in {time.perf_counter() - started:.1f} s)"
    )


@cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def restore_command(file, yes):
    """Replace the database's contents with FILE (made by `loa backup`). Stop the server first."""
    from .backups import BackupError, restore
    from .database import safe_url

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not yes:
        click.confirm(f"Replace everything in {safe_url(url)} with {file}?", abort=True)
    try:
        click.echo(restore(url, file))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None


# registers `loa audio ...`, `loa broadcast ...`, `loa complaints ...`, `loa content import|export|...`
# and `loa figures check|rebuild`
from . import audio_commands, complaint_commands, content_commands, figure_commands  # noqa: E402, F401
