"""Fixtures in the style of Flask's tutorial: an app with a temporary database per test,
its test client and CLI runner. Browser fixtures live in tests/browser/conftest.py."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server import create_app
from server.config import PROJECT_ROOT
from server.extensions import db

CONTENT = PROJECT_ROOT / "content"


def make_app(tmp_path: Path, create_tables: bool = True, **overrides):
    config = {
        "TESTING": True,
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "SECRET_KEY": "test-secret",
    }
    config.update(overrides)
    app = create_app(config)
    if create_tables:
        with app.app_context():
            db.create_all()
    return app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A writable copy of the real content, for tests that break or change it."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target
