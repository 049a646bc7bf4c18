"""A village session with no signal: log in, lose the network, record a session, attendance
and 20 quiz answers, close the browser, reopen it, get the network back, and find every
record on the server exactly once, through a server error and a lost answer."""

import io

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, LiveServer, staff_login, wait_offline_ready
from tests.browser.faulty_proxy import FaultyProxy
from tests.conftest import KHOEN_ON, MUONG_KIM, PASSWORD

pytestmark = pytest.mark.browser
RESIDENTS = 20


def counts(server):
    one = lambda sql: server.query(sql)[0]  # noqa: E731
    return {
        "sessions": one("select count(*) from sessions")[0],
        "attendance": tuple(
            int(v)
            for v in one(
                "select coalesce(sum(count),0), coalesce(sum(women),0), "
                "coalesce(sum(ethnic_minority),0), coalesce(sum(elderly),0), coalesce(sum(disabled),0) "
                "from attendance"
            )
        ),
        "quiz": one("select count(*) from quiz_responses")[0],
        "ledger": one("select count(*) from sync_records")[0],
        "located": one("select count(*) from attendance where commune_code = 3637")[0],
    }


@pytest.fixture
def server(tmp_path):
    server = LiveServer(tmp_path)
    server.create_user(
        "mai",
        "--role",
        "staff",
        "--province",
        "12",
        "--commune",
        "3637",
        "--commune",
        "3640",
        "--password",
        PASSWORD,
    )
    server.start()
    yield server
    server.close()


def open_phone(playwright_instance, profile):
    context = playwright_instance.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, **PHONE
    )
    context.set_default_timeout(20_000)
    return context, (context.pages[0] if context.pages else context.new_page())


def answer_quiz(page, right: bool):
    for fieldset in page.query_selector_all("fieldset.question"):
        answer = fieldset.get_attribute("data-answer")
        inputs = fieldset.query_selector_all("input")
        choice = next(i for i in inputs if (i.get_attribute("value") == answer) == right)
        choice.check()
    page.click("form.quiz button[type=submit]")
    expect(page.locator("form.quiz")).to_have_attribute("data-recorded", "true")


def test_village_session_offline_arrives_exactly_once(server, playwright_instance, tmp_path):
    proxy = FaultyProxy(server.port)
    profile = tmp_path / "phone-profile"
    context, page = open_phone(playwright_instance, profile)
    try:
        page.goto(proxy.url("/vi/staff/"))
        wait_offline_ready(page)
        staff_login(page, "mai")

        server.stop()  # no signal from here on
        page.reload()
        expect(page.locator("#staff")).to_have_attribute("data-ready", "true")
        page.click("a[href='#new']")
        page.fill("[data-commune-search]", "muong kim")  # no accents typed
        page.check("input[name=commune_code]")
        page.check("input[name=topic_ids][value=complaints]")
        page.fill("#session-place", "Nhà văn hóa bản Nà Khương")
        page.click("[data-form=session] button[type=submit]")
        expect(page.locator('section[data-screen="session"]')).to_be_visible()
        page.fill("#tally-count", "46")
        page.fill("#tally-women", "27")
        page.fill("#tally-minority", "31")
        page.fill("#tally-elderly", "47")  # more elderly than people: refused on the phone
        page.click("[data-form=tally] button[type=submit]")
        expect(page.locator("[data-field=tally-error]")).to_contain_text("46")
        page.fill("#tally-elderly", "9")
        page.click("[data-form=tally] button[type=submit]")
        expect(page.locator("[data-field=count]")).to_have_text("46")
        page.check("[data-person=women]")
        page.check("[data-person=disabled]")
        page.click("[data-action=add-one]")
        expect(page.locator("[data-field=count]")).to_have_text("47")
        expect(page.locator("[data-field=women]")).to_have_text("28")
        expect(page.locator("[data-field=elderly]")).to_have_text("9")
        expect(page.locator("[data-field=disabled]")).to_have_text("1")

        page.click("[data-action=show-qr]")  # the session QR for residents' phones
        qr_png = page.locator("[data-field=qr-image] svg").screenshot()
        import zxingcpp
        from PIL import Image

        [decoded] = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png)))]
        assert decoded.startswith(proxy.url("/vi/quiz/complaints?session="))
        assert "&mode=resident&key=" in decoded, "residents' answers join with the key the code carries"

        page.click("[data-form=quiz] button[type=submit]")  # pass the phone around
        for resident in range(RESIDENTS):
            answer_quiz(page, right=resident % 3 != 0)
            page.click(".next-person")
            expect(page.locator("form.quiz")).not_to_have_attribute("data-recorded", "true")
        page.goto(proxy.url("/vi/staff/"))
        expect(page.locator("#staff")).to_have_attribute("data-waiting", str(3 + RESIDENTS))
    finally:
        context.close()  # the browser is closed, as a phone would kill it

    context, page = open_phone(playwright_instance, profile)
    try:
        page.goto(proxy.url("/vi/staff/"))
        expect(page.locator("#staff")).to_have_attribute("data-waiting", str(3 + RESIDENTS))
        assert counts(server)["ledger"] == 0

        server.start()
        proxy.plan = ["500", "lose-answer"]  # a server error, then an answer lost on the way
        page.click("[data-action=send-now]")
        expect(page.locator("#staff")).to_have_attribute("data-waiting", str(3 + RESIDENTS))
        page.click("[data-action=send-now]")  # the server stored them, the phone does not know
        expect(page.locator("#staff")).to_have_attribute("data-waiting", str(3 + RESIDENTS))
        page.click("[data-action=send-now]")
        expect(page.locator("#staff")).to_have_attribute("data-waiting", "0", timeout=30_000)
        assert proxy.sync_requests >= 3
        got = counts(server)
        assert got["sessions"] == 1
        assert got["attendance"] == (47, 28, 31, 9, 1)
        assert got["quiz"] == RESIDENTS
        assert got["ledger"] == 3 + RESIDENTS
        assert got["located"] == 2
        expect(page.locator('[data-outbox="last"]')).not_to_have_text("chưa có")
    finally:
        context.close()
        proxy.close()


