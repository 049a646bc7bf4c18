import pytest

from server import create_app
from server.content import ContentInvalid
from tests import databases


def test_config_comes_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LOA_INSTANCE_DIR", str(tmp_path / "inst"))
    monkeypatch.setenv("LOA_PUBLIC_URL", "https://loa.example.vn/")
    monkeypatch.setenv("LOA_SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["PUBLIC_URL"] == "https://loa.example.vn"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'loa.sqlite3'}"


def test_test_config_overrides(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret"


def test_secret_key_generated_once_and_private(monkeypatch, tmp_path):
    monkeypatch.delenv("LOA_SECRET_KEY", raising=False)
    monkeypatch.setenv("LOA_INSTANCE_DIR", str(tmp_path))
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.skipif(databases.ENGINE != "sqlite", reason="a SQLite setting")
def test_sqlite_runs_in_wal_mode(app):
    from server.extensions import db

    with app.app_context():
        mode = db.session.execute(db.text("PRAGMA journal_mode")).scalar()
    assert mode == "wal"


def test_refuses_to_start_on_broken_content(tmp_path, content_copy):
    (content_copy / "vi" / "topics" / "complaints.md").write_text(
        "---\nid: complaints\n---\n", encoding="utf-8"
    )
    with pytest.raises(ContentInvalid) as info:
        create_app({"INSTANCE_DIR": str(tmp_path / "i"), "CONTENT_DIR": str(content_copy), "SECRET_KEY": "x"})
    assert "content/vi/topics/complaints.md" in str(info.value)
    assert "'title'" in str(info.value)
