"""After "Thêm" on a 360 x 740 phone, the new total and the line just saved are on screen: staff
see that it counted and do not enter it twice."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_session, staff_login

pytestmark = pytest.mark.browser


def in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        "e => { const r = e.getBoundingClientRect();"
        " return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }",
    )


def test_the_total_and_the_saved_line_are_in_view_after_adding(server, page):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(server.url("/vi/staff/"))
    staff_login(page, "mai")
    new_session(page)
    page.fill("#tally-count", "46")
    page.fill("#tally-women", "27")
    page.click("[data-form=tally] button[type=submit]")
    expect(page.locator("[data-field=count]")).to_have_text("46")
    assert in_viewport(page, "[data-field=count]"), "the new total is off screen"
    assert in_viewport(page, "[data-field=last-line]"), "the 'saved' line is off screen"
    assert in_viewport(page, "[data-form=tally] button[type=submit]")
    page.click("[data-action=add-one]")
    expect(page.locator("[data-field=count]")).to_have_text("47")
    assert in_viewport(page, "[data-field=count]") and in_viewport(page, "[data-field=last-line]")


def test_staff_screens_work_where_the_browser_has_no_random_uuid(server, page):
    """Plain HTTP on a local network address (trying Loa from a phone on the same Wi-Fi):
    crypto.randomUUID is missing there, and records still get ids and are sent."""
    page.add_init_script("delete Crypto.prototype.randomUUID")
    page.goto(server.url("/vi/staff/"))
    assert page.evaluate("typeof crypto.randomUUID") == "undefined"
    staff_login(page, "mai")
    new_session(page)
    page.click("[data-action=send-now]")
    expect(page.locator("[data-outbox=message]")).to_have_text("Đã gửi hết.", timeout=20_000)
    [(session_id,)] = server.query("SELECT id FROM sessions")
    assert len(session_id) == 36 and session_id[14] == "4"