def open_session(page, commune_search, commune_code, place):
    page.click("a[href='#new']")
    page.fill("[data-commune-search]", commune_search)
    # The exact commune, not the first in the list: the list filters as the search is typed.
    page.locator(f"input[name=commune_code][value='{commune_code}']").check()
    page.check("input[name=topic_ids][value=counterfeit]")
    page.fill("#session-place", place)
    page.click("[data-form=session] button[type=submit]")
    expect(page.locator('section[data-screen="session"]')).to_be_visible()


def test_shared_phone_switches_staff_without_losing_records(server, phone, browser):
    server.create_user(
        "tuan", "--role", "staff", "--province", "12", "--commune", "3640", "--password", PASSWORD
    )
    page = phone.new_page()
    page.goto(server.url("/vi/staff/"))
    wait_offline_ready(page)
    staff_login(page, "mai")
    page.click("[data-action=switch]")
    staff_login(page, "tuan")  # both logged in once, with a network

    server.stop()
    open_session(page, "khoen", KHOEN_ON, "Bản Khoen")  # Tuấn's session
    page.goto(server.url("/vi/staff/#login"))
    page.click("[data-list=accounts] button >> text=mai")  # switch back to Mai, offline
    open_session(page, "muong kim", MUONG_KIM, "Bản Nà")  # Mai's session
    page.goto(server.url("/vi/staff/"))
    expect(page.locator("#staff")).to_have_attribute("data-waiting", "2")

    server.start()
    page.click("[data-action=send-now]")
    expect(page.locator("#staff")).to_have_attribute("data-waiting", "0", timeout=30_000)
    rows = server.query(
        "select s.place, u.username from sessions s join users u on u.id = s.user_id order by s.place"
    )
    assert rows == [("Bản Khoen", "tuan"), ("Bản Nà", "mai")]

    # A resident answers on their own phone through the session QR code.
    page.goto(server.url("/vi/staff/"))
    page.click(".session-list a >> nth=0")
    page.click("[data-action=show-qr]")
    expect(page.locator("[data-field=qr-url]")).to_contain_text("session=")  # drawn after the encoder loads
    url = page.inner_text("[data-field=qr-url]")
    session_id = url.split("session=")[1].split("&")[0]
    resident = browser.new_context(**PHONE).new_page()
    resident.goto(url)
    for fieldset in resident.query_selector_all("fieldset.question"):
        fieldset.query_selector("input").check()
    resident.click("form.quiz button[type=submit]")
    expect(resident.locator(".quiz-score")).to_contain_text("Cảm ơn")
    for _ in range(100):
        if server.query("select count(*) from quiz_responses where session_id = :s", {"s": session_id})[0][0]:
            break
        resident.wait_for_timeout(200)
    assert server.query(
        "select phase, commune_code from quiz_responses where session_id = :s", {"s": session_id}
    ) == [("pre", 3637)]  # Mai's session is in Mường Kim
    resident.context.close()
