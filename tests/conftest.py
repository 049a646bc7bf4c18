"""Fixtures in the style of Flask's tutorial: an app with a temporary database per test,
its test client and CLI runner. Browser fixtures live in tests/browser/conftest.py."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import TypeVar

import pytest

from server import create_app
from server.config import PROJECT_ROOT
from server.extensions import db
from server.state import state
from tests import databases

CONTENT = PROJECT_ROOT / "content"


def make_app(tmp_path: Path, create_tables: bool = True, **overrides):
    """An app on a test database: with the tables made from the models (create_tables), or
    an empty database of its own (for migrations and `loa init-db`)."""
    url = databases.shared_url(tmp_path) if create_tables else databases.fresh_url(tmp_path)
    config = {
        "TESTING": True,
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
    }
    config.update(overrides)
    app = create_app(config)
    if create_tables:
        with app.app_context():
            if databases.ENGINE == "postgresql":
                databases.reset_shared(db)
            else:
                db.create_all()
    return app


def app_on(url: str, content_dir: str, instance_dir: str):
    """An app on an existing database, nothing reset: another `loa serve` on the same data
    (also in a process of its own, given plain strings)."""
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "CONTENT_DIR": content_dir,
            "INSTANCE_DIR": instance_dir,
            "SECRET_KEY": "test-secret",
        }
    )


def another_server(app):
    """A second server's app on `app`'s database and content folder."""
    return app_on(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["CONTENT_DIR"], app.config["INSTANCE_DIR"] + "-2"
    )


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


def confirm_all_events(content_dir: Path) -> Path:
    """Mark every shipped example event of a content copy confirmed, so residents see them."""
    path = content_dir / "events.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("status: example", "status: confirmed"), encoding="utf-8"
    )
    return content_dir


# -- accounts, tokens and sync records ----------------------------------------------------------

import datetime as _dt  # noqa: E402
import uuid as _uuid  # noqa: E402

LAI_CHAU = 12
MUONG_KIM = 3637  # Xã Mường Kim, Lai Châu
KHOEN_ON = 3640  # Xã Khoen On, Lai Châu
PASSWORD = "correct horse battery"


def _actors():
    from server.devices import Actor

    staff = Actor(
        token_id=1,
        role="staff",
        user_id=1,
        username="staff1",
        commune_codes=frozenset({MUONG_KIM, KHOEN_ON}),
        device_id=None,
    )
    resident = Actor(
        token_id=2, role="resident", user_id=None, username=None, commune_codes=frozenset(), device_id=None
    )
    return staff, resident


STAFF, RESIDENT = _actors()  # staff1 (user 1) of Mường Kim and Khoen On; a resident's phone


@pytest.fixture
def ingest(app):
    """sync.ingest(records, actor=STAFF, **kwargs) as one request, with staff1 created."""
    create_account(app, "staff1")

    def run(records, actor=STAFF, **kwargs):
        from server import sync

        with app.app_context():
            try:
                return sync.ingest(records, actor, state(app).content, **kwargs)
            finally:
                db.session.remove()

    return run


def at_once(app, batches: list[list[dict]], actor=None) -> list:
    """Send each batch as its own request from its own thread, all at the same moment (as two
    phones would); their results. An exception in any request fails the test."""
    import threading

    from server import sync

    together = threading.Barrier(len(batches))
    results: list = []
    errors: list = []

    def send(records):
        together.wait(10)
        with app.app_context():
            try:
                results.append(sync.ingest(records, actor or STAFF, state(app).content))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def create_account(app, username="staff1", role="staff", communes=(MUONG_KIM, KHOEN_ON), province=None):
    from server.accounts import create_user

    with app.app_context():
        user = create_user(
            username,
            PASSWORD,
            role,
            province_code=province,
            commune_codes=list(communes) if role == "staff" else [],
        )
        return user.id


def token_for(app, username="staff1", **kwargs) -> str:
    """A device token for an account (created when missing)."""
    from server.devices import issue_token
    from server.extensions import db
    from server.models import User

    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(username=username)).scalar()
        if user is None:
            create_account(app, username, **kwargs)
            user = db.session.execute(db.select(User).filter_by(username=username)).scalar()
        return issue_token(user, str(_uuid.uuid4()), "test")[0]


def rid() -> str:
    return str(_uuid.uuid4())


VN = _dt.timezone(_dt.timedelta(hours=7))
# Records are made two days ago at 08:00 in Vietnam: sync accepts nothing from the future or
# older than LOA_MAX_RECORD_AGE_DAYS, so test records are as recent as a phone's would be.
TEST_DAY = _dt.datetime.now(VN).date() - _dt.timedelta(days=2)


def when(minutes: int = 0) -> str:
    base = _dt.datetime.combine(TEST_DAY, _dt.time(8, 0), VN)
    return (base + _dt.timedelta(minutes=minutes)).isoformat()


def now_stamp() -> str:
    """This moment, as a phone would stamp it."""
    return _dt.datetime.now(VN).isoformat(timespec="seconds")


def session_record(commune=MUONG_KIM, record_id=None, **data):
    payload = {
        "commune_code": commune,
        "topic_ids": ["complaints"],
        "starts_at": when(),
        "place": "Nhà văn hóa bản Nà",
        "facilitator": "Lò Thị Mai",
    }
    payload.update(data)
    return {"id": record_id or rid(), "type": "session", "created_at": when(), "data": payload}


def attendance_record(session_id, count=46, women=27, ethnic_minority=31, record_id=None, **parts):
    """An attendance line; `parts` adds elderly and disabled (which old phones never send)."""
    return {
        "id": record_id or rid(),
        "type": "attendance",
        "created_at": when(5),
        "data": {
            "session_id": session_id,
            "count": count,
            "women": women,
            "ethnic_minority": ethnic_minority,
            **parts,
        },
    }


def quiz_record(
    app, session_id=None, phase="pre", quiz_id="complaints", lang="vi", right=True, record_id=None
):
    quiz = state(app).content.quizzes["vi"][quiz_id]
    answers = {}
    for q in quiz.questions:
        answers[q.id] = q.answer if right else next(o.id for o in q.options if o.id != q.answer)
    return {
        "id": record_id or rid(),
        "type": "quiz_response",
        "created_at": when(10),
        "data": {
            "quiz_id": quiz_id,
            "lang": lang,
            "answers": answers,
            "session_id": session_id,
            "phase": phase,
        },
    }


def first_match(pattern: str, text: str, flags: int = 0) -> str:
    """Group 1 of the pattern's first match; the test fails here, naming the pattern, when
    the text does not have it."""
    match = re.search(pattern, text, flags)
    assert match is not None, f"{pattern!r} not found"
    return match.group(1)


M = TypeVar("M")


def stored_row(model: type[M], key: object) -> M:
    """The row of `model` with primary key `key` (in an app context); the test fails here,
    naming the row, when it is not in the database."""
    row = db.session.get(model, key)
    assert row is not None, f"no {model.__name__} {key!r} in the database"
    return row


def post_sync(client, token, records, device_id=None, **kwargs):
    return client.post(
        "/api/v1/sync",
        json={"device_id": device_id or rid(), "records": records},
        headers={"Authorization": f"Bearer {token}"},
        **kwargs,
    )


# -- organiser pages with CSRF ---------------------------------------------------------------


def csrf(html: str) -> str:
    return first_match(r'name="csrf_token"[^>]*value="([^"]+)"', html)


def post_form(client, url: str, page_url: str | None = None, **fields):
    """POST `fields` to `url` as the form on `page_url` (default: `url`) does, with its CSRF token."""
    page = client.get(page_url or url).get_data(as_text=True)
    return client.post(url, data={**fields, "csrf_token": csrf(page)})


def log_in(client, username, password=PASSWORD):
    return post_form(client, "/organiser/login", username=username, password=password)


@pytest.fixture
def csrf_app(tmp_path):
    return make_app(tmp_path, WTF_CSRF_ENABLED=True)


@pytest.fixture
def organiser(csrf_app):
    create_account(csrf_app, "organiser", role="organiser")
    client = csrf_app.test_client()
    assert log_in(client, "organiser").status_code == 302
    return client
