"""axe-core (the accessibility engine browsers' own tools use) on every kind of screen, at
360 px: no serious or critical violation (contrast for sunlight, names for screen readers,
labels, landmarks, lang attributes). Plus what axe cannot see: 16 px text, 44 px targets,
and the keyboard reaching the main content first."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import wait_offline_ready
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
PAGES = [
    "/vi/",
    "/vi/topics/complaints",
    "/km/topics/counterfeit",
    "/mww/quiz/consumer-day",
    "/en/events",
    "/vi/letter",
    "/km/contacts",
    "/vi/staff/",
    "/vi/offline",
    "/l/",
    "/organiser/login",
]

SMALL_TEXT = """() => [...document.querySelectorAll('main *, header *, footer *, nav *')]
  .filter(e => e.offsetParent && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .filter(e => parseFloat(getComputedStyle(e).fontSize) < 16)
  .map(e => e.tagName + ' ' + e.textContent.trim().slice(0, 40) + ' ' + getComputedStyle(e).fontSize)"""

SMALL_TARGETS = """() => [...document.querySelectorAll('a[href], button, input, select, summary, label.option')]
  .filter(e => e.offsetParent && !e.closest('.prose, .meta, .sources, p.lead, td, .keypoints, .notice'))
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.height < 44 && !(e.tagName === 'INPUT' && e.closest('label')))
  .map(([e, r]) => e.tagName + ' ' + (e.textContent || e.name || '').trim().slice(0, 30) + ' ' + Math.round(r.height))"""


def assert_accessible_at_360px(page):
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(
        f"{v['id']}: {v['help']} ({len(v['nodes'])}×) e.g. {v['nodes'][0]['target']}" for v in serious
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "no sideways scrolling"
    assert page.evaluate(SMALL_TEXT) == [], "text of 16 px or more"
    assert page.evaluate(SMALL_TARGETS) == [], "touch targets of 44 px"


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_violations_at_360px(live_server, page, path):
    page.goto(live_server.url(path))
    assert_accessible_at_360px(page)


def test_organiser_dashboard_is_accessible_at_360px(with_data, page):
    page.goto(with_data.url("/organiser/"))
    page.fill("#username", "boss")
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    expect(page.locator("ul.figures")).to_be_visible()
    assert_accessible_at_360px(page)


def test_data_quality_pages_are_accessible_at_360px(with_data, page):
    page.goto(with_data.url("/organiser/data-quality"))
    page.fill("#username", "boss")
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    expect(page.locator("table").first).to_be_visible()
    assert_accessible_at_360px(page)
    page.locator("table a").first.click()  # the device imported with the records
    expect(page.locator("form.inline").first).to_be_visible()
    assert_accessible_at_360px(page)


def test_keyboard_reaches_the_content_first(live_server, page):
    page.goto(live_server.url("/vi/topics/counterfeit"))
    wait_offline_ready(page)
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_quiz_works_by_keyboard_alone(live_server, page):
    page.goto(live_server.url("/en/quiz/complaints"))
    wait_offline_ready(page)
    page.locator("fieldset.question input").first.focus()
    questions = page.locator("fieldset.question").count()
    for _ in range(questions):
        page.keyboard.press("Space")  # choose the focused option
        page.keyboard.press("Tab")  # on to the next question
    page.keyboard.press("Enter")  # the check button
    expect(page.locator(".quiz-score")).not_to_be_empty()


@pytest.mark.parametrize(
    "path",
    [
        "/organiser/studio",
        "/organiser/studio/topics/markets",
        "/organiser/studio/quizzes/markets",
        "/organiser/studio/translate/km/topics/markets",
        "/organiser/studio/publish",
        "/organiser/studio/history",
    ],
)
def test_studio_pages_are_accessible_at_360px(with_data, page, path):
    with_data.loa("users", "roles", "boss", "--translator", "km", "--reviewer", "km")
    page.goto(with_data.url(path))
    page.fill("#username", "boss")
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible_at_360px(page)
