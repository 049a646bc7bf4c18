"""On the phone, the figures stay right: a tally undone or fixed offline arrives corrected, a
resident answering through the session QR code is counted in the session only with its key,
the code follows the phase, a language switch keeps the session, and options are shuffled."""

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, new_session, staff_login, wait_offline_ready
from tests.browser.test_accessibility import assert_accessible_at_360px

pytestmark = pytest.mark.browser


def counted_attendance(server) -> tuple:
    return tuple(
        int(v)
        for v in server.query(
            "select coalesce(sum(count),0), coalesce(sum(women),0) from attendance where hold = 0"
        )[0]
    )


def test_a_tally_undone_and_fixed_offline_arrives_corrected(server, page):
    page.goto(server.url("/vi/staff/"))
    wait_offline_ready(page)
    staff_login(page, "mai")
    server.stop()  # no signal
    page.reload()
    expect(page.locator("#staff")).to_have_attribute("data-ready", "true")
    new_session(page)
    page.fill("#tally-count", "46")
    page.fill("#tally-women", "27")
    page.click("[data-form=tally] button[type=submit]")
    page.click("[data-action=add-one]")
    expect(page.locator("[data-field=count]")).to_have_text("47")
    undo = page.locator("[data-action=undo]")
    expect(undo).to_be_visible()
    expect(undo).to_be_in_viewport()
    undo.click()  # the +1 was pressed by mistake
    expect(page.locator("[data-field=count]")).to_have_text("46")
    page.click("details.lines summary")
    page.click("[data-list=lines] li >> text=Sửa")
    line = page.locator("[data-list=lines] li").first
    line.locator("input[name=count]").fill("40")
    line.locator("input[name=women]").fill("45")
    line.locator("button[type=submit]").click()
    expect(line.locator(".error")).not_to_be_empty()  # more women than people: refused on the phone
    line.locator("input[name=women]").fill("25")
    line.locator("button[type=submit]").click()
    expect(page.locator("[data-field=count]")).to_have_text("40")
    expect(page.locator("[data-field=women]")).to_have_text("25")

    server.start()
    page.click("[data-action=send-now]")
    expect(page.locator("#staff")).to_have_attribute("data-waiting", "0", timeout=30_000)
    assert counted_attendance(server) == (40, 25)
    kinds = sorted(row[0] for row in server.query("select kind from amendments"))
    assert kinds == ["correction", "void"]
    # session, tally, +1, undo, fix: the server says it holds all five
    expect(page.locator("[data-outbox=receipt]")).to_contain_text("1 đến 5")


def test_a_session_voided_on_the_phone_leaves_the_figures(server, page):
    page.goto(server.url("/vi/staff/"))
    staff_login(page, "mai")
    new_session(page, place="Buổi thử")
    page.fill("#tally-count", "12")
    page.click("[data-form=tally] button[type=submit]")
    page.click("details.lines summary")
    page.click("[data-list=lines] li >> text=Sửa")
    page.click("[data-field=void-session] summary")
    assert_accessible_at_360px(page)  # undo, the lines with their fix form, the void form
    page.click("[data-form=void-session] button[type=submit]")
    expect(page.locator("[data-form=void-session] .error")).to_have_text("Hãy ghi lý do huỷ buổi này.")
    page.fill("#void-reason", "buổi tập huấn thử")
    page.click("[data-form=void-session] button[type=submit]")
    expect(page.locator("[data-field=session-voided]")).to_be_visible()
    page.click("[data-action=send-now]")
    expect(page.locator("#staff")).to_have_attribute("data-waiting", "0", timeout=30_000)
    assert server.query("select count(*) from sessions where hold = 0")[0][0] == 0
    assert counted_attendance(server) == (0, 0)


# The phone's outbox is empty and nothing needs attention: the server accepted every record.
SENT = """async () => {
  const db = await new Promise((resolve) => { const q = indexedDB.open('loa'); q.onsuccess = () => resolve(q.result); });
  const count = (name) => new Promise((resolve) => {
    const request = db.transaction(name).objectStore(name).count();
    request.onsuccess = () => resolve(request.result);
  });
  return (await count('outbox')) === 0 && (await count('attention')) === 0;
}"""


