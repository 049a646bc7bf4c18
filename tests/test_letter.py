"""The printable request to negotiate and evidence checklist: in every language, linked from the
complaints topic, saved offline with the language, with the national hotline."""

from __future__ import annotations

import re
from html import unescape

import pytest

from server import pwa
from server.state import state
from server.web import get_content
from tests.conftest import first_match


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_the_vietnamese_letter_has_the_request_the_fields_and_the_checklist(client):
    html = client.get("/vi/letter").get_data(as_text=True)
    text = text_of(html)
    assert "Tôi yêu cầu thương lượng theo Điều 57" in text
    for field in ("Kính gửi", "Họ và tên tôi", "Ngày mua", "Sự việc xảy ra", "Ngày gửi", "Chữ ký"):
        assert field in text, field
    assert "Trong 7 ngày làm việc kể từ khi nhận đơn này" in text
    assert len(re.findall(r'<ul class="boxes">', html)) == 2  # what I ask for; evidence to keep
    assert 'href="tel:18006838"' in html and "data-province-card" in html


@pytest.mark.parametrize(
    ("lang", "script"), [("km", ("\u1780", "\u17ff")), ("mww", ("a", "z")), ("en", ("a", "z"))]
)
def test_the_letter_speaks_the_readers_language_and_points_to_the_vietnamese_one(client, lang, script):
    html = client.get(f"/{lang}/letter").get_data(as_text=True)
    title = unescape(first_match(r"<h1>(.*?)</h1>", html, re.S))
    assert any(script[0] <= ch <= script[1] for ch in title.lower()), title
    assert title != "Đơn yêu cầu thương lượng và danh sách giấy tờ cần giữ"
    assert 'href="/vi/letter" hreflang="vi"' in html


def test_every_complaints_topic_links_to_the_letter(app, client):
    for lang in state(app).content.languages:
        html = client.get(f"/{lang}/topics/complaints").get_data(as_text=True)
        assert 'href="../letter"' in html, lang
        assert client.get(f"/{lang}/letter").status_code == 200


def test_the_letter_is_saved_offline_with_every_language(app):
    with app.test_request_context():
        for lang in get_content().languages:
            assert f"/{lang}/letter" in pwa.precache_urls(lang)
