"""What a resident sees: no storage or draft notices, and a page that does not jump when the
offline messages appear (layout shift at most 0.02, the issue's budget)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_offline_ready

pytestmark = pytest.mark.browser

SHIFT_BUDGET = 0.02

OBSERVE_SHIFTS = """
window.__shift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
}).observe({ type: 'layout-shift', buffered: true });
"""


@pytest.mark.parametrize("lang", ["vi", "km"])
def test_a_first_visit_neither_jumps_nor_shows_technical_notices(live_server, phone, lang):
    page = phone.new_page()
    page.add_init_script(OBSERVE_SHIFTS)
    page.goto(live_server.url(f"/{lang}/topics/complaints"))
    wait_offline_ready(page)
    page.wait_for_timeout(500)
    shift = page.evaluate("window.__shift")
    print(f"{lang}: layout shift on a first visit {shift:.3f} (budget {SHIFT_BUDGET})")
    assert shift <= SHIFT_BUDGET
    text = page.inner_text("body")
    for technical in ("Storage", "Bộ nhớ", "Bản nháp", "Draft"):
        assert technical not in text, technical
    page.close()
