"""A leaflet opened in the field: Chromium as a 360 px phone on an emulated 2G link (800 ms round
trip, 50 KB/s each way, CPU 4x slower), per language. Prints, beside the budgets of issue 13:

- first visit: seconds until the leaflet's heading is visible (budget 2.5 s), the bytes that
  arrived before the first text was painted (Khmer: 20 KB) and the layout shift (0.02);
- repeat visit, once the service worker has saved the language: seconds to the heading (1 s);
- lie-fi (the proxy accepts the request and never answers): seconds to the saved page (3 s).

The link is Chromium's own network emulation (DevTools protocol, as Lighthouse does it); lie-fi
is tests/browser/faulty_proxy.py between the phone and `loa serve`.

Usage: .venv/bin/python bench/field.py [--langs vi,en,km,mww]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGETS = {"first": 2.5, "repeat": 1.0, "liefi": 3.0, "shift": 0.02, "khmer_bytes": 20 * 1024}
LINK = {"offline": False, "latency": 800, "downloadThroughput": 50 * 1024, "uploadThroughput": 50 * 1024}
CPU_SLOWDOWN = 4

OBSERVE = """
window.__shift = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
}).observe({ type: 'layout-shift', buffered: true });
"""

BYTES_BEFORE_TEXT = """
() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  if (!paint) return null;
  const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
  return entries.filter((e) => e.responseEnd <= paint.startTime).reduce((sum, e) => sum + e.transferSize, 0);
}
"""


def make_leaflet(server, lang: str, out: Path) -> str:
    env = server.env
    subprocess.run(
        [server_loa(), "leaflets", "build", "--topic", "complaints", "--lang", lang, "--commune", "3637",
         "--out", str(out / lang), "--layout", "a5"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    listing = subprocess.run(
        [server_loa(), "leaflets", "list"], env=env, check=True, capture_output=True, text=True
    )
    rows = [line.split() for line in listing.stdout.splitlines() if f" {lang} " in f" {line} "]
    return rows[-1][0]


def server_loa() -> str:
    from tests.live_server import LOA

    return LOA


def throttle(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", LINK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})


def seconds_to_heading(page, url: str) -> float:
    started = time.monotonic()
    page.goto(url, wait_until="commit", timeout=60_000)
    page.wait_for_selector("article[data-leaflet] h1", state="visible", timeout=60_000)
    return time.monotonic() - started


def measure(browser, proxy, code: str) -> dict:
    from tests.browser.conftest import PHONE

    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.add_init_script(OBSERVE)
    throttle(page)
    url = proxy.url(f"/l/{code}")
    first = seconds_to_heading(page, url)
    page.wait_for_timeout(1000)
    shift = page.evaluate("window.__shift")
    before_text = page.evaluate(BYTES_BEFORE_TEXT)
    page.wait_for_selector('#status[data-offline="ready"]', state="attached", timeout=180_000)
    repeat = seconds_to_heading(page, url)
    proxy.hang()
    try:
        liefi = seconds_to_heading(page, url)
    finally:
        proxy.release()
    context.close()
    return {"first": first, "shift": shift, "bytes": before_text, "repeat": repeat, "liefi": liefi}


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default="vi,en,km,mww")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.browser.faulty_proxy import FaultyProxy
    from tests.live_server import LiveServer

    root = Path(tempfile.mkdtemp(prefix="loa-field-"))
    server = LiveServer(root)
    codes = {lang: make_leaflet(server, lang, root / "leaflets") for lang in args.langs.split(",")}
    server.start()
    proxy = FaultyProxy(server.port)
    print("leaflet page on an emulated 2G link (800 ms RTT, 50 KB/s, CPU x4), 360 px phone, Chromium:")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for lang, code in codes.items():
                m = measure(browser, proxy, code)
                kb = (m["bytes"] or 0) / 1024
                byte_budget = BUDGETS["khmer_bytes"] / 1024 if lang == "km" else None
                print(
                    f"  {lang:<4} first {m['first']:5.2f} s (<= {BUDGETS['first']} {verdict(m['first'] <= BUDGETS['first'])})"
                    f"  repeat {m['repeat']:5.2f} s (<= {BUDGETS['repeat']} {verdict(m['repeat'] <= BUDGETS['repeat'])})"
                    f"  lie-fi {m['liefi']:5.2f} s (<= {BUDGETS['liefi']} {verdict(m['liefi'] <= BUDGETS['liefi'])})"
                    f"  shift {m['shift']:.3f} (<= {BUDGETS['shift']} {verdict(m['shift'] <= BUDGETS['shift'])})"
                    f"  {kb:5.1f} KB before text"
                    + (f" (<= {byte_budget:.0f} {verdict(kb <= byte_budget)})" if byte_budget else "")
                )
            browser.close()
    finally:
        proxy.close()
        server.close()


if __name__ == "__main__":
    main()
