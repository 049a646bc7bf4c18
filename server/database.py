"""The database Loa runs on: checked before serving, upgraded from any earlier version,
never created by accident.

`loa serve` refuses to start, with a message that names the problem, when the URL is wrong,
the database is unreachable, it has no Loa tables (a mistyped path would otherwise give a
second, empty database beside the real one) or it was made by a newer Loa. An older
database is upgraded with the migrations first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from .config import PROJECT_ROOT

MIGRATIONS = PROJECT_ROOT / "migrations"


class DatabaseProblem(RuntimeError):
    """The database cannot be used as it is; the message says why and what to do."""


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unreadable URL>"


def check_url(url: str) -> None:
    """A URL SQLAlchemy can use, with its driver installed; DatabaseProblem otherwise."""
    try:
        parsed = make_url(url)
        parsed.get_dialect()
    except NoSuchModuleError:  # (a kind of ArgumentError: test it first)
        raise DatabaseProblem(
            f"LOA_DATABASE_URL uses '{parsed.drivername}', which Loa cannot use; "
            "use postgresql+psycopg:// or sqlite:///"
        ) from None
    except ArgumentError as exc:
        raise DatabaseProblem(
            f"LOA_DATABASE_URL '{url[:80]}' is not a database URL ({exc}); expected e.g. "
            "postgresql+psycopg://loa:PASSWORD@localhost/loa or sqlite:////path/loa.sqlite3"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseProblem(
            f"LOA_DATABASE_URL: '{parsed.get_backend_name()}' is not supported; "
            "Loa runs on SQLite or PostgreSQL"
        )


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def script_directory() -> ScriptDirectory:
    from alembic.config import Config

    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    """The newest migration this version of Loa knows."""
    head = script_directory().get_current_head()
    if head is None:  # only when the migrations folder is missing its versions
        raise DatabaseProblem(f"no migrations under {MIGRATIONS}: this installation of Loa is incomplete")
    return head


@dataclass
class DatabaseState:
    url: str
    revision: str | None  # None: no Loa tables yet
    head: str
    has_tables: bool

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head


def inspect_database(url: str) -> DatabaseState:
    """Connect and read the migration revision; DatabaseProblem when that is not possible."""
    check_url(url)
    path = sqlite_path(url)
    head = head_revision()
    if path is not None and not path.exists():
        return DatabaseState(url, None, head, False)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
            tables = set(inspect(conn).get_table_names())
    except OperationalError as exc:
        first_line = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseProblem(f"cannot connect to the database {safe_url(url)}: {first_line}") from None
    except SQLAlchemyError as exc:
        raise DatabaseProblem(f"cannot read the database {safe_url(url)}: {exc}") from None
    finally:
        engine.dispose()
    if revision is not None:
        try:
            script_directory().get_revision(revision)
        except CommandError:
            raise DatabaseProblem(
                f"the database {safe_url(url)} is at migration '{revision}', which this version of Loa does "
                f"not know (its newest is '{head}'): it was made by a newer Loa. Install that version, or "
                "restore a backup made by this one."
            ) from None
    return DatabaseState(url, revision, head, bool(tables - {"alembic_version"}))


def prepare_for_serving(url: str) -> str:
    """Check the database and upgrade it if it is older; returns what was done. Never creates
    a database: that is `loa init-db`'s job."""
    state = inspect_database(url)
    if state.revision is None:
        path = sqlite_path(url)
        where = (
            f"no database file at {path}"
            if path is not None and not path.exists()
            else f"the database {safe_url(url)} has no Loa tables"
        )
        raise DatabaseProblem(
            f"{where}. If this is a new installation, run `loa init-db` first; "
            "otherwise check LOA_DATABASE_URL and LOA_INSTANCE_DIR."
        )
    if state.up_to_date:
        return f"database {safe_url(url)} is up to date ({state.head})"
    upgrade(directory=str(MIGRATIONS))
    return f"database {safe_url(url)} upgraded from {state.revision} to {state.head}"


def upgrade_database() -> None:
    """Create the database tables, or bring them to the latest migration (`loa init-db`)."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    state = inspect_database(url)
    if state.revision is None and state.has_tables:
        raise DatabaseProblem(
            f"the database {safe_url(url)} has tables but no migration record; "
            "it was not made by `loa init-db`. Use an empty database."
        )
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    upgrade(directory=str(MIGRATIONS))
    current_app.logger.info("database ready at %s", safe_url(url))
