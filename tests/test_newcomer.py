"""A newcomer's first ten minutes: `PORT=5601 make run` makes leaflets whose QR codes open port
5601, `HOST=0.0.0.0 make run` gives addresses a phone on the same Wi-Fi can open, and every start
says where to go and where the demo accounts are kept."""

from __future__ import annotations

import subprocess
import urllib.parse
from pathlib import Path

import pytest
from PIL import Image

from server import config as config_module
from server.cli import cli
from server.config import PROJECT_ROOT, Config
from tests.conftest import make_app
from tests.live_server import LiveServer
from tests.test_leaflets import build_cli, decode, lai_chau


@pytest.fixture
def local_env(monkeypatch):
    """No LOA_PUBLIC_URL, the default host, and PORT 5601: `PORT=5601 make run`."""
    monkeypatch.delenv("LOA_PUBLIC_URL", raising=False)
    monkeypatch.setenv("LOA_HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", "5601")
    return monkeypatch


def test_public_url_follows_port_and_leaflets_carry_it(local_env, tmp_path):
    assert Config().PUBLIC_URL == "http://127.0.0.1:5601"
    assert not Config().SESSION_COOKIE_SECURE
    app = make_app(tmp_path)
    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:5601"
    out = tmp_path / "print"
    result = build_cli(
        app.test_cli_runner(), "--topic", "complaints", "--lang", "vi", "--commune", str(lai_chau(1)[0]),
        "--out", str(out), "--layout", "a5",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [png] = out.glob("*.png")
    assert decode(Image.open(png)) == [f"http://127.0.0.1:5601/l/{png.stem}"]


def test_an_explicit_public_url_wins(local_env):
    local_env.setenv("LOA_HOST", "0.0.0.0")
    local_env.setenv("LOA_PUBLIC_URL", "https://loa.example.vn/")
    config = Config()
    assert config.PUBLIC_URL == "https://loa.example.vn"
    assert config.SESSION_COOKIE_SECURE  # https:// still turns on secure cookies (and HSTS)


def test_every_network_gives_an_address_a_phone_can_open(local_env, monkeypatch):
    local_env.setenv("LOA_HOST", "0.0.0.0")
    url = urllib.parse.urlsplit(Config().PUBLIC_URL)
    assert url.scheme == "http" and url.port == 5601
    assert url.hostname not in {"0.0.0.0", "", None}
    assert url.hostname == config_module.lan_address()

    def no_network(*args, **kwargs):
        raise OSError("Network is unreachable")

    monkeypatch.setattr(config_module.socket, "socket", no_network)
    assert Config().PUBLIC_URL == "http://127.0.0.1:5601"
    assert config_module.local_public_url("::1", 5601) == "http://[::1]:5601"


def test_make_run_passes_host_and_port_to_loa_serve(tmp_path):
    probe = tmp_path / "probe.mk"
    probe.write_text("probe:\n\t@echo LOA_HOST=$$LOA_HOST PORT=$$PORT\n")

    def make(*args: str) -> str:
        return subprocess.run(
            ["make", "--no-print-directory", *args],
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    assert "loa serve --host 0.0.0.0 --port 5601" in make("-n", "run", "HOST=0.0.0.0", "PORT=5601")
    assert "loa serve --host 127.0.0.1 --port 5000" in make("-n", "run", "HOST=127.0.0.1", "PORT=5000")
    exported = make("-f", "Makefile", "-f", str(probe), "probe", "HOST=0.0.0.0", "PORT=5601")
    assert exported.strip() == "LOA_HOST=0.0.0.0 PORT=5601"


def test_loa_serve_says_where_to_go_on_every_start(tmp_path):
    # No LOA_PUBLIC_URL, and a PORT that is not the one served: the addresses follow --port.
    server = LiveServer(tmp_path, extra_env={"LOA_PUBLIC_URL": "", "LOA_HOST": "127.0.0.1", "PORT": "5000"})
    try:
        for _ in range(2):
            server.start()
            server.stop()
    finally:
        server.close()
    log = (tmp_path / "server.log").read_text()
    public = f"http://127.0.0.1:{server.port}"
    line = f"open: residents {public}/  staff {public}/vi/staff/  organisers {public}/organiser/\n"
    assert log.count(line) == 2, log
    assert log.index("Loa serving on") < log.index(line)


def test_demo_says_where_its_accounts_are_kept_on_every_start(tmp_path):
    runner = make_app(tmp_path, create_tables=False).test_cli_runner()
    assert runner.invoke(cli, ["init-db"]).exit_code == 0
    kept = Path(tmp_path / "instance" / "demo-credentials.txt")
    first = runner.invoke(cli, ["demo", "--if-empty"])
    assert first.exit_code == 0 and f"also saved in {kept}" in first.output
    assert kept.stat().st_mode & 0o077 == 0
    again = runner.invoke(cli, ["demo", "--if-empty"])
    assert again.exit_code == 0
    assert again.output == f"demo: database already has data, left alone; demo accounts: see {kept}\n"
    kept.unlink()
    gone = runner.invoke(cli, ["demo", "--if-empty"])
    assert gone.output == "demo: database already has data, left alone\n"
