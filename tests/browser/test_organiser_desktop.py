"""Organiser pages on a desktop use its width, on a phone stay one column with no sideways
scrolling; forms marked data-confirm ask first; the printed report has page numbers."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import SMALL_TARGETS, SMALL_TEXT
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
ORGANISER_PAGES = [
    "/organiser/",
    "/organiser/users",
    "/organiser/devices",
    "/organiser/leaflets",
    "/organiser/events",
    "/organiser/report?province=12",
    "/organiser/export.csv?from=2030-01-01",  # nothing to export: the error page
]

LAYOUT_SHIFT = """() => new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })
    .observe({ type: 'layout-shift', buffered: true });
  setTimeout(() => resolve(total), 1500);
})"""


ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 13; SM-A125F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 M"
)


@pytest.fixture
def server(with_data):
    """with_data, and Mai's phone enrolled under its (cut) user agent."""
    with_data.loa("devices", "enroll", "--user", "mai", "--label", ANDROID_CHROME)
    return with_data


def log_in(page, server, path="/organiser/"):
    page.goto(server.url(path))
    page.fill("#username", "boss")
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    expect(page.locator("nav.subnav")).to_be_visible()


def box(page, selector):
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


@pytest.fixture
def desktop(browser):
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def test_dashboard_uses_a_desktops_width(server, desktop):
    page = desktop
    log_in(page, server)
    expect(page.locator("ul.figures")).to_contain_text("58")
    main, filters, figures = box(page, "main"), box(page, ".dash-filters"), box(page, "ul.figures")
    assert main["width"] > 900
    # the filters beside the figures, not above them
    assert filters["x"] + filters["width"] <= figures["x"] and filters["y"] < figures["y"] + figures["height"]
    cards = page.locator("ul.figures li")
    assert cards.nth(0).bounding_box()["y"] == cards.nth(5).bounding_box()["y"], "six figures in a row"
    first, second = box(page, "figure.chart"), page.locator("figure.chart").nth(1).bounding_box()
    assert second is not None and second["x"] >= first["x"] + first["width"], "charts side by side"
    assert abs(second["y"] - first["y"]) < 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate(SMALL_TEXT) == [], "text of 16 px or more"
    assert page.evaluate(SMALL_TARGETS) == [], "touch targets of 44 px"
    assert page.evaluate(LAYOUT_SHIFT) < 0.01, "no layout shift"


def test_organiser_pages_on_a_phone_have_no_sideways_scrolling(server, browser):
    context = browser.new_context(**PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        log_in(page, server)
        for path in ORGANISER_PAGES:
            page.goto(server.url(path))
            expect(page.locator("h1")).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{path} is {width} px wide"
        page.goto(server.url("/organiser/"))
        filters, figures = box(page, ".dash-filters"), box(page, "ul.figures")
        assert filters["y"] + filters["height"] <= figures["y"], "one column: the filters first"
    finally:
        context.close()


def test_organiser_pages_make_no_offline_claim(server, desktop):
    page = desktop
    page.goto(server.url("/organiser/login"))
    expect(page.locator("#status")).to_be_hidden()
    log_in(page, server)
    expect(page.locator("#status")).to_be_hidden()
    page.goto(server.url("/vi/"))
    page.wait_for_selector('#status[data-offline="ready"]', state="attached", timeout=60_000)
    expect(page.locator("#status")).to_be_visible()  # residents' pages still say so


def test_a_form_marked_data_confirm_asks_first(server, desktop):
    page = desktop
    log_in(page, server, "/organiser/devices")
    expect(page.locator(f'span[title="{ANDROID_CHROME}"]')).to_have_text("Chrome on Android 13")
    revoke = page.locator("form.inline", has=page.locator("button.button")).first
    revoke.evaluate("form => { form.dataset.confirm = 'Revoke this phone?'; }")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    revoke.locator("button").click()
    page.wait_for_timeout(300)
    assert questions == ["Revoke this phone?"]
    expect(page.locator("td", has_text="revoked")).to_have_count(0)

    page.once("dialog", lambda dialog: answer(dialog, True))
    with page.expect_navigation():
        revoke.locator("button").click()
    assert len(questions) == 2
    expect(page.locator("table")).to_contain_text("revoked")


def test_printed_report_has_letterhead_signatures_and_page_numbers(server, desktop):
    page = desktop
    log_in(page, server, "/organiser/report?province=12")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    pages = [p.extract_text() for p in pdf.pages]
    count = len(pages)
    first_lines = pages[0].split("\n")[:2]  # the page number (bottom margin) comes out first
    assert first_lines[1].casefold() == "department of industry and trade of lai châu", "the letterhead"
    assert "Prepared by" in pages[-1] and "Head of unit" in pages[-1]
    for number, text in enumerate(pages, 1):
        assert f"{number} / {count}" in text, f"page {number} is numbered"
    assert "Hotline" not in "".join(pages) and "Log out" not in "".join(pages)
