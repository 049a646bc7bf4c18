"""Where tests keep their data: SQLite files by default; PostgreSQL when
LOA_TEST_DATABASE_URL is set (`make test` runs the whole suite both ways).

On PostgreSQL, ordinary tests share one database that is emptied (TRUNCATE) before each
test; tests that need a database of their own (migrations, live servers) get a fresh one,
dropped at the end of the session."""

from __future__ import annotations

import atexit
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from server.config import env

BASE_URL = env("LOA_TEST_DATABASE_URL") or None
ENGINE = "postgresql" if BASE_URL else "sqlite"
_created: list[str] = []
_schema_ready = False


def _admin_engine():
    assert BASE_URL is not None, "only for runs against PostgreSQL (LOA_TEST_DATABASE_URL)"
    return create_engine(make_url(BASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


def shared_url(tmp_path) -> str:
    return BASE_URL if BASE_URL else f"sqlite:///{tmp_path / 'test.sqlite3'}"


def fresh_url(tmp_path, name: str = "loa.sqlite3") -> str:
    """An empty database nobody else uses."""
    if not BASE_URL:
        return f"sqlite:///{tmp_path / name}"
    database = f"loa_t_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    engine.dispose()
    _created.append(database)
    return make_url(BASE_URL).set(database=database).render_as_string(hide_password=False)


def reset_shared(db) -> None:
    """Empty the shared PostgreSQL database (tables made once from the models)."""
    global _schema_ready
    if not _schema_ready:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        _schema_ready = True
        return
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def query(url: str, sql: str, params: dict | None = None) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params or {})]
    finally:
        engine.dispose()


@atexit.register
def _drop_created() -> None:
    if not _created:
        return
    engine = _admin_engine()
    with engine.connect() as conn:
        for database in _created:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    engine.dispose()
