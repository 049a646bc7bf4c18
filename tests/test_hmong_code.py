"""White Hmong (RPA) is published under its own code, `mww`; everything made under the old
`hnj` (addresses, printed leaflets, a saved language choice, answers queued on phones) keeps
working and counts under `mww`, and `hnj` stays free for Green Hmong."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from click.testing import CliRunner
from flask_migrate import upgrade
from sqlalchemy import text

from server.cli import cli
from server.database import MIGRATIONS
from server.extensions import db
from server.models import QuizResponse
from tests.conftest import make_app, stored_row


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/hnj/topics/complaints", "/mww/topics/complaints"),
        ("/hnj/quiz/markets?q=1&x=%C3%A0", "/mww/quiz/markets?q=1&x=%C3%A0"),
        ("/hnj/", "/mww/"),
        ("/hnj", "/mww"),
    ],
)
def test_old_addresses_move_permanently(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response.headers["Location"] == new


def test_the_language_is_white_hmong_under_mww(client):
    html = client.get("/mww/topics/complaints").get_data(as_text=True)
    assert '<html lang="mww"' in html and "data-numeric-dates" in html
    assert 'data-lang-switch="mww" aria-current="true">Hmoob</a>' in html and 'hreflang="hnj"' not in html
    assert client.get("/api/v1/content/mww").status_code == 200
    assert client.get("/api/v1/content/hnj").status_code == 404


def test_a_saved_old_choice_opens_the_new_code(client):
    client.set_cookie("loa_lang", "hnj")
    response = client.get("/")
    assert response.status_code in (302, 303) and response.headers["Location"].endswith("/mww/")


def test_leaflets_printed_under_hnj_open_in_white_hmong_after_the_upgrade(tmp_path):
    from server.leaflets.store import new_code

    app = make_app(tmp_path, create_tables=False)
    now = dt.datetime(2026, 11, 1, 8, 0)
    code = new_code()
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0006")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO leaflets (code, scope, topic_id, lang, commune_code, province_code, created_at) "
                    "VALUES (:c, 'counterfeit/hnj/all', 'counterfeit', 'hnj', NULL, NULL, :n)"
                ),
                {"n": now, "c": code},
            )
            conn.execute(
                text(
                    "INSERT INTO quiz_responses (id, quiz_id, lang, answers, correct, total, created_at, "
                    "received_at, hold) VALUES ('q1', 'counterfeit', 'hnj', '{}', 1, 6, :n, :n, 0)"
                ),
                {"n": now},
            )
        upgrade(directory=str(MIGRATIONS))
        assert stored_row(QuizResponse, "q1").lang == "mww"
        from server.leaflets import get_or_create_leaflets
        from server.web import get_content

        [again] = get_or_create_leaflets("counterfeit", "mww", [None], get_content())
        assert again.code == code, "printing again reuses the printed code"
    page = app.test_client().get(f"/l/{code}", headers={"X-Loa-No-Scan": "1"})
    assert page.status_code == 200
    assert '<html lang="mww"' in page.get_data(as_text=True)


def test_green_hmong_can_be_added_by_a_translator(tmp_path, content_copy):
    languages = yaml.safe_load((content_copy / "languages.yaml").read_text(encoding="utf-8"))
    languages.append(
        {"code": "hnj", "name": "Moob Leeg", "english_name": "Hmong Njua (Green Hmong)", "cldr": False}
    )
    (content_copy / "languages.yaml").write_text(
        yaml.safe_dump(languages, allow_unicode=True), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["content", "check", "--dir", str(content_copy)])
    assert result.exit_code == 1
    assert "'hnj' is a language of its own now: remove it from the old codes of 'mww'" in result.output
    for lang in languages:
        if lang["code"] == "mww":
            lang["replaces"] = []
    (content_copy / "languages.yaml").write_text(
        yaml.safe_dump(languages, allow_unicode=True), encoding="utf-8"
    )
    (content_copy / "hnj" / "topics").mkdir(parents=True)
    result = CliRunner().invoke(cli, ["content", "check", "--dir", str(content_copy)])
    assert result.exit_code == 0, result.output
    client = make_app(tmp_path, CONTENT_DIR=str(content_copy)).test_client()
    html = client.get("/hnj/topics/complaints").get_data(as_text=True)
    assert '<html lang="hnj"' in html and "Moob Leeg" in html  # Vietnamese shown, visibly, until translated


def test_answers_queued_under_hnj_count_once_as_white_hmong(app, client):
    from tests.conftest import create_account, post_sync, quiz_record, token_for

    create_account(app, "mai")
    token = token_for(app, "mai")
    record = quiz_record(app, session_id=None, lang="hnj", quiz_id="counterfeit")
    for _ in range(2):  # sent again after a lost answer: stored once
        body = post_sync(client, token, [record]).get_json()
        assert not body.get("rejected"), body
    with app.app_context():
        rows = db.session.query(QuizResponse).all()
        assert [(r.id, r.lang) for r in rows] == [(record["id"], "mww")]
