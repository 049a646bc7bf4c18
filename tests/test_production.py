"""Behind `loa serve`: secure cookies on HTTPS, proxy headers only when told, request size
limits, JSON logs with request ids, no debug pages."""

import json
import logging

from tests.conftest import make_app


def test_https_public_url_gives_secure_cookies_and_hsts(tmp_path, monkeypatch):
    from server.config import Config

    monkeypatch.setenv("LOA_PUBLIC_URL", "https://loa.example.vn")
    assert Config().SESSION_COOKIE_SECURE
    monkeypatch.delenv("LOA_PUBLIC_URL")
    app = make_app(tmp_path, SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/en/", headers={"Sec-Fetch-Mode": "navigate"})
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_proxy_headers_are_ignored_unless_behind_a_proxy(tmp_path):
    from flask import request

    for behind, expected in ((False, "http"), (True, "https")):
        app = make_app(tmp_path / str(behind), BEHIND_PROXY=behind)
        seen: dict[str, str] = {}

        @app.get("/_scheme")
        def scheme(seen=seen):
            seen["scheme"] = request.scheme
            return "ok"

        app.test_client().get("/_scheme", headers={"X-Forwarded-Proto": "https"})
        assert seen["scheme"] == expected


def test_behind_proxy_setting_installs_proxyfix(tmp_path, monkeypatch):
    from server import create_app

    monkeypatch.setenv("LOA_BEHIND_PROXY", "1")
    monkeypatch.setenv("LOA_INSTANCE_DIR", str(tmp_path))
    app = create_app({"SECRET_KEY": "x"})
    assert type(app.wsgi_app).__name__ == "ProxyFix"


def test_request_body_limit(app, client):
    response = client.post(
        "/organiser/login",
        data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413


def test_json_request_log_with_request_id(tmp_path, capsys):
    app = make_app(tmp_path, TESTING=False)
    client = app.test_client()
    response = client.get(
        "/healthz", headers={"X-Request-Id": "phone-42-abc"}, environ_base={"REMOTE_ADDR": "203.0.113.7"}
    )
    assert response.headers["X-Request-Id"] == "phone-42-abc"
    generated = client.get("/vi/?code=SECRET").headers["X-Request-Id"]
    assert len(generated) == 32
    for handler in logging.getLogger("loa.requests").handlers:
        handler.flush()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("message") == "request"]
    assert {
        "request_id": "phone-42-abc",
        "method": "GET",
        "path": "/healthz",
        "status": 200,
    }.items() <= requests[0].items()
    text = json.dumps(lines)
    assert "203.0.113.7" not in text and "SECRET" not in text, "no addresses and no query strings in logs"


def test_errors_show_no_traceback(tmp_path):
    app = make_app(tmp_path, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/_boom")
    def boom():
        raise RuntimeError("internal detail")

    response = app.test_client().get("/_boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "internal detail" not in body and "Traceback" not in body
