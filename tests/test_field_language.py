"""What a Vietnamese reader meets when something goes wrong is Vietnamese: an expired form, the
phone's sending status and the reasons the server gives for a record it refused."""

from __future__ import annotations

import pytest

from tests.conftest import create_account, csrf, make_app


@pytest.fixture
def site(tmp_path):
    return make_app(tmp_path, WTF_CSRF_ENABLED=True)


def test_an_expired_form_is_explained_in_the_readers_language(site):
    create_account(site, "boss", role="organiser")
    client = site.test_client()
    page = client.get("/organiser/login").get_data(as_text=True)
    client.post("/organiser/login", data={"username": "boss", "password": "x", "csrf_token": csrf(page)})
    stale = client.post(
        "/organiser/login", data={"username": "boss", "password": "y", "csrf_token": "an-old-token"}
    )
    html = stale.get_data(as_text=True)
    assert stale.status_code == 400
    assert "Biểu mẫu này đã mở quá lâu" in html and "CSRF" not in html
    client.set_cookie("loa_lang", "km")
    khmer = client.post("/organiser/login", data={"csrf_token": "an-old-token"}).get_data(as_text=True)
    assert 'lang="km"' in khmer and "CSRF" not in khmer


PHONE_KEYS = (
    "send_sent",
    "send_all_sent",
    "send_waiting",
    "send_waiting_now",
    "send_no_answer",
    "send_server",
    "send_attention",
    "problem_conflict",
    "problem_text_too_long",
    "problem_out_of_range",
    "problem_unknown_commune",
    "problem_unknown_topic",
    "problem_other",
    "login_wrong",
    "login_throttled",
    "login_new_password",
)


@pytest.mark.parametrize("lang", ["vi", "km", "hnj"])
def test_the_phones_status_and_refusals_are_in_its_language(client, lang):
    english = client.get("/en/strings.json").get_json()
    theirs = client.get(f"/{lang}/strings.json").get_json()
    for key in PHONE_KEYS:
        assert theirs[key] and theirs[key] != english[key], f"{lang}: {key} is English"
    assert "English" not in theirs["problem_other"]


@pytest.mark.parametrize(("lang", "notice"), [("km", "ព្រឹត្តិការណ៍ខ្លះមិនទាន់"), ("hnj", "Qee cov kev tshwm sim")])
def test_events_shown_in_vietnamese_say_so(client, lang, notice):
    page = client.get(f"/{lang}/events").get_data(as_text=True)
    english = client.get("/en/events").get_data(as_text=True)
    vietnamese = client.get("/vi/events").get_data(as_text=True)
    assert notice in page  # some example events have no Khmer or Hmong text yet
    assert "Some events are not yet translated" not in vietnamese + english
