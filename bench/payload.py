"""Bytes on the wire, compressed, against the budgets in design.md.

Starts Loa (`loa serve`) on a free port with a temporary instance and prints, for gzip
(what any phone gets) and Brotli (HTTPS browsers):
  - each topic page, and the home, events, contacts and letter pages, with what it needs to show
    its text (HTML + CSS), per language;
  - all JavaScript;
  - everything the service worker precaches for one language.

Usage: .venv/bin/python bench/payload.py [--json]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from typing import TypedDict

from common import LOA, LoaServer

BUDGET_PAGE = 14 * 1024
BUDGET_JS = 30 * 1024
BUDGET_PRECACHE = 300 * 1024


class PageBytes(TypedDict):
    """A page with what it needs to show its text (HTML + CSS), compressed."""

    lang: str
    url: str
    gzip: int
    br: int


class ScriptBytes(TypedDict):
    files: int
    gzip: int
    br: int


class PrecacheBytes(TypedDict):
    lang: str
    urls: int
    gzip: int
    br: int


class Payload(TypedDict):
    topic_pages: list[PageBytes]
    landing_pages: list[PageBytes]
    javascript: ScriptBytes
    precache: list[PrecacheBytes]


class Server(LoaServer):
    """Loa with three leaflets made, to measure their landing pages too."""

    def __enter__(self):
        self.loa("init-db")
        for topic, lang in (("complaints", "vi"), ("counterfeit", "km"), ("complaints", "mww")):
            self.loa(
                "leaflets",
                "build",
                "--topic",
                topic,
                "--lang",
                lang,
                "--commune",
                "3637",
                "--out",
                os.path.join(self.tmp.name, "leaflets"),
                "--layout",
                "a5",
            )
        return self.start()

    def wire_bytes(self, path: str, encoding: str) -> int:
        """Body bytes as sent with Accept-Encoding: encoding (compressed, not decoded)."""
        request = urllib.request.Request(self.url(path), headers={"Accept-Encoding": encoding})
        with urllib.request.urlopen(request) as response:
            return len(response.read())

    def json(self, path: str):
        with urllib.request.urlopen(self.url(path)) as response:
            return json.load(response)


def stylesheets(html: str) -> list[str]:
    import re

    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)


def measure() -> Payload:
    topic_pages: list[PageBytes] = []
    landing_pages: list[PageBytes] = []
    precache: list[PrecacheBytes] = []
    with Server() as server:
        sw = urllib.request.urlopen(server.url("/sw.js")).read().decode()
        manifest = json.loads(sw[sw.index("start(") + 6 : sw.rindex(");")])
        for lang in manifest["pages"]:
            index = server.json(f"/api/v1/content/{lang}")
            # every topic, and the other pages a reader opens: home, events, contacts, the letter
            urls = [t["url"] for t in index["topics"]] + [
                f"/{lang}/{page}" for page in ("", "events", "contacts", "letter")
            ]
            for url in urls:
                html = urllib.request.urlopen(server.url(url)).read().decode()
                parts = [url, *stylesheets(html)]
                topic_pages.append(
                    {
                        "lang": lang,
                        "url": url,
                        "gzip": sum(server.wire_bytes(p, "gzip") for p in parts),
                        "br": sum(server.wire_bytes(p, "br") for p in parts),
                    }
                )
        listing = subprocess.run(
            [LOA, "leaflets", "list"], env=server.env, check=True, capture_output=True, text=True
        )
        for line in listing.stdout.splitlines():
            code, _topic, lang = line.split()[:3]
            html = urllib.request.urlopen(server.url(f"/l/{code}")).read().decode()
            parts = [f"/l/{code}", *stylesheets(html)]
            landing_pages.append(
                {
                    "lang": lang,
                    "url": f"/l/{code}",
                    "gzip": sum(server.wire_bytes(p, "gzip") for p in parts),
                    "br": sum(server.wire_bytes(p, "br") for p in parts),
                }
            )
        js = [u for u, _ in manifest["shell"] if u.endswith(".js")] + ["/sw.js"]
        javascript: ScriptBytes = {
            "files": len(js),
            "gzip": sum(server.wire_bytes(u, "gzip") for u in js),
            "br": sum(server.wire_bytes(u, "br") for u in js),
        }
        for lang, pages in manifest["pages"].items():
            urls = [u for u, _ in manifest["shell"]] + [u for u, _ in pages] + ["/sw.js"]
            precache.append(
                {
                    "lang": lang,
                    "urls": len(urls),
                    "gzip": sum(server.wire_bytes(u, "gzip") for u in urls),
                    "br": sum(server.wire_bytes(u, "br") for u in urls),
                }
            )
    return {
        "topic_pages": topic_pages,
        "landing_pages": landing_pages,
        "javascript": javascript,
        "precache": precache,
    }


def kb(n: int) -> str:
    return f"{n / 1024:6.1f} KB"


def main() -> None:
    results = measure()
    if "--json" in sys.argv:
        print(json.dumps(results, indent=2))
        return
    print("Each page with what it needs to show its text (HTML + CSS), compressed; budget 14 KB")
    for row in results["topic_pages"]:
        flag = "ok" if row["gzip"] <= BUDGET_PAGE else "OVER"
        print(f"  {row['url']:<32} gzip {kb(row['gzip'])}  br {kb(row['br'])}  {flag}")
    worst = max(results["topic_pages"], key=lambda r: r["gzip"])
    print(f"  largest: {worst['url']} {kb(worst['gzip'])} gzip")
    print("Leaflet landing page /l/<code>, all bytes before the text shows (HTML + CSS); budget 14 KB")
    for row in results["landing_pages"]:
        flag = "ok" if row["gzip"] <= BUDGET_PAGE else "OVER"
        print(f"  {row['url']:<14} ({row['lang']:<3}) gzip {kb(row['gzip'])}  br {kb(row['br'])}  {flag}")
    js = results["javascript"]
    print(
        f"All JavaScript ({js['files']} files incl. sw.js): gzip {kb(js['gzip'])}  br {kb(js['br'])}  "
        f"budget 30 KB  {'ok' if js['gzip'] <= BUDGET_JS else 'OVER'}"
    )
    print("Everything precached for one language (shell + pages + fonts + sw.js); budget 300 KB")
    for cached in results["precache"]:
        flag = "ok" if cached["gzip"] <= BUDGET_PRECACHE else "OVER"
        print(
            f"  {cached['lang']:<4} {cached['urls']:3d} URLs  gzip {kb(cached['gzip'])}  "
            f"br {kb(cached['br'])}  {flag}"
        )


if __name__ == "__main__":
    main()
