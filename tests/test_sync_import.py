"""`loa sync import`: a phone's export file goes through the same idempotent path."""

import json

from server.cli import cli
from tests.conftest import attendance_record, create_account, rid, session_record


def export_file(tmp_path, records):
    path = tmp_path / "loa-unsent.json"
    path.write_text(
        json.dumps({"format": "loa-outbox", "version": 1, "device_id": rid(), "records": records})
    )
    return path


def test_import_twice_counts_once(app, runner, tmp_path):
    create_account(app, "mai")
    s = session_record()
    path = export_file(tmp_path, [s, attendance_record(s["id"])])
    first = runner.invoke(cli, ["sync", "import", str(path), "--user", "mai"])
    assert first.exit_code == 0 and "2 stored, 0 already there" in first.output
    second = runner.invoke(cli, ["sync", "import", str(path), "--user", "mai"])
    assert "0 stored, 2 already there" in second.output


def test_import_reports_records_that_need_attention(app, runner, tmp_path):
    create_account(app, "mai")
    bad = attendance_record(rid(), count=5, women=9)
    result = runner.invoke(cli, ["sync", "import", str(export_file(tmp_path, [bad])), "--user", "mai"])
    assert result.exit_code == 1 and "women must be from 0 to 5" in result.output


def test_import_of_a_broken_file(app, runner, tmp_path):
    create_account(app, "mai")
    path = tmp_path / "x.json"
    path.write_text("{not json")
    result = runner.invoke(cli, ["sync", "import", str(path), "--user", "mai"])
    assert result.exit_code == 1 and "not a Loa export" in result.output
