"""Organisers manage the events from a page that writes content/events.yaml."""

import yaml

from server.state import state
from tests.conftest import create_account, csrf, log_in, make_app, post_form


def organiser_client(tmp_path, content_copy):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True, CONTENT_DIR=str(content_copy))
    create_account(app, "boss", role="organiser")
    client = app.test_client()
    log_in(client, "boss")
    return app, client


def post_event(client, **fields):
    """Send the organiser's event form, with its page's CSRF token."""
    return post_form(client, "/organiser/events", **fields)


def test_add_an_event_writes_the_file_and_shows_it_in_every_language(tmp_path, content_copy):
    _app, client = organiser_client(tmp_path, content_copy)
    response = post_event(
        client,
        date="2027-03-15",
        commune="3637",
        title_vi="Ngày hội người tiêu dùng Mường Kim",
        place_vi="Sân UBND xã",
        place_en="Commune yard",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    text = (content_copy / "events.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Consumer Rights Day"), "the organisers' instructions at the top are kept"
    event = next(e for e in yaml.safe_load(text)["events"] if e["title"]["vi"].startswith("Ngày hội"))
    assert event["province"] == 12 and event["commune"] == 3637
    for lang in ("vi", "en", "km", "hnj"):
        html = client.get(f"/{lang}/events").get_data(as_text=True)
        assert "Ngày hội người tiêu dùng Mường Kim" in html and "Xã Mường Kim" in html, lang


def test_a_bad_event_is_refused_and_the_file_is_untouched(tmp_path, content_copy):
    _app, client = organiser_client(tmp_path, content_copy)
    before = (content_copy / "events.yaml").read_bytes()
    response = post_event(
        client,
        date="2027-03-15",
        end_date="2027-03-10",
        province="12",
        commune="4",
        title_vi="Sai",
        place_vi="Đâu đó",
    )
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 400 and "is before the start date" in html and "is not in province 12" in html
    )
    assert (content_copy / "events.yaml").read_bytes() == before


def test_edit_keeps_translations_the_page_does_not_show(tmp_path, content_copy):
    app, client = organiser_client(tmp_path, content_copy)
    event = state(app).content.events[0]
    page = client.get(f"/organiser/events?edit={event.id}").get_data(as_text=True)
    assert f'value="{event.id}"' in page
    data = {
        "csrf_token": csrf(page),
        "original_id": event.id,
        "date": event.date.isoformat(),
        "province": str(event.province),
        "title_vi": "Tên mới",
        "place_vi": event.place["vi"],
    }
    assert client.post("/organiser/events", data=data).status_code == 302
    saved = next(
        e for e in yaml.safe_load((content_copy / "events.yaml").read_text())["events"] if e["id"] == event.id
    )
    assert saved["title"]["vi"] == "Tên mới"


def test_delete(tmp_path, content_copy):
    app, client = organiser_client(tmp_path, content_copy)
    event = state(app).content.events[-1]
    page = client.get("/organiser/events").get_data(as_text=True)
    assert (
        client.post(f"/organiser/events/{event.id}/delete", data={"csrf_token": csrf(page)}).status_code
        == 302
    )
    assert event.id not in (content_copy / "events.yaml").read_text()
