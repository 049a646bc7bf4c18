"""Content lives in the database: the folder round-trips through it byte for byte, several
servers serve the same release, broken content is never published, a save made from an older
page is refused with what is there now, and a rollback is one step."""

from __future__ import annotations

import threading

import pytest

from server.cli import cli
from server.content import ContentInvalid, releases
from server.content.tree import Tree
from server.extensions import db
from server.state import state
from server.web import get_content
from tests.conftest import CONTENT, another_server

TOPIC = "en/topics/complaints.md"


def retitled(data: bytes, title: str) -> bytes:
    text = data.decode("utf-8")
    old = next(line for line in text.splitlines() if line.startswith("title:"))
    return text.replace(old, f"title: {title}", 1).encode("utf-8")


def published_title(app, lang: str = "en", topic: str = "complaints") -> str:
    with app.app_context():
        return get_content(force=True).topics[lang][topic].title


def save(app, path: str, change, user: str = "editor") -> None:
    """Change one draft file as the studio does: from what it holds now."""
    with app.app_context():

        def edit(conn):
            before = releases.draft_file(conn, path)
            releases.save_draft(conn, path, change(before), before, user)

        releases.run(db.engine, edit)


def publish(app, note: str = "test", **kwargs):
    with app.app_context():
        return releases.run(db.engine, lambda conn: releases.publish(conn, "editor", note, **kwargs))


@pytest.fixture
def seeded(app):
    with app.app_context():
        get_content(force=True)  # an empty database: the folder becomes release 1
    return app


def test_export_import_export_is_byte_identical(tmp_path, app, runner):
    first, second = tmp_path / "first", tmp_path / "second"
    result = runner.invoke(cli, ["content", "import", str(CONTENT)])
    assert result.exit_code == 0 and "published as release 1" in result.output, result.output
    assert runner.invoke(cli, ["content", "export", str(first)]).exit_code == 0
    again = runner.invoke(cli, ["content", "import", str(first)])
    assert "already published, nothing to do" in again.output, again.output
    assert runner.invoke(cli, ["content", "export", str(second)]).exit_code == 0
    shipped, one, two = Tree.from_dir(CONTENT), Tree.from_dir(first), Tree.from_dir(second)
    assert dict(one.files) == dict(shipped.files) == dict(two.files)
    assert one.version() == shipped.version()
    refused = runner.invoke(cli, ["content", "export", str(first)])
    assert refused.exit_code != 0 and "is not empty" in refused.output


def test_an_empty_database_is_seeded_from_the_folder_and_every_server_serves_the_newest_release(seeded):
    other = another_server(seeded)
    with seeded.app_context(), db.engine.connect() as conn:
        assert [r.number for r in releases.history(conn)] == [1]
    assert published_title(other) == published_title(seeded)
    save(seeded, TOPIC, lambda data: retitled(data, "Complaints, from the studio"))
    assert published_title(other) != "Complaints, from the studio", "a draft is not published"
    made = publish(seeded, "new title")
    assert made.number == 2
    assert published_title(other) == "Complaints, from the studio"
    assert "Complaints, from the studio" in other.test_client().get("/en/topics/complaints").get_data(
        as_text=True
    )
    with other.app_context():
        assert state(other).content_store.release == (2, made.version)


def test_broken_content_is_never_published(seeded, runner):
    save(seeded, TOPIC, lambda data: b"---\nbroken: [\n---\n")
    with pytest.raises(ContentInvalid) as refused:
        publish(seeded)
    assert "content/en/topics/complaints.md" in str(refused.value)
    result = runner.invoke(cli, ["content", "publish", "--note", "try"])
    assert result.exit_code != 0 and "nothing was changed" in result.output
    with seeded.app_context(), db.engine.connect() as conn:
        assert [r.number for r in releases.history(conn)] == [1]
    assert published_title(seeded) == "How to complain when you lose out"


def test_a_save_from_an_older_copy_is_refused_with_what_is_there_now(seeded):
    with seeded.app_context(), db.engine.connect() as conn:
        opened = releases.draft_file(conn, TOPIC)
    assert opened is not None
    save(seeded, TOPIC, lambda data: retitled(data, "Saved first"))
    with seeded.app_context(), pytest.raises(releases.Conflict) as conflict:
        releases.run(
            db.engine,
            lambda conn: releases.save_draft(conn, TOPIC, retitled(opened, "Saved second"), opened, "b"),
        )
    assert conflict.value.current is not None and b"title: Saved first" in conflict.value.current
    with seeded.app_context(), db.engine.connect() as conn:
        assert b"title: Saved first" in (releases.draft_file(conn, TOPIC) or b"")


def test_rollback_is_one_step_and_keeps_unpublished_edits(seeded, runner):
    save(seeded, TOPIC, lambda data: retitled(data, "Release two"))
    publish(seeded, "two")
    save(seeded, "vi/topics/markets.md", lambda data: data + "\nMột câu chưa xuất bản.\n".encode())
    result = runner.invoke(cli, ["content", "rollback", "1", "--note", "wrong title"])
    assert result.exit_code == 0 and "published release 3" in result.output, result.output
    assert published_title(seeded) == "How to complain when you lose out"
    with seeded.app_context(), db.engine.connect() as conn:
        assert b"title: How to complain" in (releases.draft_file(conn, TOPIC) or b""), "the draft follows"
        assert "chưa xuất bản".encode() in (releases.draft_file(conn, "vi/topics/markets.md") or b""), (
            "edit kept"
        )
        assert [(r.number, r.kind) for r in releases.history(conn)] == [
            (3, "rollback"),
            (2, "publish"),
            (1, "import"),
        ]
    history = runner.invoke(cli, ["content", "releases"]).output
    assert "wrong title" in history and "rollback" in history
    changes = runner.invoke(cli, ["content", "changes", "2"]).output
    assert "changed: en/topics/complaints.md" in changes and "+title: Release two" in changes


def test_publishers_at_the_same_moment_lose_nothing(seeded):
    """Eight editors publish eight different files at once: every change is in the final release,
    and releases are numbered without gaps."""
    paths = [f"vi/topics/{t}.md" for t in ("complaints", "counterfeit", "consumer-day", "markets")]
    paths += [f"en/topics/{t}.md" for t in ("complaints", "counterfeit", "consumer-day", "markets")]
    for i, path in enumerate(paths):
        save(seeded, path, lambda data, i=i: data + f"\nCâu số {i}.\n".encode())
    together = threading.Barrier(len(paths))
    failures: list[BaseException] = []

    def one(path: str) -> None:
        try:
            together.wait(10)
            publish(seeded, f"publish {path}", paths=[path])
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(p,)) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    with seeded.app_context(), db.engine.connect() as conn:
        head = releases.head(conn)
        assert head is not None and head.number == 1 + len(paths)
        tree = releases.tree_of(conn, head.manifest)
    for i, path in enumerate(paths):
        assert f"Câu số {i}.".encode() in (tree.read(path) or b""), path
