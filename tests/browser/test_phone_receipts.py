"""What the phone knows and shows about the server's side: sequence numbers no two tabs share,
the receipt ("the server has records 1 to N", and the gaps), "needs attention" in the user's
language, a void session closed on the phone, the session QR code redrawn for the phase, a
language switch in a pass-around session quiz, and options in a new order for each person."""

import io
import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_session, staff_login, wait_offline_ready
from tests.browser.test_accessibility import assert_accessible_at_360px
from tests.conftest import KHOEN_ON, PASSWORD, rid, session_record

pytestmark = pytest.mark.browser


# Start queueing `n` anonymous answers in this tab without waiting: the tabs run at once.
QUEUE_MANY = """async ([url, n]) => {
  const outbox = await import(url);
  window.queued = Promise.all(Array.from({length: n}, () =>
    outbox.queue('quiz_response', {quiz_id: 'complaints', lang: 'vi', answers: {acknowledge: 'c'}})));
}"""

OUTBOX = """async () => {
  const db = await new Promise((resolve) => { const q = indexedDB.open('loa'); q.onsuccess = () => resolve(q.result); });
  const all = (name) => new Promise((resolve) => {
    const request = db.transaction(name).objectStore(name).getAll();
    request.onsuccess = () => resolve(request.result);
  });
  return {outbox: await all('outbox'), attention: await all('attention'), settings: await all('settings')};
}"""


