"""What a Vietnamese reader meets when something goes wrong is Vietnamese: an expired form, the
phone's sending status and the reasons the server gives for a record it refused."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.conftest import confirm_all_events, create_account, csrf, log_in, make_app


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


@pytest.mark.parametrize("lang", ["vi", "km", "mww"])
def test_the_phones_status_and_refusals_are_in_its_language(client, lang):
    english = client.get("/en/strings.json").get_json()
    theirs = client.get(f"/{lang}/strings.json").get_json()
    for key in PHONE_KEYS:
        assert theirs[key] and theirs[key] != english[key], f"{lang}: {key} is English"
    assert "English" not in theirs["problem_other"]


@pytest.mark.parametrize(("lang", "notice"), [("km", "ព្រឹត្តិការណ៍ខ្លះមិនទាន់"), ("mww", "Qee cov kev tshwm sim")])
def test_events_shown_in_vietnamese_say_so(tmp_path, content_copy, lang, notice):
    client = make_app(tmp_path, CONTENT_DIR=str(confirm_all_events(content_copy))).test_client()
    page = client.get(f"/{lang}/events").get_data(as_text=True)
    english = client.get("/en/events").get_data(as_text=True)
    vietnamese = client.get("/vi/events").get_data(as_text=True)
    assert notice in page  # some example events have no Khmer or Hmong text yet
    assert "Some events are not yet translated" not in vietnamese + english


# -- every error path of the organiser pages, read by a Vietnamese organiser ---------------------

ENGLISH = {
    "the",
    "is",
    "not",
    "must",
    "be",
    "are",
    "was",
    "your",
    "you",
    "please",
    "there",
    "taken",
    "does",
    "this",
}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.skip += tag in ("script", "style", "code")

    def handle_endtag(self, tag) -> None:
        self.skip -= tag in ("script", "style", "code")

    def handle_data(self, data) -> None:
        if not self.skip and data.strip():
            self.parts.append(data.strip())


def english_sentences(html: str) -> list[str]:
    """Text that reads as English: three or more plain Latin words, one of them a common
    English word (Vietnamese, Khmer and Hmong sentences never are)."""
    parser = _Text()
    parser.feed(html)
    found = []
    for text in parser.parts:
        words = re.findall(r"(?<![\w'’])[A-Za-z]+(?![\w'’])", text)
        if len(words) >= 3 and {w.lower() for w in words} & ENGLISH:
            found.append(text[:100])
    return found


ERROR_PAGES = [
    "/organiser/?province=999",
    "/organiser/?from=bad",
    "/organiser/?from=2027-02-01&to=2027-01-01",
    "/organiser/?topic=nope",
    "/organiser/export.csv?from=2030-01-01&to=2030-01-02",
    "/organiser/report?year=abc",
    "/organiser/report?province=999",
    "/organiser/leaflets?province=999",
    "/organiser/nope",
    "/organiser/events?edit=nope",
]


def test_organiser_error_paths_speak_vietnamese(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    create_account(app, "boss", role="organiser")
    client = app.test_client()
    log_in(client, "boss")
    leaks = {}
    for url in ERROR_PAGES:
        answer = client.get(url)
        assert answer.status_code >= 400, url
        if found := english_sentences(answer.get_data(as_text=True)):
            leaks[url] = found
    page = client.get("/organiser/users").get_data(as_text=True)
    for fields in (
        {"username": "boss", "role": "staff", "province": "12"},
        {"username": "x y", "role": "staff", "province": "12"},
        {"username": "lan", "role": "staff"},
        {"username": "lan", "role": "staff", "province": "12", "communes": "không có xã này"},
        {"username": "lan", "role": "organiser", "password": "short"},
    ):
        answer = client.post(
            "/organiser/users",
            data={"password": "a long enough passphrase", **fields, "csrf_token": csrf(page)},
        )
        assert answer.status_code == 400, fields
        if found := english_sentences(answer.get_data(as_text=True)):
            leaks[str(fields)] = found
    assert leaks == {}


def test_organiser_times_are_vietnam_time_and_numbers_follow_the_locale(tmp_path):
    import datetime as dt

    from server import i18n

    moment = dt.datetime(2027, 3, 15, 1, 30)  # stored as UTC
    assert i18n.format_time(moment, "mww", cldr=False) == "15/03/2027 08:30"
    assert "08:30" in i18n.format_time(moment, "vi") and "15" in i18n.format_time(moment, "vi")
    assert i18n.format_signed(2.5, "vi") == "+2,5" and i18n.format_signed(-19.0, "en") == "−19"

    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    create_account(app, "boss", role="organiser")
    from server.extensions import db
    from server.models import DeviceToken
    from tests.conftest import token_for

    token_for(app, "mai", role="staff")
    with app.app_context():
        db.session.execute(db.update(DeviceToken).values(created_at=moment))
        db.session.commit()
    client = app.test_client()
    log_in(client, "boss")
    page = client.get("/organiser/devices").get_data(as_text=True)
    assert "08:30" in page and "UTC" not in page
