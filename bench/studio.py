"""The content studio's figures, on a real `loa serve` (SQLite, or PostgreSQL with --postgres):

  - each studio page with its CSS and JavaScript, compressed (what an office laptop loads);
  - publishing a one-topic change (a key point edited, saved, published): the time of the publish
    request, median of several;
  - the bytes a phone downloads for it, per language: the precached pages whose revision changed,
    compressed (the service worker fetches only those).

Usage: .venv/bin/python bench/studio.py [--postgres] [--rounds N]
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request

from common import LoaServer, drop_postgres, fresh_postgres_url

PASSWORD = "bench studio passphrase"
TOPIC = "markets"


class Browser:
    """An organiser's browser: cookies kept, forms sent with their CSRF token."""

    def __init__(self, server: LoaServer):
        self.server = server
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str, encoding: str | None = None) -> bytes:
        headers = {"Accept-Encoding": encoding} if encoding else {}
        with self.opener.open(urllib.request.Request(self.server.url(path), headers=headers)) as response:
            return response.read()

    def post(self, path: str, fields: dict[str, str]) -> int:
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(urllib.request.Request(self.server.url(path), data=data)) as response:
            return response.status

    def form(self, path: str) -> tuple[str, dict[str, str]]:
        page = self.get(path).decode()
        import html

        fields = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page))
        fields.update(re.findall(r'<textarea[^>]*name="(\w+)"[^>]*>\n?(.*?)</textarea>', page, re.S))

        return page, {k: html.unescape(v) for k, v in fields.items()}


def precache(browser: Browser) -> dict[str, dict[str, str]]:
    sw = browser.get("/sw.js").decode()
    manifest = json.loads(sw[sw.index("start(") + 6 : sw.rindex(");")])
    return {lang: dict(pages) for lang, pages in manifest["pages"].items()}


def page_weight(browser: Browser, path: str) -> int:
    html = browser.get(path).decode()
    parts = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) + re.findall(
        r'<script[^>]*src="([^"]+)"', html
    )
    return len(browser.get(path, "gzip")) + sum(len(browser.get(p, "gzip")) for p in parts)


def measure(database_url: str | None, rounds: int) -> dict:
    with LoaServer(database_url) as server:
        server.loa("users", "create", "boss", "--role", "organiser", "--password", PASSWORD)
        server.loa("users", "roles", "boss", "--translator", "km")
        browser = Browser(server)
        _page, login = browser.form("/organiser/login")
        browser.post("/organiser/login", {**login, "username": "boss", "password": PASSWORD})
        pages = {
            path: page_weight(browser, path)
            for path in (
                "/organiser/studio",
                f"/organiser/studio/topics/{TOPIC}",
                f"/organiser/studio/translate/km/topics/{TOPIC}",
                "/organiser/studio/publish",
                "/organiser/studio/history",
            )
        }
        publish_seconds, downloads = [], []
        for round_no in range(rounds):
            before = precache(browser)
            _page, fields = browser.form(f"/organiser/studio/topics/{TOPIC}")
            fields["key_point_5"] = (
                f"Giữ lại hàng và nhớ tên người bán. Đó là bằng chứng (lần {round_no + 1})."
            )
            browser.post(f"/organiser/studio/topics/{TOPIC}", fields)
            _page, publish = browser.form("/organiser/studio/publish")
            started = time.perf_counter()
            browser.post("/organiser/studio/publish", {**publish, "note": f"key point, round {round_no + 1}"})
            publish_seconds.append(time.perf_counter() - started)
            after = precache(browser)
            per_lang = {}
            for lang, revisions in after.items():
                changed = [u for u, rev in revisions.items() if before.get(lang, {}).get(u) != rev]
                per_lang[lang] = {"urls": changed, "gzip": sum(len(browser.get(u, "gzip")) for u in changed)}
            downloads.append(per_lang)
    return {"pages": pages, "publish_seconds": publish_seconds, "download": downloads[-1]}


def main() -> None:
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 5
    url = fresh_postgres_url() if "--postgres" in sys.argv else None
    try:
        results = measure(url, rounds)
    finally:
        if url:
            drop_postgres(url)
    engine = "PostgreSQL" if url else "SQLite"
    print(f"Studio pages with their CSS and JavaScript, gzip ({engine})")
    for path, size in results["pages"].items():
        print(f"  {path:<46} {size / 1024:6.1f} KB")
    times = results["publish_seconds"]
    print(
        f"Publishing a one-topic change ({len(times)} rounds): median {statistics.median(times) * 1000:.0f} ms, "
        f"slowest {max(times) * 1000:.0f} ms"
    )
    print("What a phone downloads for it (precached pages whose revision changed), gzip")
    for lang, row in results["download"].items():
        print(f"  {lang:<4} {len(row['urls'])} pages  {row['gzip'] / 1024:5.1f} KB  {', '.join(row['urls'])}")


if __name__ == "__main__":
    main()
