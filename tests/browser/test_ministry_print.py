"""The report to the Ministry prints on A4 from the browser: numbered pages ("1 / N"), the
letterhead on the first page, the signature block at the end, no menus or buttons."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path):
    from tests.live_server import LiveServer

    server = LiveServer(tmp_path)
    server.create_user("lan", "--role", "organiser", "--province", "12", "--password", PASSWORD)
    server.start()
    yield server
    server.close()


def test_the_report_prints_on_numbered_a4_pages(server, browser):
    page = browser.new_page(locale="vi-VN")
    year = dt.date.today().year
    page.goto(server.url(f"/organiser/ministry?period={year}"))
    page.fill("#username", "lan")
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.goto(server.url(f"/organiser/ministry?period={year}"))
    page.emulate_media(media="print")
    assert page.locator("nav.subnav").is_hidden() and page.locator(".signoff").is_hidden()
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842), "A4"
    pages = len(pdf.pages)
    first, last = pdf.pages[0].extract_text(), pdf.pages[-1].extract_text()
    assert "Sở Công Thương Lai Châu" in first and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT" in first
    assert f"1 / {pages}" in first and f"{pages} / {pages}" in last
    assert "THỦ TRƯỞNG CƠ QUAN" in last
    page.close()
