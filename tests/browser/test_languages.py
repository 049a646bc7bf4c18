"""Languages in the browser: Khmer chosen online keeps working offline with its own font;
a language that is not saved says so offline instead of failing."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_offline_ready

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"

KHMER_FONT_LOADED = (
    "[...document.fonts].filter(f => f.family.includes('Loa Khmer') && f.status === 'loaded').length"
)


def test_switch_to_khmer_online_then_read_it_offline(live_server, page):
    page.goto(live_server.url("/vi/"))
    wait_offline_ready(page)
    page.click('a[data-lang-switch="km"]')
    expect(page.locator("html")).to_have_attribute("lang", "km")
    wait_offline_ready(page)

    live_server.stop()

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    page.click('a[href="/km/topics/complaints"] >> nth=0')
    expect(page.locator("h1")).to_be_visible()
    assert any("\u1780" <= ch <= "\u17ff" for ch in page.inner_text("h1")), "the title is in Khmer"
    for _ in range(50):
        if page.evaluate(KHMER_FONT_LOADED):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(KHMER_FONT_LOADED) >= 1, "Loa's own Khmer font is used offline"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "khmer-complaints-offline.png"), full_page=True)

    page.goto(live_server.url("/"))  # the saved choice, offline
    assert page.url.endswith("/km/")


def test_vietnamese_pages_do_not_download_the_khmer_font(live_server, page):
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(live_server.url("/vi/topics/counterfeit"))
    wait_offline_ready(page)
    assert not [u for u in requested if "/fonts/" in u]


def test_language_not_saved_offline_offers_download(live_server, page):
    page.goto(live_server.url("/vi/"))
    wait_offline_ready(page)
    live_server.stop()
    page.goto(live_server.url("/mww/topics/complaints"))
    notice = page.locator(".lang-notice")
    expect(notice).to_contain_text("Hmoob")
    expect(notice).to_contain_text("chưa được lưu")
    notice.locator("button").click()
    expect(notice).to_contain_text("sẽ được tải về")

    live_server.start()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator(".lang-notice a")).to_have_attribute("href", "/mww/", timeout=30_000)
    live_server.stop()
    page.click(".lang-notice a")
    expect(page.locator("html")).to_have_attribute("lang", "mww")