def wait_until_sent(page, seconds: float = 30) -> None:
    """Poll (page.evaluate awaits the promise; wait_for_function would not)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(SENT):
        assert time.monotonic() < deadline, "the phone did not send its records"
        time.sleep(0.2)


def answer_all(page, right=True):
    for fieldset in page.query_selector_all("fieldset.question"):
        answer = fieldset.get_attribute("data-answer")
        choice = next(
            i for i in fieldset.query_selector_all("input") if (i.get_attribute("value") == answer) == right
        )
        choice.check()
    page.click("form.quiz button[type=submit]")
    expect(page.locator("form.quiz")).to_have_attribute("data-recorded", "true")


def test_residents_phones_join_the_session_only_with_the_qr_key(server, page, browser):
    page.goto(server.url("/vi/staff/"))
    staff_login(page, "mai")
    new_session(page)
    page.click("[data-action=show-qr]")
    expect(page.locator("[data-field=qr-url]")).to_contain_text("phase=pre")
    url = page.locator("[data-field=qr-url]").inner_text()
    assert parse_qs(urlsplit(url).query)["phase"] == ["pre"]
    [session_id] = parse_qs(urlsplit(url).query)["session"]
    assert session_id == page.locator("#staff").get_attribute("data-session")
    page.check("[data-form=quiz] input[name=phase][value=post]")  # the talk is over
    expect(page.locator("[data-field=qr-url]")).to_contain_text("phase=post")
    after_url = page.locator("[data-field=qr-url]").inner_text()
    assert parse_qs(urlsplit(after_url).query)["key"] == parse_qs(urlsplit(url).query)["key"]

    def resident(address: str, switch_to: str | None = None) -> None:
        context = browser.new_context(viewport={"width": 360, "height": 740})
        try:
            phone = context.new_page()
            phone.goto(address)
            if switch_to:  # reads better in English: the session, phase and key stay
                phone.click(f"a[data-lang-switch={switch_to}]")
                expect(phone).to_have_url(re.compile(rf"/{switch_to}/quiz/complaints\?session="))
                assert parse_qs(urlsplit(phone.url).query)["key"] == parse_qs(urlsplit(address).query)["key"]
            answer_all(phone)
            wait_until_sent(phone)
        finally:
            context.close()

    resident(url)
    resident(after_url, switch_to="en")
    without_key = re.sub(r"&key=[^&]+", "", url)
    resident(without_key)
    rows = server.query("select session_id, phase, lang from quiz_responses order by phase nulls last")
    assert sorted(rows, key=str) == sorted(
        [(session_id, "pre", "vi"), (session_id, "post", "en"), (None, None, "vi")], key=str
    ), "the answer without the key is anonymous"
    # The staff phone's counts include what residents sent from their own phones.
    page.click("[data-action=send-now]")
    expect(page.locator("[data-outbox=message]")).to_contain_text("Đã gửi hết", timeout=20_000)
    page.reload()
    expect(page.locator('section[data-screen="session"]')).to_be_visible()
    expect(page.locator("[data-field=quiz-pre]")).to_have_text("1")
    expect(page.locator("[data-field=quiz-post]")).to_have_text("1")


def test_options_are_shuffled_for_each_respondent_and_scored_right(server, page):
    page.goto(server.url("/vi/quiz/complaints"))
    source = None
    orders = set()
    for _ in range(6):
        page.goto(server.url("/vi/quiz/complaints"))
        page.evaluate("sessionStorage.clear()")
        page.reload()
        expect(page.locator("form.quiz")).to_have_attribute("data-shuffled", "true")
        order = tuple(
            page.locator("fieldset.question")
            .first.locator("input")
            .evaluate_all("els => els.map(e => e.value)")
        )
        source = source or tuple(sorted(order))
        orders.add(order)
        kept = tuple(
            page.locator("fieldset.question")
            .first.locator("input")
            .evaluate_all("els => els.map(e => e.value)")
        )
        assert kept == order
    assert len(orders) > 1, "a new order for new respondents"
    page.reload()
    again = tuple(
        page.locator("fieldset.question").first.locator("input").evaluate_all("els => els.map(e => e.value)")
    )
    assert again in orders, "the same order after a reload while one person answers"
    answer_all_right = page.query_selector_all("fieldset.question")
    for fieldset in answer_all_right:
        fieldset.query_selector(f"input[value='{fieldset.get_attribute('data-answer')}']").check()
    page.click("form.quiz button[type=submit]")
    n = len(answer_all_right)
    expect(page.locator(".quiz-score")).to_contain_text(f"{n} trên {n}")


def test_a_residents_phone_over_its_quota_sends_what_still_fits_today(tmp_path, page):
    server = LiveServer(tmp_path, extra_env={"LOA_RESIDENT_RECORDS_PER_DAY": "5"}).start()
    try:
        page.goto(server.url("/vi/quiz/complaints"))
        wait_offline_ready(page)
        outbox = server.module_url("outbox")
        server.stop()  # offline: eight anonymous answers wait on the phone
        page.evaluate(
            """async (url) => {
              const outbox = await import(url);
              for (let i = 0; i < 8; i += 1) {
                await outbox.queue('quiz_response', {quiz_id: 'complaints', lang: 'vi', answers: {hotline: 'a'}});
              }
            }""",
            outbox,
        )
        server.start()
        page.evaluate("async (url) => { try { await (await import(url)).sendAll(); } catch (e) {} }", outbox)
        assert server.query("select count(*) from quiz_responses")[0][0] == 5, "what fits today was sent"
        waiting = page.evaluate(
            """async () => new Promise((resolve) => { const q = indexedDB.open('loa'); q.onsuccess = () => {
              const r = q.result.transaction('outbox').objectStore('outbox').count(); r.onsuccess = () => resolve(r.result); }; })"""
        )
        assert waiting == 3, "the rest waits on the phone for tomorrow"
    finally:
        server.close()
