"""The server killed (SIGKILL) in the middle of sync batches: once it is back and the
clients have retried, every record is stored exactly once."""

import http.client
import json
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

from tests.conftest import MUONG_KIM, PASSWORD, attendance_record, session_record
from tests.live_server import LiveServer, post_sync_http

BATCHES = 30
LINES = 499  # with its session: 500 records, the largest batch


def batches():
    out = []
    for _ in range(BATCHES):
        s = session_record(MUONG_KIM)
        out.append([s] + [attendance_record(s["id"], 2, 1, 1) for _ in range(LINES)])
    return out


def send_until_stored(port, token, batch, log):
    body = json.dumps({"device_id": "5b0c3b4e-6bb2-4ad3-9a5c-0d1f8f0e2a11", "records": batch})
    for _ in range(400):
        try:
            # closed even when the server dies mid-answer, so no socket is left to the garbage collector
            with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=30)) as conn:
                status, data = post_sync_http(conn, token, body)
            if status == 200:
                result = json.loads(data)
                log.append(result)
                assert not result["rejected"] and not result["conflicts"]
                return
        except (OSError, http.client.HTTPException):
            pass  # the server is down or died mid-answer: a phone waits and tries again
        time.sleep(0.05)
    raise AssertionError("the batch was never stored")


def test_sigkill_mid_batches_loses_nothing_and_counts_nothing_twice(tmp_path):
    server = LiveServer(tmp_path, extra_env={"LOA_SYNC_RATE_PER_MINUTE": "10000"})
    server.create_user("mai", "--role", "staff", "--commune", str(MUONG_KIM), "--password", PASSWORD)
    token = server.enroll("mai")
    server.start()
    work = batches()
    logs: list[list[dict]] = [[], []]

    # Two phones send the same batches (one of them replays a file), in different orders.
    def phone(order: list, log: list) -> None:
        for batch in order:
            send_until_stored(server.port, token, batch, log)

    pool = ThreadPoolExecutor(max_workers=2)
    clients = [pool.submit(phone, work, logs[0]), pool.submit(phone, list(reversed(work)), logs[1])]
    kills = 0
    try:
        for _ in range(3):
            time.sleep(0.4)
            server.kill()  # SIGKILL, whatever it was in the middle of
            kills += 1
            time.sleep(0.3)
            server.start()
        for client in clients:
            client.result(timeout=300)  # re-raises here whatever failed in the phone's thread
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        server.close()
    assert kills == 3
    total = BATCHES * (LINES + 1)
    ((ledger,),) = server.query("select count(*) from sync_records")
    ((lines, people),) = server.query("select count(*), sum(count) from attendance")
    ((sessions,),) = server.query("select count(*) from sessions")
    assert ledger == total and sessions == BATCHES
    assert lines == BATCHES * LINES and people == BATCHES * LINES * 2
    accepted = sum(len(r["accepted"]) for log in logs for r in log)
    assert accepted <= total, "nothing was accepted twice"
    if server.database_url.startswith("sqlite"):
        assert server.query("PRAGMA integrity_check") == [("ok",)]
