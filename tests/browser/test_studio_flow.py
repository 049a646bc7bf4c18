"""The studio end to end in a real browser: an editor writes a topic and its quiz, a translator
translates it into Khmer, the editor changes a sentence of the source, the translation shows stale
with the change, the translator updates it, a reviewer signs it off, the editor publishes, and a
phone that had Loa offline gets the new topic on its next visit and reads it with no network."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, wait_offline_ready
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "vi-VN"}
TOPIC = "livestream-scams"
KEY_POINTS = [
    "Người bán livestream phải cho biết tên, địa chỉ và số điện thoại.",
    "Quay video lúc mở hàng: đó là bằng chứng.",
    "Không chuyển tiền cọc cho tài khoản cá nhân lạ.",
    "Gọi tổng đài miễn phí để được hướng dẫn.",
]


@pytest.fixture
def studio_server(tmp_path):
    server = LiveServer(tmp_path)
    server.create_user("boss", "--role", "organiser", "--password", PASSWORD)
    for name in ("lan", "hoa"):
        server.create_user(name, "--role", "staff", "--province", "12", "--password", PASSWORD)
    server.loa("users", "roles", "lan", "--translator", "km")
    server.loa("users", "roles", "hoa", "--reviewer", "km")
    server.start()
    yield server
    server.close()


def signed_in(browser, server, username: str):
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(server.url("/organiser/studio"))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Xưởng nội dung")
    return context, page


def write_topic(page, server) -> None:
    page.goto(server.url("/organiser/studio/topics/new"))
    page.fill("#topic_id", TOPIC)
    page.fill("#title", "Mua hàng qua livestream")
    page.fill("#summary", "Mua qua livestream vẫn được pháp luật bảo vệ.")
    page.fill("#order", "8")
    page.fill("#key_point_1", "x" * 141)
    expect(page.locator("#key_point_1-count")).to_have_text("141/140")
    expect(page.locator("#key_point_1-count")).to_have_class("count over")
    for i, point in enumerate(KEY_POINTS, start=1):
        page.fill(f"#key_point_{i}", point)
    expect(page.locator("#key_point_1-count")).to_have_text(f"{len(KEY_POINTS[0])}/140")
    page.fill("#body", "Hỏi rõ giá trước khi đặt hàng.\n")
    page.click("#body")
    page.keyboard.press("Control+Home")
    page.click("[data-md=heading]")  # the toolbar inserts a heading at the cursor
    expect(page.locator("#preview h2")).to_be_visible()  # the live preview, rendered by the server
    page.fill("#body", "## Trước khi đặt hàng\n\nHỏi rõ giá và cách đổi trả.\n")
    expect(page.locator("#preview h2")).to_have_text("Trước khi đặt hàng")
    page.click("button:has-text('Lưu bản nháp')")
    expect(page.locator(".flash")).to_contain_text("Đã lưu bản nháp")


def add_picture(page, server, tmp_path) -> None:
    import os

    from PIL import Image

    photo = tmp_path / "nhan-that.jpg"
    Image.frombytes("RGB", (300, 225), os.urandom(300 * 225 * 3)).resize((1600, 1200)).save(photo, quality=90)
    page.goto(server.url(f"/organiser/studio/topics/{TOPIC}"))
    page.set_input_files("#picture", str(photo))
    page.fill("#alt", "Nhãn thật của một gói hàng")
    page.click("button:has-text('Thêm ảnh này')")
    expect(page.locator(".flash")).to_contain_text("Đã thêm ảnh vào cuối bài")
    expect(page.locator("#preview img[alt='Nhãn thật của một gói hàng']")).to_be_visible()


def write_quiz(page, server) -> None:
    page.goto(server.url("/organiser/studio"))
    page.click(f"a[href='/organiser/studio/quizzes/{TOPIC}?topic={TOPIC}']")
    page.fill("#title", "Trắc nghiệm: livestream")
    for i in range(5):
        page.fill(f"#q{i}-text", f"Câu {i + 1}: người bán livestream phải làm gì?")
        page.fill(f"#q{i}-opt-a", "Cho biết tên và địa chỉ.")
        page.fill(f"#q{i}-opt-b", "Không cần cho biết gì.")
        page.check(f"#q{i}-answer-a")
        page.fill(f"#q{i}-explanation", "Luật 19/2023 buộc người bán cho biết thông tin của mình.")
    page.click("button:has-text('Lưu bản nháp')")
    expect(page.locator(".flash")).to_contain_text("Đã lưu bản nháp")


def picture_url(page) -> str:
    """The picture's address, from the Vietnamese body shown beside the translation."""
    import re

    source = page.locator(".tr-source .tr-text").last.inner_text()
    found = re.search(r"\((/media/[^)]+)\)", source)
    assert found, source
    return found.group(1)


