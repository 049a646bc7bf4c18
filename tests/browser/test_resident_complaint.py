"""A consumer tells the commune about a problem from their own phone with no signal: the form
opened from a leaflet (with its commune) works offline, refuses a contact without consent, and
the complaint and its photo arrive once the phone has a network, anonymously, for the province's
organisers."""

from __future__ import annotations

import json
import time

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import uploaded_photo, wait_offline_ready

pytestmark = pytest.mark.browser


def test_a_residents_complaint_queued_offline_arrives_once(server, page, tmp_path):
    photo = tmp_path / "hoa-don.png"
    grain = Image.effect_noise((2400, 1800), 12).convert("RGB")  # a big phone photo of a receipt
    Image.blend(Image.linear_gradient("L").resize((2400, 1800)).convert("RGB"), grain, 0.3).save(photo)
    page.goto(server.url("/vi/"))
    wait_offline_ready(page)
    server.stop()  # no signal
    page.goto(server.url("/vi/complaint?commune=3637"))
    form = page.locator("[data-complaint-form]")
    expect(form).to_be_visible()
    page.fill("#rc-goods", "Thuốc trừ sâu")
    page.fill("#rc-happened", "Nhãn không có tiếng Việt, người bán nói là hàng chính hãng.")
    page.fill("#rc-phone", "0987 654 321")
    page.click("[data-complaint-form] button[type=submit]")
    expect(page.locator("[data-complaint-error]")).to_contain_text("đồng ý")
    page.check("[data-complaint-form] input[name=consent]")
    page.set_input_files("#rc-photos", [str(photo)] * 6)
    page.click("[data-complaint-form] button[type=submit]")
    expect(page.locator("[data-complaint-error]")).to_contain_text("5")
    page.set_input_files("#rc-photos", str(photo))
    page.click("[data-complaint-form] button[type=submit]")
    expect(page.locator("[data-complaint-saved]")).to_contain_text("Cảm ơn")

    server.start()
    page.goto(server.url("/vi/letter"))  # any page sends what waits
    for _ in range(60):
        rows = server.query(
            "select source, commune_code, province_code, contact_phone, goods from complaints"
        )
        if rows:
            break
        time.sleep(0.5)
    assert rows == [("resident", 3637, 12, "0987 654 321", "Thuốc trừ sâu")]
    uploaded_photo(server)
    [(photo_ids,)] = server.query("select photo_ids from complaints")
    assert len(json.loads(photo_ids)) == 1
