"""Staff with no signal record a commune loudspeaker broadcast and run a quiz by show of hands
(each question's hands counted per answer); more hands than people is refused on the phone.
When the network is back, every record arrives once and the figures show them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import staff_login, wait_offline_ready

pytestmark = pytest.mark.browser


def test_a_broadcast_and_a_quiz_by_show_of_hands_offline_arrive_once(server, page):
    page.goto(server.url("/vi/staff/"))
    wait_offline_ready(page)
    staff_login(page, "mai")
    # the quiz page the show of hands reads its questions from, kept for offline use
    page.goto(server.url("/vi/quiz/complaints"))
    page.goto(server.url("/vi/staff/"))
    expect(page.locator("#staff")).to_have_attribute("data-ready", "true")

    server.stop()  # no signal from here on
    page.click("a[href='#broadcast']")
    page.check("[data-form=broadcast] input[name=topic_ids][value=counterfeit]")
    page.fill("#bc-station", "Đài xã Mường Kim")
    page.fill("#bc-minutes", "15")
    page.fill("#bc-repeats", "0")
    page.click("[data-form=broadcast] button[type=submit]")
    expect(page.locator("[data-field=broadcast-error]")).to_have_text("Số lần phát: số nguyên từ 1 đến 50.")
    page.fill("#bc-repeats", "3")
    page.click("[data-form=broadcast] button[type=submit]")
    expect(page.locator('section[data-screen="sessions"]')).to_be_visible()
    expect(page.locator("[data-list=broadcasts] li")).to_have_count(1)
    assert "15 phút × 3 lần" in page.inner_text("[data-list=broadcasts]")

    page.click("a[href='#new']")
    page.fill("[data-commune-search]", "muong kim")
    page.check("input[name=commune_code]")
    page.check("input[name=topic_ids][value=complaints]")
    page.click("[data-form=session] button[type=submit]")
    page.fill("#tally-count", "30")
    page.click("[data-form=tally] button[type=submit]")
    expect(page.locator("[data-field=count]")).to_have_text("30")
    page.select_option("#quiz-pick", "complaints")
    page.click("[data-action=oral-quiz]")
    expect(page.locator('section[data-screen="oral"]')).to_be_visible()
    questions = int(page.inner_text("[data-field=oral-progress]").split("/")[-1])
    for n in range(questions):
        inputs = page.locator("[data-field=oral-options] input")
        if n == 0:  # 31 hands at a session of 30 people: refused, nothing saved
            inputs.nth(0).fill("31")
            page.click("[data-form=oral] button[type=submit]")
            expect(page.locator("[data-field=oral-error]")).to_contain_text("31")
        inputs.nth(0).fill("12")
        inputs.nth(1).fill("9")
        expect(page.locator("[data-field=oral-hands]")).to_have_text("21")
        page.click("[data-form=oral] button[type=submit]")
        if n + 1 < questions:
            expect(page.locator("[data-field=oral-progress]")).to_have_text(f"Câu {n + 2}/{questions}")
    expect(page.locator('section[data-screen="session"]')).to_be_visible()
    expect(page.locator("[data-field=quiz-tallies]")).to_contain_text(str(questions))
    expect(page.locator("#staff")).to_have_attribute("data-waiting", str(3 + questions))

    server.start()
    page.click("[data-action=send-now]")
    expect(page.locator("#staff")).to_have_attribute("data-waiting", "0", timeout=30_000)
    expect(page.locator('[data-outbox="attention-count"]')).to_have_text("0")
    assert server.query("select minutes, repeats, station from broadcasts") == [(15, 3, "Đài xã Mường Kim")]
    assert server.query("select count(*), sum(hands) from quiz_tallies")[0] == (questions, 21 * questions)
