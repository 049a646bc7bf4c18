"""Organisers manage the events from a page that changes the content's events.yaml in the
database and publishes it at once: safe against other threads, processes and servers, and never
over changes the page did not show."""

from __future__ import annotations

import multiprocessing
import re
import threading
import time

import yaml

from server import events_file
from server.content import load_content, releases
from server.extensions import db
from server.state import state
from tests.conftest import app_on, create_account, csrf, first_match, log_in, make_app

CONFLICT = "Người khác đã thay đổi danh sách sự kiện kể từ khi bạn mở trang này."


def organiser_client(tmp_path, content_copy, username="boss", app=None):
    app = app or make_app(tmp_path, WTF_CSRF_ENABLED=True, CONTENT_DIR=str(content_copy))
    create_account(app, username, role="organiser")
    client = app.test_client()
    log_in(client, username)
    return app, client


def form_fields(page: str) -> dict[str, str]:
    """The hidden fields of the event form on the events page: its CSRF token and the version of
    the events file it was made from."""
    return {
        "csrf_token": csrf(page),
        "base_version": first_match(r'id="base_version"[^>]*value="([^"]*)"', page),
    }


def delete_fields(page: str, event_id: str) -> dict[str, str]:
    """What the delete button of `event_id` on the events page sends."""
    form = first_match(rf'(<form[^>]*/organiser/events/{re.escape(event_id)}/delete".*?</form>)', page, re.S)
    return {
        "csrf_token": csrf(form),
        "base_version": first_match(r'name="base_version" value="([^"]*)"', form),
    }


def post_event(client, **fields):
    """Send the organiser's event form as its page (read just now) does."""
    page = client.get("/organiser/events").get_data(as_text=True)
    return client.post("/organiser/events", data={**fields, **form_fields(page)})


def new_event(title: str) -> dict[str, str]:
    return {"date": "2027-03-15", "province": "12", "title_vi": title, "place_vi": "Sân UBND xã"}


def events_text(app) -> str:
    """The events file residents get now (the newest release's), which is also the draft's."""
    with app.app_context(), db.engine.connect() as conn:
        head = releases.head(conn)
        assert head is not None
        published = releases.tree_of(conn, head.manifest).read(events_file.EVENTS_FILE)
        assert published == releases.draft_file(conn, events_file.EVENTS_FILE), "saved is published"
        return (published or b"").decode("utf-8")


def events_in(app) -> list[dict]:
    return yaml.safe_load(events_text(app))["events"]


def titles_in(app) -> set[str]:
    return {e["title"]["vi"] for e in events_in(app)}


def assert_valid(app, languages) -> None:
    assert events_file.validate(events_text(app), languages) == []


