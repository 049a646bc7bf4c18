"""The data quality panel, as an organiser uses it: see what each phone sent, quarantine a
device and release it, void one record with a reason; the figures follow."""

import uuid

from server.extensions import db
from server.models import Amendment
from tests.conftest import attendance_record, post_form, post_sync, session_record, token_for


def stats(client) -> dict:
    return client.get("/api/v1/stats").get_json()["totals"]


def test_quarantine_release_and_void_from_the_panel(csrf_app, organiser):
    token = token_for(csrf_app, "mai")
    phone = str(uuid.uuid4())
    session = session_record()
    lines = [attendance_record(session["id"], 10, 5, 5) for _ in range(4)]
    for seq, record in enumerate([session, *lines], start=1):
        record["seq"] = seq
    csrf_app_client = csrf_app.test_client()
    answer = post_sync(csrf_app_client, token, [session, lines[0], lines[3]], device_id=phone).get_json()
    assert answer["device"] == {"received_through": 2, "gaps": [[3, 4]]}
    assert stats(organiser)["attendees"] == 20

    panel = organiser.get("/organiser/data-quality").get_data(as_text=True)
    assert phone[:13] in panel and "<td>3–4</td>" in panel, "records 3 and 4 never arrived"

    quality = "/organiser/data-quality"
    response = post_form(
        organiser, f"{quality}/{phone}/quarantine", quality, reason="a phone used for training"
    )
    assert response.status_code == 302
    assert stats(organiser)["attendees"] == 0 and stats(organiser)["sessions"] == 0
    assert "a phone used for training" in organiser.get(quality).get_data(as_text=True)
    post_form(organiser, f"{quality}/{phone}/release", quality)
    assert stats(organiser)["attendees"] == 20

    device_page = f"{quality}/{phone}"
    post_form(
        organiser,
        f"/organiser/records/{lines[0]['id']}/void",
        device_page,
        reason="entered twice",
        device=phone,
    )
    assert stats(organiser)["attendees"] == 10
    with csrf_app.app_context():
        void = db.session.query(Amendment).one()
        assert (void.kind, void.reason, void.state) == ("void", "entered twice", "applied")
    states = [
        m for m in organiser.get(device_page).get_data(as_text=True).split("<td>") if m.startswith("đã huỷ")
    ]
    assert len(states) == 1, "the voided line shows as voided, in Vietnamese"


def test_a_void_without_a_reason_is_refused_in_the_readers_language(csrf_app, organiser):
    token = token_for(csrf_app, "mai")
    session = session_record()
    phone = str(uuid.uuid4())
    post_sync(csrf_app.test_client(), token, [session], device_id=phone)
    response = post_form(
        organiser, f"/organiser/records/{session['id']}/void", f"/organiser/data-quality/{phone}", reason=" "
    )
    assert response.status_code == 302
    page = organiser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hãy ghi lý do huỷ bản ghi." in page
    assert stats(organiser)["sessions"] == 1


def test_a_devices_quiz_answers_are_named_by_quiz_title_and_language(csrf_app, organiser):
    from tests.conftest import quiz_record

    token = token_for(csrf_app, "mai")
    phone = str(uuid.uuid4())
    session = session_record()
    post_sync(csrf_app.test_client(), token, [session, quiz_record(csrf_app, session["id"])], device_id=phone)
    page = organiser.get(f"/organiser/data-quality/{phone}").get_data(as_text=True)
    assert "(Tiếng Việt)" in page and "complaints vi" not in page
