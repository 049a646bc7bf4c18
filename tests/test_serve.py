"""`loa serve` stays up for everyone: connections that send nothing (or half a request) neither
block the others nor stay open for long, and a port or address it cannot use is one clear line,
not a traceback. Against the real server (waitress) in a subprocess."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from server.cli import _listen_problem
from tests.live_server import LOA, LiveServer, free_port

CHANNEL_TIMEOUT = 3  # seconds; the server looks for idle connections every CHANNEL_TIMEOUT // 2 s
IDLE = 200  # connections that send nothing
HALF_SENT = 100  # connections that stop in the middle of the request line
ANSWER_WITHIN = 2.0  # seconds, less than CHANNEL_TIMEOUT: the answer cannot be waiting for a cleanup


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path, extra_env={"LOA_CHANNEL_TIMEOUT": str(CHANNEL_TIMEOUT)})
    try:
        yield live.start()
    finally:
        live.close()


def get_status(server: LiveServer, path: str = "/healthz", timeout: float = ANSWER_WITHIN) -> int:
    with urllib.request.urlopen(server.url(path), timeout=timeout) as response:
        return response.status


def test_idle_and_half_sent_connections_neither_block_others_nor_stay_open(server):
    held: list[socket.socket] = []
    try:
        for i in range(IDLE + HALF_SENT):
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            held.append(conn)
            if i >= IDLE:
                conn.sendall(b"GET /vi/ HTTP/1.1\r\nHost: 127.0")
        opened = time.monotonic()

        started = time.monotonic()
        assert get_status(server) == 200, "a normal request is answered while 300 connections idle"
        assert time.monotonic() - started < ANSWER_WITHIN
        assert time.monotonic() - opened < CHANNEL_TIMEOUT, "too slow a machine to tell anything"
        for conn in held:
            conn.setblocking(False)
            with pytest.raises(BlockingIOError):
                conn.recv(1)  # still open: the answer above did not wait for them to be closed

        # The server closes them after CHANNEL_TIMEOUT s (plus up to one cleanup interval).
        deadline = opened + CHANNEL_TIMEOUT * 1.5 + 5
        still_open = 0
        for conn in held:
            conn.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                if conn.recv(1) != b"":
                    still_open += 1
            except TimeoutError:
                still_open += 1
        assert still_open == 0, f"{still_open} idle connections still open after {deadline - opened:.0f} s"
        assert get_status(server) == 200
    finally:
        for conn in held:
            conn.close()


def test_a_second_server_on_the_same_port_says_so_in_one_line(server):
    started = time.monotonic()
    result = subprocess.run(
        [LOA, "serve", "--port", str(server.port)],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode != 0 and time.monotonic() - started < 15
    assert (
        f"Error: port {server.port} on 127.0.0.1 is already in use; stop the other server or choose "
        "another with --port or PORT" in result.stderr
    )
    assert "Traceback" not in result.stderr + result.stdout
    assert get_status(server) == 200, "the first server is untouched"


@pytest.mark.skipif(
    Path("/proc/sys/net/ipv4/ip_nonlocal_bind").exists()
    and Path("/proc/sys/net/ipv4/ip_nonlocal_bind").read_text().strip() != "0",
    reason="this machine lets programs listen on addresses it does not have",
)
def test_an_address_not_on_this_machine_says_so(server):
    result = subprocess.run(
        [LOA, "serve", "--host", "192.0.2.1", "--port", str(free_port())],  # TEST-NET-1, never local
        env=server.env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode != 0
    assert "192.0.2.1 is not an address of this machine" in result.stderr
    assert "Traceback" not in result.stderr


def test_listen_problems_are_one_line_each():
    """Permission denied cannot be provoked here (the tests may run as root)."""
    for code, words in (
        (errno.EADDRINUSE, "port 80 on 0.0.0.0 is already in use"),
        (errno.EACCES, "no permission to listen on port 80 on 0.0.0.0 (ports below 1024 need root)"),
        (errno.EADDRNOTAVAIL, "0.0.0.0 is not an address of this machine"),
        (errno.ENOBUFS, "cannot listen on port 80 on 0.0.0.0: No buffer space available"),
    ):
        message = _listen_problem(OSError(code, os.strerror(code)), "0.0.0.0", 80)
        assert words in message and "\n" not in message
