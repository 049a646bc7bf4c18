"""Migration and backup times at 1,000,000 records, on SQLite and on PostgreSQL.

Builds a database at the first migration (0001) with 1,000,000 records (sqlite-utils bulk
inserts; copied into PostgreSQL with COPY), then times: the upgrade to the latest migration,
`loa backup` and `loa restore`, and checks the row counts after the round trip.

Usage: .venv/bin/python bench/scale.py [--records 1000000] [--engine sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import drop_postgres, fresh_postgres_url

TABLES = ("sessions", "attendance", "quiz_responses", "leaflets", "leaflet_scans")


def app_for(url: str, instance: Path):
    from server import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_DIR": str(instance),
            "SECRET_KEY": "bench",
            "TESTING": True,
        }
    )


def counts(url: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        result = {t: conn.execute(text(f"select count(*) from {t}")).scalar() for t in TABLES}
    engine.dispose()
    return result


def copy_into_postgres(sqlite_file: Path, url: str) -> None:
    import sqlite3

    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    source = sqlite3.connect(sqlite_file)
    with psycopg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
    ) as pg:
        for table in TABLES:
            columns = [row[1] for row in source.execute(f"pragma table_info({table})")]
            with pg.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in source.execute(f"select {', '.join(columns)} from {table}"):
                    copy.write_row(row)
        pg.commit()
    source.close()


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"  {label:<38} {time.perf_counter() - start:8.1f} s")
    return result


def run(engine: str, records: int, sqlite_seed: Path, workdir: Path) -> None:
    from flask_migrate import upgrade

    from server.backups import backup, restore
    from server.database import MIGRATIONS

    url = fresh_postgres_url() if engine == "postgresql" else f"sqlite:///{workdir / 'scale.sqlite3'}"
    try:
        app = app_for(url, workdir)
        with app.app_context():
            upgrade(directory=str(MIGRATIONS), revision="0001")
        if engine == "sqlite":
            from reports import generate

            generate(workdir / "scale.sqlite3", records)
        else:
            copy_into_postgres(sqlite_seed, url)
        before = counts(url)
        print(
            f"{engine}: {sum(before.values()):,} rows at migration 0001 ({', '.join(f'{k} {v:,}' for k, v in before.items())})"
        )
        with app.app_context():
            timed("upgrade 0001 -> latest (loa db upgrade)", lambda: upgrade(directory=str(MIGRATIONS)))
        out = workdir / f"backup-{engine}"
        timed("loa backup", lambda: backup(url, out))
        print(f"  {'backup size':<38} {out.stat().st_size / 1e6:8.1f} MB")
        timed("loa restore", lambda: restore(url, out))
        after = counts(url)
        print(
            f"  {'every table after the round trip':<38} {'same' if after == before else 'DIFFERENT: ' + str(after)}"
        )
    finally:
        if engine == "postgresql":
            drop_postgres(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
        if engines == ["postgresql"]:
            from flask_migrate import upgrade
            from reports import generate

            from server.database import MIGRATIONS

            seed_app = app_for(f"sqlite:///{workdir / 'scale.sqlite3'}", workdir)
            with seed_app.app_context():
                upgrade(directory=str(MIGRATIONS), revision="0001")
            generate(workdir / "scale.sqlite3", args.records)
        for engine in engines:
            run(engine, args.records, workdir / "scale.sqlite3", workdir)


if __name__ == "__main__":
    main()
