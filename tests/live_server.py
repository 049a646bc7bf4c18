"""A real Loa server (`loa serve`, waitress) in a subprocess, on its own database, that a
test can stop (even with SIGKILL) and start again on the same port."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests import databases
from tests.conftest import CONTENT

LOA = str(Path(sys.executable).parent / "loa")


def post_sync_http(conn: http.client.HTTPConnection, token: str, body: str | bytes) -> tuple[int, bytes]:
    """POST one batch to /api/v1/sync over a real connection, as a phone with device token `token`;
    the answer's status and body. (tests.conftest.post_sync is the same for Flask's test client.)"""
    conn.request(
        "POST",
        "/api/v1/sync",
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    return response.status, response.read()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, root: Path, content_dir: Path | None = None, extra_env: dict | None = None):
        self.root = root
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        self.database_url = databases.fresh_url(root, "instance/loa.sqlite3")
        (root / "instance").mkdir(parents=True, exist_ok=True)
        self.env.update(
            {
                "LOA_DATABASE_URL": self.database_url,
                "LOA_INSTANCE_DIR": str(root / "instance"),
                "LOA_CONTENT_DIR": str(content_dir or CONTENT),
                "LOA_PUBLIC_URL": self.base,
                "LOA_SECRET_KEY": "browser-test-secret",
                "PORT": str(self.port),
            }
        )
        self.env.update(extra_env or {})
        self.process: subprocess.Popen | None = None
        self.log = open(root / "server.log", "ab")  # noqa: SIM115 (open while the server runs; closed in stop())
        self.loa("init-db")

    def url(self, path: str = "/") -> str:
        return self.base + path

    def loa(self, *args: str) -> str:
        """Run a `loa` command on this server's instance and database; what it printed."""
        return subprocess.run([LOA, *args], env=self.env, check=True, capture_output=True, text=True).stdout

    def create_user(self, username: str, *options: str) -> None:
        """`loa users create USERNAME OPTIONS...`, e.g. "--role", "staff", "--password", ..."""
        self.loa("users", "create", username, *options)

    def enroll(self, username: str) -> str:
        """A device token acting for `username` (`loa devices enroll`)."""
        return self.loa("devices", "enroll", "--user", username).strip()

    def module_url(self, name: str) -> str:
        """The hashed address of one of the PWA's ES modules (e.g. "outbox"), as the service
        worker imports it, for a test or bench that drives the page's own modules."""
        with urllib.request.urlopen(self.url("/sw.js")) as response:
            sw = response.read().decode()
        core_path = re.search(r'"(/static/js/sw-core\.[0-9a-f]+\.js)"', sw)
        assert core_path, "sw.js imports no sw-core module"
        with urllib.request.urlopen(self.url(core_path.group(1))) as response:
            core = response.read().decode()
        found = re.search(rf"'\./({re.escape(name)}\.[0-9a-f]+\.js)'", core)
        assert found, f"sw-core imports no {name} module"
        return "/static/js/" + found.group(1)

    def query(self, sql: str, params: dict | None = None) -> list[tuple]:
        """Read the server's database (SQLite or PostgreSQL) from the test."""
        return databases.query(self.database_url, sql, params)

    def start(self) -> LiveServer:
        self.process = subprocess.Popen(
            [LOA, "serve", "--port", str(self.port)], env=self.env, stdout=self.log, stderr=self.log
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {(self.root / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 30 s")

    def kill(self) -> None:
        """SIGKILL: no chance to finish what it was doing."""
        self.stop(kill=True)

    def stop(self, kill: bool = True) -> None:
        if self.process and self.process.poll() is None:
            (self.process.kill if kill else self.process.terminate)()
            self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        self.log.close()
