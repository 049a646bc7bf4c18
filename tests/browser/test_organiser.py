"""An organiser logs in, filters a commune, sees the chart and downloads the export."""

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.conftest import MUONG_KIM, PASSWORD

pytestmark = pytest.mark.browser


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
