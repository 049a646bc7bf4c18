"""A reverse proxy between the browser and Loa that can break sync requests on purpose:
answer 500 without passing the request on, or pass it on and then lose the answer
(the server stored the records, the phone never hears so); or be "lie-fi": accept every
connection and never answer (`hang()`, until `release()`)."""

from __future__ import annotations

import http.client
import threading
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
}


class FaultyProxy:
    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.plan: list[str] = []  # per sync request: "ok", "500", "lose-answer"
        self.sync_requests = 0
        self.hanging = False
        self.released = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                if proxy.hanging:  # lie-fi: the request is taken and nothing ever comes back
                    proxy.released.wait(120)
                    self.close_connection = True
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                fault = "ok"
                if self.path.startswith("/api/v1/sync"):
                    proxy.sync_requests += 1
                    fault = proxy.plan.pop(0) if proxy.plan else "ok"
                if fault == "500":
                    return self._reply(500, {"Content-Type": "text/plain"}, b"injected failure")
                try:
                    with closing(
                        http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                    ) as conn:
                        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                        conn.request(self.command, self.path, body=body, headers=headers)
                        upstream = conn.getresponse()
                        data = upstream.read()
                except OSError:
                    return self._reply(502, {"Content-Type": "text/plain"}, b"upstream down")
                if fault == "lose-answer":  # the server did the work; the phone gets nothing useful
                    self.close_connection = True
                    return self._reply(502, {"Content-Type": "text/plain"}, b"connection lost")
                headers = {
                    k: v for k, v in upstream.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length"}
                }
                self._reply(upstream.status, headers, data)

            def _reply(self, status, headers, data):
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the phone gave up waiting (lie-fi)
                    self.close_connection = True

            do_GET = do_POST = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return self.base + path

    def hang(self) -> None:
        self.released.clear()
        self.hanging = True

    def release(self) -> None:
        self.hanging = False
        self.released.set()

    def close(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()
