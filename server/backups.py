"""`loa backup` and `loa restore`: SQLite through its online backup API (safe while Loa
serves), PostgreSQL through pg_dump and pg_restore."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from .database import DatabaseProblem, inspect_database, safe_url, sqlite_path

SQLITE_SUFFIX = ".sqlite3"
POSTGRES_SUFFIX = ".pgdump"


class BackupError(RuntimeError):
    pass


def default_path(instance_dir: Path, url: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = SQLITE_SUFFIX if sqlite_path(url) else POSTGRES_SUFFIX
    return Path(instance_dir) / "backups" / f"loa-{stamp}{suffix}"


def _libpq(url: str) -> tuple[str, dict]:
    """(a libpq connection URL without the password, environment with PGPASSWORD)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    plain = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return plain, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed; it comes with PostgreSQL (Debian: postgresql-client)")
    return found


def backup(url: str, out: Path) -> Path:
    """Write a complete copy of the database to `out` (written under a temporary name first)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    path = sqlite_path(url)
    try:
        if path is not None:
            if not path.exists():
                raise BackupError(f"no database file at {path}")
            with sqlite3.connect(path) as source, sqlite3.connect(tmp) as target:
                source.backup(target)
        else:
            conn, env = _libpq(url)
            result = subprocess.run(
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={tmp}",
                    f"--dbname={conn}",
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed for {safe_url(url)}: {result.stderr.strip()}")
        tmp.chmod(0o600)  # a backup holds every record and account: the owner's only
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _check_sqlite_backup(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            tables = {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database: {exc}") from None
    if "alembic_version" not in tables:
        raise BackupError(f"{path} is not a Loa backup (no alembic_version table)")


def restore(url: str, source: Path) -> str:
    """Replace the database's contents with the backup. The backup is checked first; a
    database that cannot be restored is left as it was."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    path = sqlite_path(url)
    if path is not None:
        _check_sqlite_backup(source)
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(source) as backup_db, sqlite3.connect(path) as target:
            backup_db.backup(target)
        path.chmod(0o600)
    else:
        conn, env = _libpq(url)
        listed = subprocess.run(
            [_tool("pg_restore"), "--list", str(source)], capture_output=True, text=True, check=False
        )
        if listed.returncode != 0 or "alembic_version" not in listed.stdout:
            raise BackupError(
                f"{source} is not a Loa PostgreSQL backup: {listed.stderr.strip() or 'no alembic_version'}"
            )
        result = subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={conn}",
                str(source),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(
                f"pg_restore failed for {safe_url(url)}; nothing was changed: {result.stderr.strip()}"
            )
    try:
        state = inspect_database(url)
    except DatabaseProblem as exc:
        raise BackupError(f"restored, but: {exc}") from None
    return f"restored {source} into {safe_url(url)} (migration {state.revision})"
