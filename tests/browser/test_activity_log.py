"""Staff with no signal record campaign activities on the phone: each kind shows only its own
fields and asks for the count in its own words; a count out of range is refused on the phone.
When the network is back, every activity arrives once, with the fields of its kind."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import staff_login, wait_offline_ready

pytestmark = pytest.mark.browser


def test_activities_recorded_offline_arrive_once_with_the_fields_of_their_kind(server, page):
    page.goto(server.url("/vi/staff/"))
    wait_offline_ready(page)
    staff_login(page, "mai")
    expect(page.locator("#staff")).to_have_attribute("data-ready", "true")

    server.stop()  # no signal from here on
    page.click("a[href='#activity']")
    expect(page.locator('section[data-screen="activity"]')).to_be_visible()
    expect(page.locator("label[for=ac-count]")).to_have_text("Số tờ rơi đã phát", use_inner_text=True)
    expect(page.locator("#ac-channel")).to_be_hidden()
    page.fill("#ac-count", "350")
    page.fill("#ac-codes", "abcd-2345, WXYZ-6789")
    page.check("[data-form=activity] input[name=topic_ids][value=counterfeit]")
    page.click("[data-form=activity] button[type=submit]")
    expect(page.locator("[data-list=activities] li")).to_have_count(1)
    assert "Phát tờ rơi: 350" in page.inner_text("[data-list=activities]")

    page.click("a[href='#activity']")
    page.check("[data-form=activity] input[name=kind][value=media]")
    expect(page.locator("label[for=ac-count]")).to_have_text("Số tin, bài", use_inner_text=True)
    expect(page.locator("#ac-codes")).to_be_hidden()
    page.select_option("#ac-channel", "radio")
    page.fill("#ac-link", "javascript:alert(1)")
    page.fill("#ac-count", "2")
    page.click("[data-form=activity] button[type=submit]")
    expect(page.locator("[data-field=activity-error]")).to_contain_text("http://")
    page.fill("#ac-link", "")
    page.fill("#ac-count", "1001")
    page.click("[data-form=activity] button[type=submit]")
    expect(page.locator("[data-field=activity-error]")).to_have_text("Số lượng: một số nguyên từ 1 đến 1000.")
    page.fill("#ac-count", "2")
    page.click("[data-form=activity] button[type=submit]")
    expect(page.locator("[data-list=activities] li")).to_have_count(2)
    expect(page.locator("#staff")).to_have_attribute("data-waiting", "2")

    server.start()
    page.click("[data-action=send-now]")
    expect(page.locator("#staff")).to_have_attribute("data-waiting", "0", timeout=30_000)
    expect(page.locator('[data-outbox="attention-count"]')).to_have_text("0")
    found = server.query(
        "select kind, count, leaflet_codes, channel, batch from activities order by count desc"
    )
    assert found == [("leaflets", 350, '["ABCD2345", "WXYZ6789"]', "", ""), ("media", 2, "[]", "radio", "")]
