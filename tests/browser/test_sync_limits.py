"""An operator lowers the sync limits below what a phone last heard: the phone's outbox still
drains, every record reaches the server exactly once, and a record too large even on its own
is set aside under "needs attention" instead of being resent forever."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, staff_login, wait_offline_ready
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
RECORDS = 40
MAX_RECORDS = 7
MAX_BYTES = 8000

QUEUE = """async ([url, n]) => {
  const outbox = await import(url);
  // What the phone heard from the server before the operator lowered the limits.
  await outbox.rememberLimits({max_records: 500, max_bytes: 1048576});
  const session = await outbox.queue('session', {commune_code: 3637, topic_ids: ['complaints'],
    starts_at: outbox.rfc3339(), place: 'Nhà văn hoá bản Mường Kim', facilitator: 'Mai'}, 'mai');
  for (let i = 1; i < n; i += 1) {
    await outbox.queue('attendance', {session_id: session.id, count: 1, women: i % 2,
      ethnic_minority: 1}, 'mai');
  }
  const answers = {};
  for (let i = 0; i < 600; i += 1) answers[`question-${i}`] = 'a';
  await outbox.queue('quiz_response', {quiz_id: 'complaints', lang: 'vi', answers,
    session_id: session.id, phase: 'pre'}, 'mai');
  return (await outbox.syncLimits()).max_records;
}"""


@pytest.fixture
def server(tmp_path):
    server = LiveServer(
        tmp_path,
        extra_env={"LOA_SYNC_MAX_RECORDS": str(MAX_RECORDS), "LOA_MAX_BODY_BYTES": str(MAX_BYTES)},
    )
    server.create_user("mai", "--role", "staff", "--commune", "3637", "--password", PASSWORD)
    server.start()
    yield server
    server.close()


def test_outbox_drains_after_the_server_lowers_its_batch_limits(server, page):
    posts = []
    page.on("request", lambda r: posts.append(r) if r.url.endswith("/api/v1/sync") else None)
    page.goto(server.url("/vi/staff/"))
    wait_offline_ready(page)
    staff_login(page, "mai")

    outbox, store = server.module_url("outbox"), server.module_url("store")
    server.stop()
    assert page.evaluate(QUEUE, [outbox, RECORDS]) == 500
    page.reload()
    expect(page.locator("#staff")).to_have_attribute("data-waiting", str(RECORDS + 1))

    server.start()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#staff")).to_have_attribute("data-waiting", "0", timeout=60_000)

    assert server.query("select count(*) from sync_records")[0][0] == RECORDS
    assert server.query("select coalesce(sum(count), 0) from attendance")[0][0] == RECORDS - 1
    learned = page.evaluate("async (url) => (await (await import(url)).syncLimits())", outbox)
    assert learned == {"max_records": MAX_RECORDS, "max_bytes": MAX_BYTES}
    attention = page.evaluate(
        "async (url) => (await (await import(url)).getAll('attention')).map((a) => a.record.type)", store
    )
    assert attention == ["quiz_response"]
    # 40 records in batches of at most 7 is 6 batches; the 413s that taught the phone are few.
    assert len(posts) <= 12, f"{len(posts)} sync requests for {RECORDS + 1} records"
