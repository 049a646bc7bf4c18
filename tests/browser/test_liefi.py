"""Lie-fi: a network that accepts connections and never answers. Saved pages, a saved
leaflet page included, must still open from the phone's cache within 3 s."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_offline_ready
from tests.browser.faulty_proxy import FaultyProxy
from tests.browser.test_leaflet_scans import make_leaflet

pytestmark = pytest.mark.browser

WITHIN = 3.0  # seconds, the budget for a saved page on lie-fi


@pytest.fixture
def proxy(live_server):
    proxy = FaultyProxy(live_server.port)
    yield proxy
    proxy.close()


def seconds_to_open(page, url: str, selector: str) -> float:
    started = time.monotonic()
    page.goto(url, wait_until="commit", timeout=20_000)
    expect(page.locator(selector)).to_be_visible(timeout=20_000)
    return time.monotonic() - started


def test_saved_leaflet_and_topic_pages_open_on_liefi(live_server, proxy, page, tmp_path):
    code = make_leaflet(live_server, tmp_path)
    page.goto(proxy.url(f"/l/{code}"))
    wait_offline_ready(page)
    page.goto(proxy.url("/vi/topics/complaints"))
    expect(page.locator("h1")).to_be_visible()

    proxy.hang()
    leaflet = seconds_to_open(page, proxy.url(f"/l/{code}"), f"article[data-leaflet='{code}']")
    topic = seconds_to_open(page, proxy.url("/vi/topics/complaints"), "h1")
    home = seconds_to_open(page, proxy.url("/"), "h1")
    proxy.release()
    print(f"lie-fi: saved leaflet {leaflet:.2f} s, saved topic {topic:.2f} s, home {home:.2f} s")
    assert leaflet < WITHIN
    assert topic < WITHIN
    assert home < WITHIN
