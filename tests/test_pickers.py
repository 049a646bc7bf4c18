"""Organisers choose provinces and communes by name, not by numeric code: a province from a list
of names, communes typed without needing accents; a name that fits several communes says which."""

from __future__ import annotations

import collections

import pytest

from server import communes
from server.organiser import pickers
from tests.conftest import KHOEN_ON, LAI_CHAU, MUONG_KIM, csrf, post_form
from tests.test_events_page import events_in, organiser_client, post_event


def an_ambiguous_name() -> tuple[str, list[communes.CommuneInfo]]:
    """A commune name several provinces have (the official list has many)."""
    by_name = collections.defaultdict(list)
    for info in communes.communes().values():
        by_name[communes.fold(info.name)].append(info)
    found = next(f for _, f in sorted(by_name.items()) if len({c.province_code for c in f}) > 1)
    return found[0].name, found


def test_communes_by_name_code_or_without_accents(app):
    with app.test_request_context():
        assert pickers.resolve_commune("muong kim", None) == MUONG_KIM
        assert pickers.resolve_commune("Xã Mường Kim", None) == MUONG_KIM
        assert pickers.resolve_commune(str(MUONG_KIM), None) == MUONG_KIM
        assert pickers.resolve_communes("Mường Kim, khoen on\n3637", LAI_CHAU) == [MUONG_KIM, KHOEN_ON]
        assert pickers.resolve_communes(f"{MUONG_KIM} {KHOEN_ON}", None) == [MUONG_KIM, KHOEN_ON]


def test_an_unknown_or_ambiguous_name_says_so_in_vietnamese(app):
    name, found = an_ambiguous_name()
    with app.test_request_context():
        with pytest.raises(pickers.PickError) as unknown:
            pickers.resolve_commune("không có xã này", None)
        assert "Không có xã nào tên" in str(unknown.value)
        with pytest.raises(pickers.PickError) as ambiguous:
            pickers.resolve_commune(name, None)
        message = str(ambiguous.value)
        assert (
            "có thể là" in message and found[0].province.name in message and found[1].province.name in message
        )
        assert pickers.resolve_commune(name, found[1].province_code) == found[1].code  # the province decides


def test_accounts_are_made_with_province_and_communes_by_name(organiser, csrf_app):
    page = organiser.get("/organiser/users").get_data(as_text=True)
    assert "Lai Châu</option>" in page and "Province code" not in page
    made = post_form(
        organiser,
        "/organiser/users",
        username="mai",
        role="staff",
        province=str(LAI_CHAU),
        communes="muong kim, Khoen On",
        password="a long enough passphrase",
    )
    assert made.status_code == 302, made.get_data(as_text=True)[-2000:]
    from server.accounts import get

    with csrf_app.app_context():
        assert get("mai").commune_codes == {MUONG_KIM, KHOEN_ON}
    wrong = post_form(
        organiser,
        "/organiser/users",
        username="lan",
        role="staff",
        communes="không có xã này",
        password="a long enough passphrase",
    )
    assert wrong.status_code == 400 and "Không có xã nào tên" in wrong.get_data(as_text=True)


def test_an_event_in_a_commune_typed_by_name(tmp_path, content_copy):
    app, client = organiser_client(tmp_path, content_copy)
    saved = post_event(client, date="2027-03-15", title_vi="Phiên chợ", place_vi="Chợ", commune="muong kim")
    assert saved.status_code == 302
    event = next(e for e in events_in(app) if e["title"]["vi"] == "Phiên chợ")
    assert event["commune"] == MUONG_KIM and event["province"] == LAI_CHAU
    page = client.get(f"/organiser/events?edit={event['id']}").get_data(as_text=True)
    assert 'value="Xã Mường Kim"' in page


def test_leaflets_for_communes_typed_by_name(organiser):
    page = organiser.get("/organiser/leaflets").get_data(as_text=True)
    answer = organiser.post(
        "/organiser/leaflets",
        data={
            "csrf_token": csrf(page),
            "topic": "complaints",
            "lang": "vi",
            "communes": "muong kim",
            "output": "pdf",
        },
    )
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"


def test_the_dashboard_filter_takes_a_commune_by_name(app, client):
    from tests.conftest import create_account, log_in, post_sync, session_record, token_for

    create_account(app, "boss", role="organiser")
    post_sync(client, token_for(app, "mai"), [session_record()])
    log_in(client, "boss")
    by_name = client.get("/organiser/?commune=muong+kim")
    assert by_name.status_code == 200
    by_code = client.get(f"/organiser/?commune={MUONG_KIM}")
    assert "Xã Mường Kim" in by_name.get_data(as_text=True)
    assert (
        client.get("/organiser/export.csv?commune=muong+kim").get_data()
        == client.get(f"/organiser/export.csv?commune={MUONG_KIM}").get_data()
    )
    assert by_code.status_code == 200
    unknown = client.get("/organiser/?commune=khong+co+xa+nay")
    assert unknown.status_code == 400 and "Không có xã nào tên" in unknown.get_data(as_text=True)
