"""Browser tests: a real Loa server (`loa serve`, waitress) in a subprocess, driven by
Playwright in Debian's Chromium. The server can be stopped and restarted on the same port,
which is how the tests take the network away from the phone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from server.config import env
from tests.conftest import (
    CONTENT,
    KHOEN_ON,
    MUONG_KIM,
    PASSWORD,
    attendance_record,
    rid,
    session_record,
)
from tests.live_server import LOA, LiveServer, free_port  # noqa: F401  (used by the browser tests)

CHROMIUM = env("LOA_TEST_CHROMIUM")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(tmp_path):
    server = LiveServer(tmp_path).start()
    yield server
    server.close()


@pytest.fixture
def content_dir(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser):
    """A fresh phone: its own storage, 360 px wide."""
    context = browser.new_context(**PHONE)
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def page(phone):
    return phone.new_page()


def wait_offline_ready(page) -> None:
    page.wait_for_selector('#status[data-offline="ready"]', state="attached", timeout=60_000)


def uploaded_photo(server) -> int:
    """Wait for the one complaint photo to be on the server whole (it goes up after its case, in
    pieces); its size, which the phone's compression keeps to about 250 KB."""
    import time

    for _ in range(120):
        found = server.query("select size, received, complete from complaint_photos")
        if found and found[0][2]:
            break
        time.sleep(0.5)
    [(size, received, complete)] = found
    assert (received, complete) == (size, True) and size <= 260 * 1024, (
        f"compressed on the phone: {size} bytes"
    )
    return size


def staff_login(page, username: str, password: str = PASSWORD) -> None:
    """Log in on the staff screen's login form and wait for the list of sessions."""
    from playwright.sync_api import expect

    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("[data-form=login] button[type=submit]")
    expect(page.locator('section[data-screen="sessions"]')).to_be_visible()


@pytest.fixture
def server(tmp_path):
    """A server with Mai, staff of Mường Kim (Lai Châu). A module may define its own."""
    server = LiveServer(tmp_path)
    server.create_user(
        "mai", "--role", "staff", "--province", "12", "--commune", "3637", "--password", PASSWORD
    )
    server.start()
    yield server
    server.close()


def new_session(page, place="Nhà văn hóa bản Nà"):
    """On the staff screen: a session in Mường Kim about complaints, then its screen."""
    from playwright.sync_api import expect

    page.click("a[href='#new']")
    page.fill("[data-commune-search]", "muong kim")
    page.check("input[name=commune_code]")
    page.check("input[name=topic_ids][value=complaints]")
    page.fill("#session-place", place)
    page.click("[data-form=session] button[type=submit]")
    expect(page.locator('section[data-screen="session"]')).to_be_visible()


@pytest.fixture
def with_data(live_server, tmp_path):
    live_server.create_user("boss", "--role", "organiser", "--password", PASSWORD)
    live_server.create_user("mai", "--role", "staff", "--province", "12", "--password", PASSWORD)
    s1, s2 = session_record(MUONG_KIM), session_record(KHOEN_ON)
    records = [s1, s2, attendance_record(s1["id"], 46, 27, 31), attendance_record(s2["id"], 12, 6, 12)]
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"format": "loa-outbox", "device_id": rid(), "records": records}))
    live_server.loa("sync", "import", str(path), "--user", "mai")
    return live_server
