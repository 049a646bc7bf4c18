"""The promise of Loa: after one visit, every page of the visitor's language works with no
network. Here the network is taken away by stopping the server process."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, wait_offline_ready

pytestmark = pytest.mark.browser


def precache_pages(page, server, lang):
    data = page.request.get(server.url(f"/api/v1/content/{lang}")).json()
    return data["topics"], data["quizzes"]


def answer_quiz_right(page):
    for fieldset in page.query_selector_all("fieldset.question"):
        right = fieldset.get_attribute("data-answer")
        fieldset.query_selector(f'input[value="{right}"]').check()
    page.click("form.quiz button[type=submit]")


def test_first_visit_then_offline_every_page_and_quiz(live_server, page):
    page.goto(live_server.url("/vi/"))
    wait_offline_ready(page)
    assert "Sẵn sàng dùng khi không có mạng" in page.inner_text("#status")
    topics, quizzes = precache_pages(page, live_server, "vi")

    live_server.stop()

    page.reload()
    assert page.locator("h1").count() == 1
    for topic in topics:
        page.goto(live_server.url(topic["url"]))
        assert page.inner_text("h1") == topic["title"]
        assert page.get_attribute("html", "lang") == "vi"
        assert page.locator(".keypoints li").count() >= 4
    for quiz in quizzes:
        page.goto(live_server.url(quiz["url"]))
        assert page.locator("fieldset.question").count() == len(quiz["questions"])
    answer_quiz_right(page)
    total = len(quizzes[-1]["questions"])
    page.wait_for_selector(f'form.quiz[data-scored="{total}/{total}"]')
    assert page.locator(".explain:visible").count() == total
    assert str(total) in page.inner_text(".quiz-score")

    page.goto(live_server.url("/vi/never-cached-page"))
    assert page.get_attribute("html", "lang") == "vi"
    assert page.locator('a[href="/vi/topics/complaints"]').count() >= 1
    assert page.locator("h1").inner_text() != ""

    page.goto(live_server.url("/"))  # start_url offline: the saved language
    assert page.url.endswith("/vi/")


def test_wrong_answer_shows_explanation_offline(live_server, page):
    page.goto(live_server.url("/en/quiz/complaints"))
    wait_offline_ready(page)
    live_server.stop()
    page.reload()
    fieldsets = page.query_selector_all("fieldset.question")
    for fieldset in fieldsets:
        right = fieldset.get_attribute("data-answer")
        wrong = next(i for i in fieldset.query_selector_all("input") if i.get_attribute("value") != right)
        wrong.check()
    page.click("form.quiz button[type=submit]")
    page.wait_for_selector(f'form.quiz[data-scored="0/{len(fieldsets)}"]')
    first = page.locator("fieldset.question").first
    assert "The right answer" in first.locator(".verdict").inner_text()
    assert first.locator("label.wrong").count() == 1 and first.locator("label.right").count() == 1


def test_unanswered_questions_are_pointed_out(live_server, page):
    page.goto(live_server.url("/en/quiz/counterfeit"))
    expect(page.locator("form.quiz")).to_have_attribute("data-shuffled", "true")  # the script took over
    page.locator("fieldset.question").first.locator("input").first.check()
    page.click("form.quiz button[type=submit]")
    left = page.locator("fieldset.question").count() - 1
    expect(page.locator(".quiz-score")).to_contain_text(f"{left} left")
    assert page.locator(".explain:visible").count() == 0


def test_content_change_offers_reload_and_keeps_answers(tmp_path, content_dir, browser):
    server = LiveServer(tmp_path, content_dir=content_dir).start()
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(server.url("/en/quiz/complaints"))
        wait_offline_ready(page)
        page.locator("fieldset.question").first.locator("input").nth(1).check()

        server.stop()
        quiz = content_dir / "en" / "quizzes" / "complaints.yaml"
        text = quiz.read_text(encoding="utf-8")
        title_line = next(line for line in text.splitlines() if line.startswith("title:"))
        quiz.write_text(text.replace(title_line, "title: Complaints quiz, new edition"), encoding="utf-8")
        server.loa("content", "import", str(content_dir))
        server.start()

        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_selector('#status[data-update="ready"]', state="attached", timeout=60_000)
        assert "New content" in page.inner_text("#status")
        assert page.inner_text("h1") != "Complaints quiz, new edition"  # nothing changes under her

        page.click("#status button")
        expect(page.locator("h1")).to_contain_text("new edition", timeout=30_000)
        checked = page.locator("fieldset.question").first.locator("input").nth(1)
        expect(checked).to_be_checked()  # the answer she had chosen survives the reload
    finally:
        context.close()
        server.close()
