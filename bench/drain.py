"""How long a phone takes to drain its outbox once the network is back.

Starts `loa serve`, logs a staff member in on the staff screen in Debian's Chromium
(Playwright), takes the network away (stops the server), queues 1,000 records in the
phone's IndexedDB outbox through the page's own outbox module, brings the server back and
times from the `online` event until the outbox is empty and the server holds every record.

Usage: .venv/bin/python bench/drain.py [--records 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, LiveServer, staff_login  # noqa: E402

PASSWORD = "a long field passphrase"

QUEUE_SCRIPT = """async ([url, n]) => {
  const outbox = await import(url);
  const session = await outbox.queue('session', {commune_code: 3637, topic_ids: ['complaints'],
    starts_at: outbox.rfc3339(), place: 'Bench', facilitator: 'Bench'}, 'bench');
  for (let i = 1; i < n; i += 1) {
    await outbox.queue('attendance', {session_id: session.id, count: 1, women: i % 2, ethnic_minority: 1}, 'bench');
  }
  return n;
}"""


def stored(server) -> int:
    return server.query("select count(*) from sync_records")[0][0]


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp())
    server = LiveServer(root)
    server.create_user("bench", "--role", "staff", "--commune", "3637", "--password", PASSWORD)
    server.start()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(**PHONE).new_page()
        page.set_default_timeout(120_000)
        page.goto(server.url("/vi/staff/"))
        page.wait_for_selector('#status[data-offline="ready"]', state="attached")
        staff_login(page, "bench", PASSWORD)
        outbox_url = server.module_url("outbox")

        server.stop()
        page.evaluate(QUEUE_SCRIPT, [outbox_url, args.records])
        page.reload()
        expect(page.locator("#staff")).to_have_attribute("data-waiting", str(args.records))

        server.start()
        start = time.perf_counter()
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.locator("#staff")).to_have_attribute("data-waiting", "0")
        elapsed = time.perf_counter() - start
        total = stored(server)
        browser.close()
    server.close()
    print(
        f"phone outbox drain: {args.records:,} queued records sent in {elapsed:.2f} s once online "
        f"({args.records / elapsed:,.0f} records/s); server holds {total:,} (expected {args.records:,})"
    )


if __name__ == "__main__":
    main()
