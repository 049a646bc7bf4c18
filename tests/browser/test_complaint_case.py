"""A complaint from intake on a phone with no signal to its resolution by an organiser: staff
take it with a photo and the consumer's consent, advise on the spot; when the network is back
the case, its step and its photo arrive once; the province's organiser sees the contact and the
photo, transfers the case and resolves it with the money recovered."""

from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, staff_login, uploaded_photo, wait_offline_ready

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path):
    from tests.live_server import LiveServer

    server = LiveServer(tmp_path)
    server.create_user(
        "mai", "--role", "staff", "--province", "12", "--commune", "3637", "--password", PASSWORD
    )
    server.create_user("lan", "--role", "organiser", "--province", "12", "--password", PASSWORD)
    server.start()
    yield server
    server.close()


def test_a_complaint_taken_offline_is_resolved_by_the_provinces_organiser(server, page, browser, tmp_path):
    photo = tmp_path / "nhan-hang.jpg"
    # a big camera photo of a label: a gradient with a little grain
    grain = Image.effect_noise((2400, 1800), 12).convert("RGB")
    Image.blend(Image.linear_gradient("L").resize((2400, 1800)).convert("RGB"), grain, 0.3).save(
        photo, "JPEG", quality=95
    )
    page.goto(server.url("/vi/staff/"))
    wait_offline_ready(page)
    staff_login(page, "mai")
    expect(page.locator("#staff")).to_have_attribute("data-ready", "true")

    server.stop()  # no signal
    page.click("a[href='#complaint']")
    page.fill("#cp-goods", "Nồi cơm điện")
    page.fill("#cp-name", "Lò Thị Mai")
    page.click("[data-form=complaint] button[type=submit]")
    expect(page.locator("[data-field=complaint-error]")).to_contain_text("sự việc")
    page.fill("#cp-happened", "Dùng hai ngày thì hỏng, người bán không đổi.")
    page.click("[data-form=complaint] button[type=submit]")
    expect(page.locator("[data-field=complaint-error]")).to_contain_text("đồng ý")
    page.check("[data-form=complaint] input[name=consent]")
    page.fill("#cp-phone", "0912 345 678")
    page.fill("#cp-amount", "650000")
    page.set_input_files("#cp-photos", str(photo))
    page.check("[data-form=complaint] input[name=advised]")
    page.fill("#cp-advice", "Giữ hóa đơn và sản phẩm")
    page.click("[data-form=complaint] button[type=submit]")
    expect(page.locator("[data-list=complaints] li")).to_have_count(1)
    expect(page.locator("#staff")).to_have_attribute("data-waiting", "2")

    server.start()
    page.click("[data-action=send-now]")
    expect(page.locator("#staff")).to_have_attribute("data-waiting", "0", timeout=30_000)
    rows = server.query("select id, status, contact_phone, photo_ids from complaints")
    assert [(r[1], r[2]) for r in rows] == [("advised", "0912 345 678")]
    case_id = rows[0][0]

    uploaded_photo(server)

    desk = browser.new_page(locale="vi-VN")
    desk.goto(server.url(f"/organiser/complaints/{case_id}"))
    desk.fill("#username", "lan")
    desk.fill("#password", PASSWORD)
    desk.click("form.form button[type=submit]")
    desk.goto(server.url(f"/organiser/complaints/{case_id}"))
    expect(desk.locator("h1")).to_have_text("Nồi cơm điện")
    expect(desk.locator("main")).to_contain_text("0912 345 678")
    expect(desk.locator("main")).to_contain_text("người thực hiện: mai")
    image = desk.locator(".photos img")
    expect(image).to_have_count(1)
    assert desk.evaluate("(img) => img.complete && img.naturalWidth", image.element_handle()) == 1280
    desk.check("input[name=step][value=transferred]")
    desk.select_option("#step-to", "market_board")
    desk.click("form.form button[type=submit] >> text=Lưu bước xử lý")
    expect(desk.locator(".flash")).to_contain_text("Đã chuyển")
    desk.check("input[name=step][value=resolved]")
    desk.fill("#step-money", "650000")
    desk.click("form.form button[type=submit] >> text=Lưu bước xử lý")
    expect(desk.locator(".lead")).to_contain_text("Đã giải quyết")
    assert server.query("select status, money_recovered from complaints") == [("resolved", 650000)]
    assert [r[0] for r in server.query("select step from complaint_steps order by taken_at")] == [
        "advised",
        "transferred",
        "resolved",
    ]
    desk.close()
