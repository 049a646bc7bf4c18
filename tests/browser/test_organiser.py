"""An organiser logs in, filters a commune, sees the chart and downloads the export."""
import csv
import io
import json
import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LOA
from tests.conftest import KHOEN_ON, MUONG_KIM, PASSWORD, attendance_record, rid, session_record

pytestmark = pytest.mark.browser


@pytest.fixture
def with_data(live_server, tmp_path):
    for args in (["users", "create", "boss", "--role", "organiser", "--password", PASSWORD],
                 ["users", "create", "mai", "--role", "staff", "--province", "12", "--password", PASSWORD]):
        subprocess.run([LOA, *args], env=live_server.env, check=True, capture_output=True)
    s1, s2 = session_record(MUONG_KIM), session_record(KHOEN_ON)
    records = [s1, s2, attendance_record(s1["id"], 46, 27, 31), attendance_record(s2["id"], 12, 6, 12)]
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"format": "loa-outbox", "device_id": rid(), "records": records}))
    subprocess.run([LOA, "sync", "import", str(path), "--user", "mai"], env=live_server.env, check=True,
                   capture_output=True)
    return live_server


def test_organiser_filters_a_commune_and_downloads_the_export(with_data, page):
    server = with_data
    page.goto(server.url("/organiser/"))
    page.fill("#username", "boss")
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    expect(page.locator("ul.figures")).to_contain_text("58")

    page.select_option("#f-province", "12")
    page.fill("#f-commune", str(MUONG_KIM))
    page.click("form.filters button[type=submit]")
    expect(page.locator("ul.figures li").nth(1)).to_contain_text("46")
    chart = page.locator("figure.chart svg").nth(1)
    expect(chart).to_be_visible()
    assert "Mường Kim" in chart.inner_html() and chart.locator("rect").count() == 1

    with page.expect_download() as download:
        page.click("text=CSV")
    rows = list(csv.reader(io.StringIO(download.value.path().read_bytes().decode("utf-8-sig"))))
    assert rows[1][2] == str(MUONG_KIM) and rows[1][5] == "46" and len(rows) == 3
