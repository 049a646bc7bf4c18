"""Input that used to answer 500 answers 400 with what is wrong; files holding records are the
owner's only; tokens and figures are never kept by a cache."""

from __future__ import annotations

import json
import stat

import pytest

from server import backups
from tests.conftest import create_account, log_in, make_app, post_sync, rid, session_record, token_for


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    "body, says",
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"device_id": null, "records": [' + "9" * 5000 + "]}", "cannot read"),
        ('{"device_id": null, "records": [], "label": "\\ud800"}', "lone surrogate"),
    ],
    ids=["deep", "huge number", "lone surrogate"],
)
def test_hostile_json_is_a_400_with_the_reason(app, client, body, says):
    token = token_for(app, "mai")
    for url in ("/api/v1/sync", "/api/v1/auth/login", "/api/v1/devices/anonymous"):
        response = client.post(
            url, data=body, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        )
        assert response.status_code == 400, (url, response.status_code)
        assert says in response.get_json()["message"]


def test_a_valid_surrogate_pair_is_still_read(app, client):
    token = token_for(app, "mai")
    record = session_record(place="Nhà văn hóa 😀")
    body = json.dumps({"device_id": rid(), "records": [record]})  # the emoji as an escaped pair
    assert "\\ud83d\\ude00" in body
    response = client.post(
        "/api/v1/sync",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200 and response.get_json()["accepted"] == [record["id"]]


@pytest.mark.parametrize("value", ["²", "٣٦٣٧", "12²"])
def test_unicode_digits_in_code_fields_are_a_400_not_a_500(app, client, value):
    create_account(app, "boss", role="organiser")
    log_in(client, "boss")
    assert client.get(f"/organiser/?province={value}").status_code == 400
    assert client.get(f"/organiser/report?year={value}").status_code == 400
    token = token_for(app, "boss")
    assert (
        client.get(f"/api/v1/stats?commune={value}", headers={"Authorization": f"Bearer {token}"}).status_code
        == 400
    )


def test_the_instance_database_and_backups_are_the_owners_only(tmp_path):
    app = make_app(tmp_path, create_tables=False)
    runner = app.test_cli_runner()
    from server.cli import cli

    assert runner.invoke(cli, ["init-db"]).exit_code == 0
    token = token_for(app, "mai")
    post_sync(app.test_client(), token, [session_record()])
    instance = tmp_path / "instance"
    database = tmp_path / "loa.sqlite3"
    assert mode(instance) == 0o700
    for path in (database, database.with_name("loa.sqlite3-wal")):
        if not path.exists() and app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            pytest.skip("a PostgreSQL run has no database file")
        assert mode(path) == 0o600, path
    with app.app_context():
        out = backups.backup(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "backups" / "b.sqlite3")
    assert mode(out) == 0o600


def test_tokens_and_figures_are_never_cached(app, client):
    create_account(app, "mai")
    response = client.post("/api/v1/devices/anonymous", json={"device_id": rid()})
    assert response.headers["Cache-Control"] == "no-store"
    token = token_for(app, "boss", role="organiser")
    stats = client.get("/api/v1/stats", headers={"Authorization": f"Bearer {token}"})
    assert stats.headers["Cache-Control"] == "no-store"
    sync = post_sync(client, token, [])
    assert sync.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/api/v1/content/vi").headers.get("Cache-Control", "")