def translate(page, server, title: str) -> None:
    page.goto(server.url(f"/organiser/studio/translate/km/topics/{TOPIC}"))
    texts = page.locator("textarea[name^=text-]")
    for i in range(texts.count()):
        if not texts.nth(i).input_value():
            last = i == texts.count() - 1
            body = "## ផ្នែក\n\nអត្ថបទ។\n\n![ស្លាកពិតរបស់កញ្ចប់ទំនិញ](" + picture_url(page) + ")"
            texts.nth(i).fill(body if last else f"អត្ថបទខ្មែរ {i}")
    texts.first.fill(title)
    page.click("button:has-text('Lưu')")
    expect(page.locator(".flash")).to_be_visible()


def test_write_translate_review_publish_and_read_offline(studio_server, browser, phone, tmp_path):
    server = studio_server
    reader = phone.new_page()
    reader.goto(server.url("/km/"))
    wait_offline_ready(reader)

    editor_context, editor = signed_in(browser, server, "boss")
    translator_context, translator = signed_in(browser, server, "lan")
    reviewer_context, reviewer = signed_in(browser, server, "hoa")
    try:
        write_topic(editor, server)
        add_picture(editor, server, tmp_path)
        write_quiz(editor, server)
        translate(translator, server, "ការទិញតាមការផ្សាយផ្ទាល់")

        # The editor changes the source title: the Khmer title is stale, with what changed.
        editor.goto(server.url(f"/organiser/studio/topics/{TOPIC}"))
        editor.fill("#title", "Mua hàng khi xem livestream")
        editor.click("button:has-text('Lưu bản nháp')")
        translator.goto(server.url(f"/organiser/studio/translate/km/topics/{TOPIC}"))
        title_row = translator.locator("section.tr-row").first
        expect(title_row).to_have_class("tr-row tr-stale")
        expect(title_row.locator("pre.diff")).to_contain_text("+Mua hàng khi xem livestream")
        translate(translator, server, "ការទិញទំនិញពេលមើលការផ្សាយផ្ទាល់")
        expect(translator.locator("section.tr-row").first).to_have_class("tr-row tr-draft")

        # The reviewer signs every field off.
        reviewer.goto(server.url(f"/organiser/studio/translate/km/topics/{TOPIC}"))
        boxes = reviewer.locator("input[name^=review-]")
        for i in range(boxes.count()):
            boxes.nth(i).check()
        reviewer.click("button:has-text('Lưu')")
        expect(reviewer.locator("section.tr-row.tr-reviewed")).to_have_count(boxes.count())
        expect(reviewer.locator("section.tr-row").first).to_contain_text("hoa")

        editor.goto(server.url("/organiser/studio/publish"))
        expect(editor.locator(".changes")).to_contain_text(f"km/topics/{TOPIC}.md")
        editor.fill("#note", "Chủ đề mới: mua hàng qua livestream")
        editor.click("button:has-text('Xuất bản ngay')")
        expect(editor.locator(".flash")).to_contain_text("Đã xuất bản bản 2")
    finally:
        for context in (editor_context, translator_context, reviewer_context):
            context.close()

    # The phone's next visit: the update is offered, taken, and the new topic read offline.
    reader.reload()
    reader.wait_for_selector('#status[data-update="ready"]', state="attached", timeout=60_000)
    reader.click("#status button")
    expect(reader.locator(f"a[href$='/km/topics/{TOPIC}']")).to_be_visible(timeout=30_000)
    wait_offline_ready(reader)
    server.stop()
    reader.goto(server.url(f"/km/topics/{TOPIC}"))
    expect(reader.locator("h1")).to_have_text("ការទិញទំនិញពេលមើលការផ្សាយផ្ទាល់")
    picture = reader.locator("main img[alt='ស្លាកពិតរបស់កញ្ចប់ទំនិញ']")
    picture.scroll_into_view_if_needed()
    reader.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