def test_add_an_event_writes_the_file_and_shows_it_in_every_language(tmp_path, content_copy):
    app, client = organiser_client(tmp_path, content_copy)
    response = post_event(
        client,
        date="2027-03-15",
        commune="3637",
        title_vi="Ngày hội người tiêu dùng Mường Kim",
        place_vi="Sân UBND xã",
        place_en="Commune yard",
        status="confirmed",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    text = events_text(app)
    assert text.startswith("# Consumer Rights Day"), "the organisers' instructions at the top are kept"
    event = next(e for e in yaml.safe_load(text)["events"] if e["title"]["vi"].startswith("Ngày hội"))
    assert event["province"] == 12 and event["commune"] == 3637 and event["status"] == "confirmed"
    for lang in ("vi", "en", "km", "mww"):
        html = client.get(f"/{lang}/events").get_data(as_text=True)
        assert "Ngày hội người tiêu dùng Mường Kim" in html and "Xã Mường Kim" in html, lang


def test_an_example_event_is_flagged_for_organisers_and_never_shown_to_residents(tmp_path, content_copy):
    app, client = organiser_client(tmp_path, content_copy)
    response = post_event(client, **new_event("Buổi mẫu chưa xác nhận"))  # no status chosen: example
    assert response.status_code == 302, response.get_data(as_text=True)
    event = next(e for e in events_in(app) if e["title"]["vi"] == "Buổi mẫu chưa xác nhận")
    assert event["status"] == "example"
    organiser_page = client.get("/organiser/events").get_data(as_text=True)
    row = first_match(
        r"(<tr><td>2027-03-15</td>\s*<td>Buổi mẫu chưa xác nhận</td>.*?</tr>)", organiser_page, re.S
    )
    assert "Ví dụ: người dân không thấy" in row
    for url in ("/vi/events", "/en/events", "/vi/topics/consumer-day", "/api/v1/content/vi"):
        assert "Buổi mẫu chưa xác nhận" not in client.get(url).get_data(as_text=True), url
    # the shipped 2027 Lai Châu examples are not shown either
    assert "Mường Kim" not in client.get("/vi/events").get_data(as_text=True)


def test_a_bad_event_is_refused_and_the_file_is_untouched(tmp_path, content_copy):
    app, client = organiser_client(tmp_path, content_copy)
    before = events_text(app)
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
    assert response.status_code == 400 and "trước ngày bắt đầu" in html and "không thuộc tỉnh 12" in html
    assert events_text(app) == before


def test_edit_keeps_translations_the_page_does_not_show(tmp_path, content_copy):
    app, client = organiser_client(tmp_path, content_copy)
    event = state(app).content.events[0]
    page = client.get(f"/organiser/events?edit={event.id}").get_data(as_text=True)
    assert f'value="{event.id}"' in page
    data = {
        **form_fields(page),
        "original_id": event.id,
        "date": event.date.isoformat(),
        "province": str(event.province),
        "title_vi": "Tên mới",
        "place_vi": event.place["vi"],
    }
    assert client.post("/organiser/events", data=data).status_code == 302
    saved = next(e for e in events_in(app) if e["id"] == event.id)
    assert saved["title"]["vi"] == "Tên mới"


def test_delete(tmp_path, content_copy):
    app, client = organiser_client(tmp_path, content_copy)
    event = state(app).content.events[-1]
    page = client.get("/organiser/events").get_data(as_text=True)
    response = client.post(f"/organiser/events/{event.id}/delete", data=delete_fields(page, event.id))
    assert response.status_code == 302
    assert event.id not in events_text(app)
    again = client.post(f"/organiser/events/{event.id}/delete", data=delete_fields(page, event.id))
    assert again.status_code == 404, "an event already gone"


def test_delete_refuses_an_event_changed_since_the_list_was_shown(tmp_path, content_copy):
    app, client = organiser_client(tmp_path, content_copy)
    first, last = state(app).content.events[0], state(app).content.events[-1]
    page = client.get("/organiser/events").get_data(as_text=True)
    edit = client.get(f"/organiser/events?edit={last.id}").get_data(as_text=True)
    changed = {
        **form_fields(edit),
        "original_id": last.id,
        "date": last.date.isoformat(),
        "province": str(last.province),
        "title_vi": "Đổi tên rồi",
        "place_vi": last.place["vi"],
    }
    assert client.post("/organiser/events", data=changed).status_code == 302
    before = events_text(app)
    response = client.post(f"/organiser/events/{last.id}/delete", data=delete_fields(page, last.id))
    assert response.status_code == 409 and CONFLICT in response.get_data(as_text=True)
    assert events_text(app) == before
    # Another event changing meanwhile does not stop the delete of one that did not change.
    response = client.post(f"/organiser/events/{first.id}/delete", data=delete_fields(page, first.id))
    assert response.status_code == 302
    ids = {e["id"] for e in events_in(app)}
    assert last.id in ids and first.id not in ids


def test_a_stale_form_is_refused_and_keeps_what_was_typed(tmp_path, content_copy):
    app, client = organiser_client(tmp_path, content_copy)
    _app, other = organiser_client(tmp_path, content_copy, username="colleague", app=app)
    page = client.get("/organiser/events").get_data(as_text=True)
    assert post_event(other, **new_event("Sự kiện của đồng nghiệp")).status_code == 302
    before = events_text(app)

    typed = new_event("Buổi nói chuyện ở bản Nà Ít")
    response = client.post("/organiser/events", data={**typed, **form_fields(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert CONFLICT in html and "Thay đổi của bạn chưa được lưu" in html
    assert 'value="Buổi nói chuyện ở bản Nà Ít"' in html and 'value="Sân UBND xã"' in html
    assert "Sự kiện của đồng nghiệp" in html, "the list shows what the colleague saved"
    assert events_text(app) == before

    # The page shown with the 409 carries the new version: saving again goes through.
    assert form_fields(html)["base_version"] == events_file.version(events_text(app))
    again = client.post("/organiser/events", data={**typed, **form_fields(html)})
    assert again.status_code == 302
    assert {"Buổi nói chuyện ở bản Nà Ít", "Sự kiện của đồng nghiệp"} <= titles_in(app)


def test_a_form_without_a_version_is_refused(tmp_path, content_copy):
    app, client = organiser_client(tmp_path, content_copy)
    page = client.get("/organiser/events").get_data(as_text=True)
    before = events_text(app)
    response = client.post(
        "/organiser/events", data={**new_event("Không phiên bản"), "csrf_token": csrf(page)}
    )
    assert response.status_code == 409 and events_text(app) == before


ROUNDS = 30


def test_two_organisers_saving_at_once_never_lose_an_event(tmp_path, content_copy):
    """Both open the form (same version), then save different new events at the same moment:
    one is written, the other is told so and written nowhere; the file stays valid."""
    app, first = organiser_client(tmp_path, content_copy)
    _app, second = organiser_client(tmp_path, content_copy, username="colleague", app=app)
    languages = state(app).content.languages
    clients = {"a": first, "b": second}
    saved: set[str] = set()
    for round_no in range(ROUNDS):
        pages = {who: c.get("/organiser/events").get_data(as_text=True) for who, c in clients.items()}
        assert form_fields(pages["a"])["base_version"] == form_fields(pages["b"])["base_version"]
        together = threading.Barrier(2)
        answers: dict[str, tuple[int, str]] = {}

        def save(who: str, pages=pages, together=together, answers=answers, round_no=round_no) -> None:
            data = {**new_event(f"Sự kiện {round_no} của {who}"), **form_fields(pages[who])}
            together.wait(10)
            response = clients[who].post("/organiser/events", data=data)
            answers[who] = (response.status_code, response.get_data(as_text=True))

        threads = [threading.Thread(target=save, args=(who,)) for who in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        statuses = sorted(status for status, _html in answers.values())
        assert statuses == [302, 409], f"round {round_no}: {statuses}"
        in_file = titles_in(app)
        for who, (status, html) in answers.items():
            title = f"Sự kiện {round_no} của {who}"
            if status == 302:
                saved.add(title)
            else:
                assert CONFLICT in html and f'value="{title}"' in html
                assert title not in in_file, "a refused event is not in the file"
        assert saved <= in_file, "every event answered as saved is in the file"
        assert_valid(app, languages)
    assert len(saved) == ROUNDS


# -- several processes on one database -------------------------------------------------------

PER_PROCESS = 25


def append_events(url: str, content_dir: str, tag: str, count: int, start) -> None:
    """In a process of its own (a second server): add `count` events, each a read-modify-write
    that pauses between reading and writing, so that a writer without the checks would lose some.
    A save refused because the other process saved first is made again, as a person would."""
    app = app_on(url, content_dir, f"{content_dir}-instance")
    languages = load_content(content_dir).languages
    start.wait(60)
    with app.app_context():
        for i in range(count):
            event = {
                "id": f"2027-{tag}-{i}",
                "date": "2027-03-15",
                "province": 12,
                "title": {"vi": f"Sự kiện {tag} {i}"},
                "place": {"vi": "Nhà văn hóa bản"},
            }

            def edit(data: dict, _version: str, event=event) -> None:
                data["events"].append(event)
                time.sleep(0.01)

            for _attempt in range(200):
                try:
                    events_file.apply(db.engine, f"worker-{tag}", "event saved", languages, edit)
                    break
                except releases.Conflict:
                    continue
            else:
                raise AssertionError(f"event {tag} {i} never saved")


def test_processes_writing_at_once_lose_nothing(tmp_path, content_copy):
    app = make_app(tmp_path, CONTENT_DIR=str(content_copy))
    with app.app_context():
        state(app).content_store.current(force=True)  # the folder imported: release 1
        url = db.engine.url.render_as_string(hide_password=False)
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(2)
    workers = [
        spawn.Process(target=append_events, args=(url, str(content_copy), tag, PER_PROCESS, start))
        for tag in "pq"
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(180)
    assert [w.exitcode for w in workers] == [0, 0]
    ids = {e["id"] for e in events_in(app)}
    missing = {f"2027-{tag}-{i}" for tag in "pq" for i in range(PER_PROCESS)} - ids
    assert not missing, f"{len(missing)} of {2 * PER_PROCESS} events lost"
    assert_valid(app, load_content(content_copy).languages)
    with app.app_context(), db.engine.connect() as conn:
        numbers = [r.number for r in releases.history(conn, 1000)]
    assert numbers == list(range(2 * PER_PROCESS + 1, 0, -1)), "one release per save, none skipped"
