"""`loa backup` and `loa restore`: a round trip gives back every table, row for row."""

import pytest
from sqlalchemy import inspect, text

from server.cli import cli
from server.extensions import db
from tests.conftest import make_app


def snapshot(app) -> dict:
    with app.app_context(), db.engine.connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
        return {t: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{t}"'))), key=repr) for t in tables}


@pytest.fixture
def loaded(tmp_path):
    app = make_app(tmp_path, create_tables=False)
    runner = app.test_cli_runner()
    assert runner.invoke(cli, ["init-db"]).exit_code == 0
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    return app, runner


def test_round_trip_gives_back_every_table(loaded, tmp_path):
    app, runner = loaded
    before = snapshot(app)
    assert len(before["attendance"]) > 10 and len(before["users"]) == 2
    out = tmp_path / "backup.bin"
    result = runner.invoke(cli, ["backup", "--out", str(out)])
    assert result.exit_code == 0 and out.stat().st_size > 0, result.output
    with app.app_context():  # lose data after the backup
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM attendance"))
            conn.execute(text("UPDATE users SET display_name = 'changed'"))
        db.engine.dispose()
    assert snapshot(app) != before
    result = runner.invoke(cli, ["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()
    assert snapshot(app) == before


def test_restore_refuses_a_file_that_is_not_a_backup(loaded, tmp_path):
    app, runner = loaded
    before = snapshot(app)
    bogus = tmp_path / "not-a-backup.sqlite3"
    bogus.write_bytes(b"hello")
    result = runner.invoke(cli, ["restore", str(bogus), "--yes"])
    assert result.exit_code == 1 and "not a" in result.output
    assert snapshot(app) == before
