"""What the staff phone says about sending, from the server's answers only: on lie-fi it never
says "sent", it says when it tries next; after an outage the records leave within a minute of
the server coming back, with no 'online' event and no button pressed."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_session, staff_login, wait_offline_ready
from tests.browser.faulty_proxy import FaultyProxy

pytestmark = pytest.mark.browser

MESSAGE = "[data-outbox=message]"


@pytest.fixture
def proxy(server):
    proxy = FaultyProxy(server.port)
    yield proxy
    proxy.close()


def stored_lines(server) -> int:
    return server.query("SELECT count(*) FROM attendance")[0][0]


def add_line(page, count: str) -> None:
    page.fill("#tally-count", count)
    page.click("[data-form=tally] button[type=submit]")


def test_liefi_never_says_sent_and_an_outage_drains_within_a_minute(server, proxy, page):
    page.goto(proxy.url("/vi/staff/"))
    wait_offline_ready(page)
    staff_login(page, "mai")
    new_session(page)
    page.click("[data-action=send-now]")
    expect(page.locator(MESSAGE)).to_have_text("Đã gửi hết.", timeout=20_000)

    proxy.hang()  # lie-fi: connections taken, nothing answered
    add_line(page, "12")
    page.click("[data-action=send-now]")
    expect(page.locator(MESSAGE)).to_contain_text("Không có phản hồi", timeout=40_000)
    expect(page.locator(MESSAGE)).to_contain_text("Còn 1 bản ghi đang chờ; sẽ thử lại lúc", timeout=45_000)
    assert "Đã gửi" not in page.locator(MESSAGE).inner_text()
    assert stored_lines(server) == 0

    server.stop()  # an outage: the proxy answers 502 now
    proxy.release()
    add_line(page, "5")
    page.wait_for_timeout(2_000)
    server.start()
    back = time.monotonic()
    while stored_lines(server) < 2 and time.monotonic() - back < 60:
        time.sleep(1)
    drained = time.monotonic() - back
    print(f"after the outage the outbox drained {drained:.0f} s after the server was back")
    assert stored_lines(server) == 2, "the records left within 60 s, no button pressed"
    expect(page.locator(MESSAGE)).to_contain_text("Đã gửi hết.", timeout=10_000)
