"""Two `loa serve` processes over one database, as a province runs them: a login made on one
is ended by a logout on the other, and the login limit counts attempts on both together."""

from __future__ import annotations

import copy
import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.conftest import PASSWORD
from tests.live_server import LiveServer


@pytest.fixture
def two_servers(tmp_path):
    settings = {"LOA_LOGIN_RATE_PER_MINUTE": "4"}
    first = LiveServer(tmp_path / "a", extra_env=settings)
    second = LiveServer(tmp_path / "b", extra_env={**settings, "LOA_DATABASE_URL": first.database_url})
    first.create_user("boss", "--role", "organiser", "--password", PASSWORD)
    first.start()
    second.start()
    yield first, second
    first.close()
    second.close()


class Browser:
    """A browser's cookie jar, used against either server (the cookie is for 127.0.0.1)."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> tuple[str, str]:
        with self.opener.open(url, timeout=10) as response:
            return response.geturl(), response.read().decode()

    def post_form(self, page_url: str, action_url: str, **fields) -> tuple[str, str]:
        _, page = self.get(page_url)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token, "no CSRF token on the page"
        data = urllib.parse.urlencode({**fields, "csrf_token": token.group(1)}).encode()
        with self.opener.open(action_url, data=data, timeout=10) as response:
            return response.geturl(), response.read().decode()


def api_login(server: LiveServer, password: str) -> int:
    body = json.dumps({"username": "boss", "password": password}).encode()
    request = urllib.request.Request(
        server.url("/api/v1/auth/login"), data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_logout_on_one_server_ends_the_login_on_the_other(two_servers):
    first, second = two_servers
    browser = Browser()
    where, _ = browser.post_form(
        first.url("/organiser/login"), first.url("/organiser/login"), username="boss", password=PASSWORD
    )
    assert where.endswith("/organiser/")
    where, page = browser.get(second.url("/organiser/users"))
    assert where.endswith("/organiser/users") and "boss" in page  # the login holds on both
    saved = Browser()  # the cookie as it was before logout, kept by someone else
    for cookie in browser.jar:
        saved.jar.set_cookie(copy.copy(cookie))
    browser.post_form(second.url("/organiser/users"), second.url("/organiser/logout"))
    where, _ = saved.get(first.url("/organiser/users"))
    assert "/organiser/login" in where  # ended on the server, for both processes


def test_the_login_limit_counts_both_servers_together(two_servers):
    first, second = two_servers
    statuses = [api_login(server, "wrong password!") for server in (first, second, first, second)]
    assert statuses == [401, 401, 401, 401]
    assert api_login(first, PASSWORD) == 429  # the fifth attempt from this address in a minute
    assert api_login(second, PASSWORD) == 429
