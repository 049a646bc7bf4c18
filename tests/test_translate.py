"""Translating in the studio, field by field beside the Vietnamese: a field whose source changes
after it was translated is stale (with the source's diff) until the translator updates or confirms
it; a reviewer signs fields off, never their own; numbers that differ from the source are flagged;
coverage counts stale fields; a partial translation waits until every field has a text."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from server.cli import cli
from server.content import releases
from server.content import translation_state as ts
from server.extensions import db
from tests.conftest import create_account, csrf, first_match, make_app
from tests.test_studio import client_for, new_topic, publish, topic_form

URL = "/organiser/studio/translate/km/topics/markets"


@pytest.fixture
def team(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    create_account(app, "boss", role="organiser")
    for name in ("lan", "hoa"):
        create_account(app, name)
    runner = app.test_cli_runner()
    assert (
        runner.invoke(cli, ["users", "roles", "lan", "--translator", "km", "--reviewer", "km"]).exit_code == 0
    )
    assert runner.invoke(cli, ["users", "roles", "hoa", "--reviewer", "km"]).exit_code == 0
    return app


def fields_of(page: str) -> dict[str, dict]:
    """Field name -> its index on the page, the text shown, the state badge."""
    out = {}
    for section in re.findall(r'(<section class="tr-row.*?</section>)', page, re.S):
        i = first_match(r'id="f(\d+)-name"', section)
        name = htmllib.unescape(first_match(r'<span translate="no">([^<]*)</span>', section))
        text = re.search(r'<textarea[^>]*name="text-\d+"[^>]*>\n?(.*?)</textarea>', section, re.S)
        out[name] = {
            "i": i,
            "text": htmllib.unescape(text.group(1)) if text else None,
            "state": first_match(r'class="tr-row tr-(\w+)"', section),
            "section": section,
        }
    return out


def send(client, url: str, **by_field):
    """Save the page as it is, with `by_field` ({field: text | {"confirm"|"review": True}})."""
    page = client.get(url).get_data(as_text=True)
    fields = fields_of(page)
    data = {"csrf_token": csrf(page), "base": first_match(r'name="base" value="([^"]*)"', page)}
    for f in fields.values():
        if f["text"] is not None:
            data[f"text-{f['i']}"] = f["text"]
    for name, change in by_field.items():
        i = fields[name]["i"]
        if isinstance(change, str):
            data[f"text-{i}"] = change
        else:
            data.update({f"{k}-{i}": "1" for k in change})
    return client.post(url, data=data)


def test_stale_after_the_source_changes_then_updated_then_reviewed_by_someone_else(team):
    lan, hoa, boss = client_for(team, "lan"), client_for(team, "hoa"), client_for(team, "boss")
    assert send(lan, URL, title="ការទិញទំនិញនៅផ្សារភូមិ").status_code == 302
    fields = fields_of(lan.get(URL).get_data(as_text=True))
    assert fields["title"]["state"] == "draft" and fields["title"]["text"] == "ការទិញទំនិញនៅផ្សារភូមិ"

    # The editor changes a sentence of the Vietnamese title: the Khmer title is stale, with the diff.
    page = boss.get("/organiser/studio/topics/markets").get_data(as_text=True)
    assert (
        boss.post(
            "/organiser/studio/topics/markets", data=topic_form(page, title="Mua bán ở chợ phiên")
        ).status_code
        == 302
    )
    page = lan.get(URL).get_data(as_text=True)
    title = fields_of(page)["title"]
    assert title["state"] == "stale"
    assert "-Mua hàng ở chợ" in title["section"] and "+Mua bán ở chợ phiên" in title["section"]
    assert fields_of(page)["summary"]["state"] == "draft", "only the changed field is stale"
    assert publish(boss, "title").status_code == 302
    coverage = boss.get("/organiser/translations").get_data(as_text=True)
    assert re.search(r"ភាសាខ្មែរ.*?cần cập nhật: 1", coverage, re.S), coverage[-3000:]
    result = team.test_cli_runner().invoke(
        cli, ["content", "export", str(team.config["INSTANCE_DIR"]) + "/out"]
    )
    assert result.exit_code == 0

    # The translator updates it; she cannot review her own field; another reviewer can.
    assert send(lan, URL, title="ការលក់ទិញនៅផ្សារភូមិ").status_code == 302
    assert fields_of(lan.get(URL).get_data(as_text=True))["title"]["state"] == "draft"
    own = send(lan, URL, title={"review": True})
    assert own.status_code == 400 and "title" in own.get_data(as_text=True)
    assert send(hoa, URL, title={"review": True}).status_code == 302
    title = fields_of(hoa.get(URL).get_data(as_text=True))["title"]
    assert title["state"] == "reviewed" and "hoa" in title["section"]
    with team.app_context(), db.engine.connect() as conn:
        state = ts.read_states(releases.draft_file(conn, ts.state_path("km")))
    assert state["topics/markets"]["title"]["by"] == "lan"
    assert state["topics/markets"]["title"]["reviewed_by"] == "hoa"


def test_a_stale_field_can_be_confirmed_without_retyping(team):
    lan, boss = client_for(team, "lan"), client_for(team, "boss")
    assert send(lan, URL).status_code == 302  # the existing translation, recorded against today's source
    page = boss.get("/organiser/studio/topics/markets").get_data(as_text=True)
    new_summary = "Ở chợ, bạn được bán đủ cân."
    assert (
        boss.post("/organiser/studio/topics/markets", data=topic_form(page, summary=new_summary)).status_code
        == 302
    )
    assert fields_of(lan.get(URL).get_data(as_text=True))["summary"]["state"] == "stale"
    assert send(lan, URL, summary={"confirm": True}).status_code == 302
    assert fields_of(lan.get(URL).get_data(as_text=True))["summary"]["state"] == "draft"


def test_numbers_that_differ_from_the_source_are_flagged(team):
    lan = client_for(team, "lan")
    page = lan.get(URL).get_data(as_text=True)
    point = next(n for n, f in fields_of(page).items() if n.startswith("key_points"))
    source_text = re.search(
        r'<div class="tr-source" lang="vi">.*?<div class="tr-text">(.*?)</div>',
        fields_of(page)[point]["section"],
        re.S,
    )
    assert source_text is not None
    assert send(lan, URL, **{point: "ហៅលេខ ១៨០០.៦៨៣៩"}).status_code == 302
    section = fields_of(lan.get(URL).get_data(as_text=True))[point]["section"]
    assert "1800.6839" in section, "a changed phone number is flagged, Khmer digits read as numbers"
    assert ts.number_problem("Gọi 1800.6838", "ហៅ ១៨០០.៦៨៣៨") is None
    assert ts.number_problem("Điều 5 Luật 19/2023", "Article 6, Law 19/2023") == "19/2023, 5 → 19/2023, 6"


def test_a_partial_translation_waits_until_every_field_has_a_text(team):
    boss, lan = client_for(team, "boss"), client_for(team, "lan")
    assert new_topic(boss).status_code == 302
    url = "/organiser/studio/translate/km/topics/livestream-scams"
    assert send(lan, url, title="ការទិញតាមការផ្សាយផ្ទាល់").status_code == 302
    with team.app_context(), db.engine.connect() as conn:
        assert releases.draft_file(conn, "km/topics/livestream-scams.md") is None, "no half file"
    fields = fields_of(lan.get(url).get_data(as_text=True))
    assert fields["title"]["text"] == "ការទិញតាមការផ្សាយផ្ទាល់" and fields["summary"]["state"] == "missing"
    everything = {name: f"អត្ថបទ {name}" for name in fields if name != "title"}
    everything["body"] = "## ផ្នែក\n\nអត្ថបទ។"
    assert send(lan, url, **everything).status_code == 302
    with team.app_context(), db.engine.connect() as conn:
        written = (releases.draft_file(conn, "km/topics/livestream-scams.md") or b"").decode()
    assert "title: ការទិញតាមការផ្សាយផ្ទាល់" in written and "status: draft" in written
    assert publish(boss, "livestream in km").status_code == 302
    assert "ការទិញតាមការផ្សាយផ្ទាល់" in team.test_client().get("/km/topics/livestream-scams").get_data(
        as_text=True
    )


def test_who_may_translate(team):
    create_account(team, "mai")
    assert client_for(team, "mai").get(URL).status_code == 403
    assert client_for(team, "lan").get("/organiser/studio/translate/mww/topics/markets").status_code == 403
    assert client_for(team, "lan").get("/organiser/studio/translate/km/topics/nothing").status_code == 404
    hoa = client_for(team, "hoa")
    assert "<textarea" not in hoa.get(URL).get_data(as_text=True), "a reviewer does not write"


def test_a_translator_logging_in_lands_in_the_studio_and_other_staff_on_their_screens(team):
    create_account(team, "mai")
    assert client_for(team, "lan").get("/organiser/").headers["Location"].endswith("/organiser/studio")
    assert "/staff/" in client_for(team, "mai").get("/organiser/").headers["Location"]