def wait_until_empty(page, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while page.evaluate(OUTBOX)["outbox"]:
        assert time.monotonic() < deadline, "the phone did not send its records"
        time.sleep(0.2)


def test_two_tabs_never_share_a_sequence_number_and_the_server_holds_them_all(server, phone):
    tabs = [phone.new_page(), phone.new_page()]
    for tab in tabs:
        tab.goto(server.url("/vi/quiz/complaints"))
    wait_offline_ready(tabs[0])
    outbox = server.module_url("outbox")
    server.stop()  # offline: the records wait on the phone
    for tab in tabs:  # a new phone: both tabs make its device id at the same moment
        tab.evaluate(QUEUE_MANY, [outbox, 40])
    for tab in tabs:
        tab.evaluate("async () => { await window.queued; }")
    state = tabs[0].evaluate(OUTBOX)
    seqs = sorted(item["record"]["seq"] for item in state["outbox"])
    assert seqs == list(range(1, 81)), "one number each, from 1, none twice"
    [device] = [row["value"] for row in state["settings"] if row["key"] == "device_id"]

    server.start()
    tabs[0].evaluate("async (url) => { await (await import(url)).sendAll(); }", outbox)
    wait_until_empty(tabs[0])  # the other tab may have been the one sending
    rows = server.query("select seq from device_seqs where device_id = :d order by seq", {"d": device})
    assert [r[0] for r in rows] == list(range(1, 81))
    receipt = tabs[1].evaluate("async (url) => (await import(url)).receipt()", outbox)
    assert (receipt["received_through"], receipt["gaps"]) == (80, [])


def test_the_staff_page_shows_the_receipt_its_gaps_and_what_needs_attention(server, page, tmp_path):
    server.create_user(
        "tuan", "--role", "staff", "--province", "12", "--commune", str(KHOEN_ON), "--password", PASSWORD
    )
    page.goto(server.url("/vi/staff/"))
    staff_login(page, "mai")
    outbox = server.module_url("outbox")
    their_session = session_record(KHOEN_ON, place="Bản Khoen")  # Tuấn's, in a commune not Mai's
    server.stop()
    page.evaluate(
        """async ([url, session]) => {
          const outbox = await import(url);
          await outbox.queue('attendance', {session_id: session, count: 5, women: 2, ethnic_minority: 0}, 'mai');
          const lost = await outbox.queue('quiz_response', {quiz_id: 'complaints', lang: 'vi', answers: {acknowledge: 'c'}}, 'mai');
          await outbox.queue('quiz_response', {quiz_id: 'complaints', lang: 'vi', answers: {acknowledge: 'c'}}, 'mai');
          const db = await new Promise((resolve) => { const q = indexedDB.open('loa'); q.onsuccess = () => resolve(q.result); });
          await new Promise((resolve) => {  // record 2 never reaches the server
            const tx = db.transaction('outbox', 'readwrite');
            tx.objectStore('outbox').delete(lost.id);
            tx.oncomplete = resolve;
          });
        }""",
        [outbox, their_session["id"]],
    )
    server.start()
    page.click("[data-action=send-now]")
    expect(page.locator("#staff")).to_have_attribute("data-waiting", "0", timeout=30_000)
    receipt = page.locator("[data-outbox=receipt]")
    expect(receipt).to_have_text("Máy chủ đã có bản ghi 1 đến 1 từ điện thoại này. Chưa nhận được: 2.")
    expect(page.locator("[data-outbox=attention-box]")).to_be_hidden()

    # Tuấn's session arrives: Mai's line never counts, and her phone is told at its next sync,
    # even with nothing left to send.
    export = tmp_path / "tuan.json"
    export.write_text(json.dumps({"format": "loa-outbox", "device_id": rid(), "records": [their_session]}))
    server.loa("sync", "import", str(export), "--user", "tuan")
    for _ in range(2):  # told at every sync, listed once
        page.click("[data-action=send-now]")
        expect(page.locator("[data-outbox=attention-count]")).to_have_text("1")
    item = page.locator("[data-outbox=attention] li")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Buổi này thuộc một xã không do bạn phụ trách")
    assert "commune" not in item.inner_text(), "in Vietnamese, not the server's English"
    assert_accessible_at_360px(page)  # the receipt and "needs attention"
    exported = page.evaluate("async (url) => (await (await import(url)).exportUnsent()).records", outbox)
    assert exported == [], "the server has that record: nothing to export"


def test_a_void_session_takes_no_more_people_and_is_marked_in_the_list(server, page):
    page.goto(server.url("/vi/staff/"))
    staff_login(page, "mai")
    new_session(page, place="Buổi thử")
    page.click("[data-action=add-one]")
    page.click("[data-field=void-session] summary")
    page.fill("#void-reason", "buổi thử")
    page.click("[data-form=void-session] button[type=submit]")
    expect(page.locator("[data-field=session-voided]")).to_be_visible()
    expect(page.locator("[data-action=add-one]")).to_be_hidden()
    expect(page.locator("[data-form=tally]")).to_be_hidden()
    expect(page.locator("[data-action=show-qr]")).to_be_hidden()
    page.click("[data-screen=session] a[href='#sessions']")
    expect(page.locator(".session-list li")).to_contain_text("đã huỷ")


def decode_qr(page) -> str:
    import zxingcpp
    from PIL import Image

    png = page.locator("[data-field=qr-image] svg").screenshot()
    [text] = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    return text


def test_the_session_qr_code_is_redrawn_when_the_phase_changes(server, page):
    page.goto(server.url("/vi/staff/"))
    staff_login(page, "mai")
    new_session(page)
    page.click("[data-action=show-qr]")
    caption = page.locator("[data-field=qr-caption]")
    expect(caption).to_contain_text("trước buổi nói chuyện")
    before = decode_qr(page)
    assert parse_qs(urlsplit(before).query)["phase"] == ["pre"]
    page.check("[data-form=quiz] input[name=phase][value=post]")
    expect(caption).to_contain_text("sau buổi nói chuyện")
    expect(page.locator("[data-field=qr-url]")).to_contain_text("phase=post")
    after = decode_qr(page)
    query = parse_qs(urlsplit(after).query)
    assert query["phase"] == ["post"] and query["mode"] == ["resident"]
    assert query["key"] == parse_qs(urlsplit(before).query)["key"] and len(query["key"][0]) == 22
    assert_accessible_at_360px(page)  # the code, its caption and address


def first_question_order(page) -> tuple:
    return tuple(
        page.locator("fieldset.question").first.locator("input").evaluate_all("els => els.map(e => e.value)")
    )


def answer_right(page) -> None:
    for fieldset in page.query_selector_all("fieldset.question"):
        fieldset.query_selector(f"input[value='{fieldset.get_attribute('data-answer')}']").check()
    page.click("form.quiz button[type=submit]")
    expect(page.locator("form.quiz")).to_have_attribute("data-recorded", "true")


def test_a_language_switch_keeps_the_pass_around_session_and_each_person_gets_a_new_order(server, page):
    page.goto(server.url("/vi/staff/"))
    staff_login(page, "mai")
    new_session(page)
    expect(page.locator("#staff")).to_have_attribute("data-session", re.compile("."))
    session_id = page.locator("#staff").get_attribute("data-session")
    page.click("[data-form=quiz] button[type=submit]")  # pass the phone around
    expect(page).to_have_url(re.compile(rf"/vi/quiz/complaints\?session={session_id}&phase=pre$"))
    english = page.locator("a[data-lang-switch=en]")
    expect(english).to_have_attribute(
        "href", re.compile(rf"/en/quiz/complaints\?session={session_id}&phase=pre")
    )
    first = page.locator("fieldset.question").first
    first.locator(f"input[value='{first.get_attribute('data-answer')}']").check()
    order = first_question_order(page)

    english.click()  # the next person reads English better
    expect(page).to_have_url(re.compile(rf"/en/quiz/complaints\?session={session_id}&phase=pre$"))
    expect(page.locator("form.quiz")).to_have_attribute("data-shuffled", "true")
    assert first_question_order(page) == order, "the same person: the same order"
    expect(page.locator("fieldset.question").first.locator("input:checked")).to_have_count(1)  # kept
    expect(page.locator(".session-banner")).to_be_visible()
    answer_right(page)
    questions = page.locator("fieldset.question").count()
    expect(page.locator(".quiz-score")).to_contain_text(f"{questions} of {questions}")
    expect(page.locator(".next-person")).to_be_visible()

    orders = {order}
    for _ in range(5):  # five more people, each with a new order, each scored by option id
        page.click(".next-person")
        expect(page.locator("form.quiz")).not_to_have_attribute("data-recorded", "true")
        orders.add(first_question_order(page))
        answer_right(page)
        expect(page.locator(".quiz-score")).to_contain_text(f"{questions} of {questions}")
    assert len(orders) > 1, "a new order for each new person"

    page.goto(server.url("/en/staff/"))
    page.click("[data-action=send-now]")
    expect(page.locator("#staff")).to_have_attribute("data-waiting", "0", timeout=30_000)
    rows = server.query("select session_id, phase, lang, correct from quiz_responses")
    assert rows == [(session_id, "pre", "en", questions)] * 6
