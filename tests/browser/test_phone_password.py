"""A staff member's password on the phone, in Vietnamese: wrong password and throttling said in
the phone's language, a reset that asks for a new password at login, and changing one's own."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import staff_login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

NEW = "núi cao suối sâu 2027"


def test_a_reset_asks_for_a_new_password_at_login(server, page):
    temporary = server.loa("users", "reset-password", "mai").strip()
    page.goto(server.url("/vi/staff/"))
    page.fill("#login-username", "mai")
    page.fill("#login-password", "not the password")
    page.click("[data-form=login] button[type=submit]")
    expect(page.locator("[data-field=login-error]")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.")

    page.fill("#login-password", temporary)
    page.click("[data-form=login] button[type=submit]")
    expect(page.locator("[data-field=login-error]")).to_contain_text("Mật khẩu của bạn đã được cấp lại")
    expect(page.locator("#login-new-password")).to_be_visible()
    page.fill("#login-new-password", "123456789012")
    page.fill("#login-new-repeat", "123456789012")
    page.click("[data-form=login] button[type=submit]")
    expect(page.locator("[data-field=login-error]")).to_contain_text("quá phổ biến")
    page.fill("#login-new-password", NEW)
    page.fill("#login-new-repeat", NEW)
    page.click("[data-form=login] button[type=submit]")
    expect(page.locator('section[data-screen="sessions"]')).to_be_visible()


def test_staff_change_their_password_on_the_phone(server, page):
    page.goto(server.url("/vi/staff/"))
    staff_login(page, "mai")
    page.click("details.password-box summary")
    page.fill("#pw-current", PASSWORD)
    page.fill("#pw-new", "ngắn")
    page.fill("#pw-repeat", "ngắn")
    page.click("[data-form=password] button[type=submit]")
    expect(page.locator("[data-field=password-error]")).to_have_text("Mật khẩu cần ít nhất 10 ký tự.")
    page.fill("#pw-new", NEW)
    page.fill("#pw-repeat", NEW)
    page.click("[data-form=password] button[type=submit]")
    expect(page.locator("[data-outbox=message]")).to_contain_text("Đã đổi mật khẩu")
    assert server.query("SELECT count(*) FROM device_tokens WHERE revoked_at IS NULL") == [(1,)]


def test_throttled_login_is_said_in_the_phones_language(server, page):
    page.goto(server.url("/vi/staff/"))
    for _ in range(11):  # LOA_LOGIN_RATE_PER_MINUTE is 10
        page.fill("#login-username", "mai")
        page.fill("#login-password", "not the password")
        page.click("[data-form=login] button[type=submit]")
        expect(page.locator("[data-field=login-error]")).not_to_be_empty()
    expect(page.locator("[data-field=login-error]")).to_contain_text("Thử quá nhiều lần")
