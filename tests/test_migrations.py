"""Migrations: an old database with data upgrades to the latest and keeps its data; the
models and the migrations agree; a wrong, missing or newer database is refused clearly."""

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import text

from server import reports
from server.database import MIGRATIONS, DatabaseProblem, inspect_database, prepare_for_serving
from server.extensions import db
from tests import databases
from tests.conftest import make_app


def test_models_and_migrations_agree(tmp_path):
    app = make_app(tmp_path, create_tables=False)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        with db.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diffs == [], f"models differ from the migrations: {diffs}"


def test_upgrade_from_the_first_migration_keeps_the_data(tmp_path):
    app = make_app(tmp_path, create_tables=False)
    now = dt.datetime(2027, 3, 15, 1, 0)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0001")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, username, display_name, password_hash, role, province_code, "
                    "active, created_at) VALUES (1, 'mai', 'Mai', 'x', 'staff', 12, :t, :n)"
                ),
                {"t": True, "n": now},
            )
            conn.execute(
                text(
                    "INSERT INTO sessions (id, commune_code, province_code, topic_ids, starts_at, place, "
                    "facilitator, created_at, received_at) VALUES ('s1', 3637, 12, '[\"complaints\"]', :n, "
                    "'Bản Nà', 'Mai', :n, :n)"
                ),
                {"n": now},
            )
            for i, count in enumerate((46, 12)):
                conn.execute(
                    text(
                        "INSERT INTO attendance (id, session_id, count, women, ethnic_minority, commune_code, "
                        "province_code, session_starts_at, created_at, received_at) VALUES "
                        "(:id, 's1', :c, 1, 1, 3637, 12, :n, :n, :n)"
                    ),
                    {"id": f"a{i}", "c": count, "n": now},
                )
        assert inspect_database(app.config["SQLALCHEMY_DATABASE_URI"]).revision == "0001"
        message = prepare_for_serving(app.config["SQLALCHEMY_DATABASE_URI"])
        assert "upgraded from 0001 to" in message
        state = inspect_database(app.config["SQLALCHEMY_DATABASE_URI"])
        assert state.up_to_date
        figures = reports.totals(reports.ReportFilter(province=12))
        assert (figures["sessions"], figures["attendees"]) == (1, 58)
        assert db.session.execute(text("SELECT display_name FROM users")).scalar() == "Mai"
        assert "up to date" in prepare_for_serving(app.config["SQLALCHEMY_DATABASE_URI"])


def test_a_database_from_a_newer_loa_is_refused(tmp_path):
    app = make_app(tmp_path, create_tables=False)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        db.engine.dispose()
    with pytest.raises(DatabaseProblem, match=r"'9999_future'.*newer Loa"):
        inspect_database(url)
    from server.cli import cli

    result = app.test_cli_runner().invoke(cli, ["init-db"])
    assert result.exit_code != 0 and "newer Loa" in result.output


def test_an_empty_database_is_not_served(tmp_path):
    app = make_app(tmp_path, create_tables=False)
    with app.app_context(), pytest.raises(DatabaseProblem, match="run `loa init-db`"):
        prepare_for_serving(app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.mark.skipif(databases.ENGINE != "sqlite", reason="about SQLite files")
def test_a_mistyped_sqlite_path_creates_no_second_database(tmp_path):
    wrong = tmp_path / "typo" / "loa.sqlite3"
    with pytest.raises(DatabaseProblem, match=f"no database file at {wrong}"):
        prepare_for_serving(f"sqlite:///{wrong}")
    assert not wrong.exists() and not wrong.parent.exists()


def test_unreachable_and_wrong_urls(tmp_path):
    with pytest.raises(
        DatabaseProblem,
        match=r"cannot connect to the database postgresql\+psycopg://loa:\*\*\*@127\.0\.0\.1:1/",
    ):
        inspect_database("postgresql+psycopg://loa:secret@127.0.0.1:1/loa")
    with pytest.raises(DatabaseProblem, match="not a database URL"):
        inspect_database("just words")
    with pytest.raises(DatabaseProblem, match="'mysql' is not supported"):
        inspect_database("mysql+pymysql://x@y/z")


def test_loa_serve_refuses_with_a_message(tmp_path):
    import subprocess
    import sys

    loa = str(Path(sys.executable).parent / "loa")
    env = {
        "LOA_INSTANCE_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "LOA_DATABASE_URL": "postgresql+psycopg://loa:secret@127.0.0.1:1/loa",
    }
    result = subprocess.run(
        [loa, "serve", "--port", "1"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    assert "cannot connect to the database" in result.stderr and "secret" not in result.stderr


def test_upgrade_repairs_lines_that_missed_their_session(tmp_path):
    """Rows left without a commune by the race fixed in 0003 are counted after the upgrade;
    attendance from someone who may not record in the session's commune stays uncounted."""
    app = make_app(tmp_path, create_tables=False)
    now = dt.datetime(2027, 3, 15, 1, 0)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0002")
        with db.engine.begin() as conn:
            for uid, name, commune in ((1, "mai", 3637), (2, "tuan", 3640)):
                conn.execute(
                    text(
                        "INSERT INTO users (id, username, display_name, password_hash, role, province_code, "
                        "active, created_at) VALUES (:id, :u, :u, 'x', 'staff', 12, :t, :n)"
                    ),
                    {"id": uid, "u": name, "t": True, "n": now},
                )
                conn.execute(text("INSERT INTO user_communes VALUES (:id, :c)"), {"id": uid, "c": commune})
            conn.execute(
                text(
                    "INSERT INTO sessions (id, commune_code, province_code, topic_ids, starts_at, place, "
                    "facilitator, created_at, received_at, user_id) VALUES ('s1', 3637, 12, "
                    "'[\"complaints\"]', :n, 'Bản Nà', 'Mai', :n, :n, 1)"
                ),
                {"n": now},
            )
            rows = (("a-mai", 46, 1), ("a-tuan", 500, 2), ("a-nobody-session", 9, 1))
            for rid, count, user in rows:
                session = "s-missing" if rid == "a-nobody-session" else "s1"
                conn.execute(
                    text(
                        "INSERT INTO attendance (id, session_id, count, women, ethnic_minority, created_at, "
                        "received_at) VALUES (:id, :s, :c, 1, 1, :n, :n)"
                    ),
                    {"id": rid, "s": session, "c": count, "n": now},
                )
                conn.execute(
                    text(
                        "INSERT INTO sync_records (id, type, fingerprint, user_id, created_at, received_at) "
                        "VALUES (:id, 'attendance', 'f', :u, :n, :n)"
                    ),
                    {"id": rid, "u": user, "n": now},
                )
            conn.execute(
                text(
                    "INSERT INTO quiz_responses (id, quiz_id, lang, answers, correct, total, session_id, "
                    "phase, created_at, received_at) VALUES ('q1', 'complaints', 'vi', '{}', 3, 6, 's1', "
                    "'pre', :n, :n)"
                ),
                {"n": now},
            )
        upgrade(directory=str(MIGRATIONS))
        stored = db.session.execute(text("SELECT id, commune_code FROM attendance"))
        attendance = {row.id: row.commune_code for row in stored}
        assert attendance == {"a-mai": 3637, "a-tuan": None, "a-nobody-session": None}
        assert db.session.execute(text("SELECT commune_code FROM quiz_responses")).scalar() == 3637
        figures = reports.totals(reports.ReportFilter(province=12))
        assert (figures["sessions"], figures["attendees"]) == (1, 46)
