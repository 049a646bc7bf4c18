"""Every public page renders, readable without JavaScript, in the right language."""

import re
from html import unescape

import pytest

from server.content import REQUIRED_TOPICS
from server.state import state
from tests.conftest import confirm_all_events, make_app


def test_root_redirects_to_default_language(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/vi/"


def test_root_prefers_saved_choice_over_accept_language(client):
    client.set_cookie("loa_lang", "en")
    response = client.get("/", headers={"Accept-Language": "km-KH,km;q=0.9"})
    assert response.headers["Location"] == "/en/"


def test_root_uses_accept_language_then_falls_back(client):
    assert client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).headers["Location"] == "/en/"
    assert client.get("/", headers={"Accept-Language": "fr-FR,de;q=0.5"}).headers["Location"] == "/vi/"


def test_unknown_saved_language_is_ignored(client):
    client.set_cookie("loa_lang", "xx")
    assert client.get("/").headers["Location"] == "/vi/"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_home_lists_the_three_topics(client, lang):
    html = client.get(f"/{lang}/").get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    for tid in REQUIRED_TOPICS:
        assert f'href="/{lang}/topics/{tid}"' in html
    assert 'href="tel:18006838"' in html


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("tid", REQUIRED_TOPICS)
def test_topic_pages_readable_without_script(app, client, lang, tid):
    response = client.get(f"/{lang}/topics/{tid}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    topic = state(app).content.topics[lang][tid]
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert [unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in headings] == [topic.title]
    for point in topic.key_points:
        assert point.replace("&", "&amp;") in html.replace("&#34;", '"').replace("&#39;", "'")
    # the text is in the HTML itself, not built by script
    assert len(re.sub(r"<[^>]+>", "", html)) > 1000


def test_consumer_day_page_shows_the_theme_and_only_confirmed_events(app, client):
    content = state(app).content
    assert content.theme is not None
    html = client.get("/vi/topics/consumer-day").get_data(as_text=True)
    assert content.theme.title["vi"] in html
    assert content.events and not content.public_events(), "the shipped events are all examples"
    assert '<li class="event">' not in html
    assert "Chưa có sự kiện nào được công bố" in html
    for word in ("chưa chính thức", "cần kiểm tra", "Bản nháp"):
        assert word not in html


def test_events_page_groups_confirmed_events_national_first(tmp_path, content_copy):
    confirm_all_events(content_copy)
    client = make_app(tmp_path, CONTENT_DIR=str(content_copy)).test_client()
    html = client.get("/en/events").get_data(as_text=True)
    assert len(re.findall(r'<li class="event">', html)) == 6
    groups = re.findall(r"<h3>(.*?)</h3>", html)
    assert groups == ["Across the country", "Lai Châu"], groups
    assert html.index("National events for Vietnam Consumer Rights Day 2026") < html.index(
        "Genuine-or-fake booth"
    )


def test_quiz_page_has_every_question(app, client):
    quiz = state(app).content.quizzes["vi"]["complaints"]
    html = client.get("/vi/quiz/complaints").get_data(as_text=True)
    for q in quiz.questions:
        assert f'data-question="{q.id}"' in html
        for o in q.options:
            assert f'name="{q.id}" value="{o.id}"' in html


def test_quiz_scored_without_javascript(app, client):
    quiz = state(app).content.quizzes["en"]["counterfeit"]
    key = quiz.answer_key()
    first = quiz.questions[0]
    wrong = next(o.id for o in first.options if o.id != first.answer)
    answers = dict(key, **{first.id: wrong})
    html = client.get("/en/quiz/counterfeit/result", query_string=answers).get_data(as_text=True)
    assert f"You answered {len(key) - 1} of {len(key)} questions correctly." in html
    assert first.explanation.replace("'", "&#39;").replace('"', "&#34;") in html


def test_unknown_topic_is_404_in_the_page_language(client):
    response = client.get("/en/topics/nope")
    assert response.status_code == 404
    assert '<html lang="en"' in response.get_data(as_text=True)


def test_unknown_language_is_404_in_vietnamese_with_links(client):
    response = client.get("/fr/topics/complaints")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="vi"' in html
    for lang in ("vi", "en", "km", "mww"):
        assert f'href="/{lang}/"' in html


def test_language_switcher_links_to_the_same_page(client):
    html = client.get("/vi/topics/complaints").get_data(as_text=True)
    assert 'href="/en/topics/complaints" lang="en"' in html
    assert 'aria-current="true">Tiếng Việt' in html


def test_navigation_remembers_the_language(client):
    response = client.get("/en/", headers={"Sec-Fetch-Mode": "navigate"})
    assert "loa_lang=en" in response.headers.get("Set-Cookie", "")
    # background fetches (the service worker precaching) do not change the choice
    assert "Set-Cookie" not in client.get("/km/", headers={"Sec-Fetch-Mode": "cors"}).headers


def test_offline_page(client):
    html = client.get("/vi/offline").get_data(as_text=True)
    assert 'href="/vi/topics/counterfeit"' in html


def test_security_headers(client):
    response = client.get("/vi/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_are_compressed(client):
    response = client.get("/vi/topics/counterfeit", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"


def test_no_inline_script_or_style(client):
    for url in ("/vi/", "/vi/topics/complaints", "/vi/quiz/complaints", "/vi/events"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html and " style=" not in html, url


def test_every_page_has_a_main_landmark_and_one_h1(client):
    for url in ("/vi/", "/en/topics/complaints", "/vi/quiz/consumer-day", "/en/events", "/vi/offline"):
        html = client.get(url).get_data(as_text=True)
        assert html.count("<h1") == 1, url
        assert '<main id="main"' in html, url
