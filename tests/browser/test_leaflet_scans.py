"""A leaflet scanned on a phone with no network: the service worker keeps the scan and the
phone sends it when the network returns; counted once."""

import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LOA, wait_offline_ready

pytestmark = pytest.mark.browser


def make_leaflet(server, tmp_path, commune=3637) -> str:
    subprocess.run(
        [
            LOA,
            "leaflets",
            "build",
            "--topic",
            "complaints",
            "--lang",
            "vi",
            "--commune",
            str(commune),
            "--out",
            str(tmp_path / "out"),
            "--layout",
            "a5",
        ],
        env=server.env,
        check=True,
        capture_output=True,
    )
    listing = subprocess.run(
        [LOA, "leaflets", "list"], env=server.env, check=True, capture_output=True, text=True
    )
    return listing.stdout.split()[0]


def scans(server) -> list[tuple]:
    return server.query("select code, source from leaflet_scans order by received_at")


def test_scan_online_then_offline_then_sent(live_server, page, tmp_path):
    code = make_leaflet(live_server, tmp_path)
    page.goto(live_server.url(f"/l/{code}"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    wait_offline_ready(page)
    assert scans(live_server) == [(code, "online")]

    live_server.stop()
    page.goto(live_server.url(f"/l/{code}"))  # scanned again at the market, no signal
    expect(page.locator("article[data-leaflet]")).to_have_attribute("data-leaflet", code)

    live_server.start()
    page.goto(live_server.url("/vi/"))  # any Loa page sends what waits
    for _ in range(100):
        if len(scans(live_server)) == 2:
            break
        page.wait_for_timeout(200)
    assert scans(live_server) == [(code, "online"), (code, "offline")]
