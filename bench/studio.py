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

    def upload(self, path: str, fields: dict[str, str], name: str, data: bytes) -> int:
        """A multipart form with one file, as a browser sends it."""
        boundary = "loa-bench-boundary"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="photo.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            self.server.url(path),
            data=b"".join(parts),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        with self.opener.open(request) as response:
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
        pictures = add_pictures(browser)
    return {
        "pages": pages,
        "publish_seconds": publish_seconds,
        "download": downloads[-1],
        "pictures": pictures,
    }


def photo(seed: int) -> bytes:
    """A phone photo of a label: 4000 x 3000, smooth areas, edges and text-like detail."""
    import io
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    image = Image.new("RGB", (4000, 3000), (rng.randint(150, 230),) * 3)
    draw = ImageDraw.Draw(image)
    for _ in range(400):
        x, y = rng.randint(0, 3900), rng.randint(0, 2900)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        draw.rectangle((x, y, x + rng.randint(20, 600), y + rng.randint(8, 80)), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def add_pictures(browser: Browser) -> dict:
    """Three photos added to the counterfeit topic and published: each one's stored size, and the
    Vietnamese precache before and after (compressed)."""

    def precache_bytes() -> int:
        """Everything precached for Vietnamese, as bench/payload.py counts it: shell, pages, sw.js."""
        sw = browser.get("/sw.js").decode()
        manifest = json.loads(sw[sw.index("start(") + 6 : sw.rindex(");")])
        urls = [u for u, _ in manifest["shell"]] + [u for u, _ in manifest["pages"]["vi"]] + ["/sw.js"]
        return sum(len(browser.get(u, "gzip")) for u in urls)

    before = precache_bytes()
    originals, stored = [], []
    for seed in range(3):
        data = photo(seed)
        originals.append(len(data))
        _page, fields = browser.form("/organiser/studio/topics/counterfeit")
        token = fields["csrf_token"]
        browser.upload(
            "/organiser/studio/topics/counterfeit/pictures",
            {"csrf_token": token, "alt": f"Nhãn hàng thật số {seed + 1}"},
            "picture",
            data,
        )
    _page, publish = browser.form("/organiser/studio/publish")
    browser.post("/organiser/studio/publish", {**publish, "note": "three pictures"})
    html = browser.get("/vi/topics/counterfeit").decode()
    for url in re.findall(r'<img src="(/media/[^"]+)"', html):
        stored.append((url.rsplit("/", 1)[1], len(browser.get(url))))
    return {
        "originals": originals,
        "stored": stored,
        "precache_before": before,
        "precache_after": precache_bytes(),
    }


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
    pictures = results["pictures"]
    print("Three phone photos added to a topic (budget 30 KB each as stored)")
    for original, (name, size) in zip(pictures["originals"], pictures["stored"], strict=True):
        print(
            f"  {original / 1e6:4.1f} MB JPEG -> {name}  {size / 1024:5.1f} KB  {'ok' if size <= 30 * 1024 else 'OVER'}"
        )
    print(
        f"  Vietnamese precache {pictures['precache_before'] / 1024:.1f} KB -> "
        f"{pictures['precache_after'] / 1024:.1f} KB gzip (budget 300 KB)"
    )
    print("What a phone downloads for it (precached pages whose revision changed), gzip")
    for lang, row in results["download"].items():
        print(f"  {lang:<4} {len(row['urls'])} pages  {row['gzip'] / 1024:5.1f} KB  {', '.join(row['urls'])}")


if __name__ == "__main__":
    main()
