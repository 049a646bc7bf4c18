"""The reader's province card: a leaflet of Lai Châu shows its numbers, the phone remembers the
province, and the topic pages and the letter show the same card, offline too."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_offline_ready
from tests.browser.test_leaflet_scans import make_leaflet

pytestmark = pytest.mark.browser
NUMBER = "0213 3876 543"


def test_a_leaflets_province_card_follows_the_reader_offline(live_server, page, tmp_path):
    live_server.loa("contacts", "set", "12", "--doit", NUMBER)
    code = make_leaflet(live_server, tmp_path)  # complaints, vi, Xã Mường Kim (Lai Châu)
    assert re.fullmatch(r"[A-Z0-9]+", code)

    page.goto(live_server.url(f"/l/{code}"))
    expect(page.locator("#p-12")).to_contain_text(NUMBER)
    wait_offline_ready(page)
    page.goto(live_server.url("/vi/topics/counterfeit"))
    card = page.locator(".contacts .contact-card")
    expect(card).to_contain_text("Lai Châu")
    expect(card.locator('a[href="tel:02133876543"]')).to_have_text(NUMBER)

    live_server.stop()
    page.goto(live_server.url("/vi/letter"))
    expect(page.locator("h1")).to_contain_text("Đơn yêu cầu thương lượng")
    expect(page.locator(".contacts .contact-card")).to_contain_text(NUMBER)
    expect(page.locator("[data-print]")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".bar")).to_be_hidden()
    expect(page.locator(".letter")).to_be_visible()
