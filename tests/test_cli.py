"""The `loa` command line."""

import subprocess
import sys
from pathlib import Path

from flask.cli import ScriptInfo

from server.cli import cli
from tests.conftest import make_app

LOA = str(Path(sys.executable).parent / "loa")


def test_content_check_ok(runner):
    result = runner.invoke(cli, ["content", "check"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: 4 languages")


def test_content_check_names_broken_file(runner, content_copy):
    (content_copy / "en" / "topics" / "complaints.md").write_text("---\nid: [\n---\nx", encoding="utf-8")
    result = runner.invoke(cli, ["content", "check", "--dir", str(content_copy)])
    assert result.exit_code == 1
    assert "content/en/topics/complaints.md" in result.output and "not valid YAML" in result.output


def test_init_db_and_demo(tmp_path):
    runner = make_app(tmp_path, create_tables=False).test_cli_runner()
    result = runner.invoke(cli, ["init-db"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["demo", "--if-empty"])
    assert result.exit_code == 0 and "organiser /" in result.output
    again = runner.invoke(cli, ["demo", "--if-empty"])
    assert "left alone" in again.output


def test_every_command_has_help(tmp_path):
    """Every command of the `loa` group, found by walking it (so a new command is covered
    without touching this test), including those the app adds (Flask-Migrate's `loa db ...`)."""
    from click.testing import CliRunner

    from server.readme import command_paths

    paths = [path for path, _ in command_paths(cli, create_app=lambda: make_app(tmp_path))]
    names = {" ".join(p) for p in paths}
    assert {"serve", "leaflets build", "users create", "db upgrade", "i18n coverage"} <= names
    assert len(paths) >= 30
    runner = CliRunner()
    for path in paths:
        result = runner.invoke(cli, [*path, "--help"], obj=ScriptInfo(create_app=lambda: make_app(tmp_path)))
        assert result.exit_code == 0, (path, result.output)
        assert result.output.startswith("Usage: "), path
    out = subprocess.run([LOA, "--help"], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and "Usage:" in out.stdout
