"""Loa: consumer-rights campaigns for places with no signal."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from flask import Flask, g
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import PROJECT_ROOT, Config, ensure_secret_key

TEMPLATES = PROJECT_ROOT / "pwa" / "templates"
STATIC = PROJECT_ROOT / "pwa" / "static"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Loa app. Settings come from LOA_* variables (server/config.py); `test_config`
    overrides them. Refuses to build (ContentInvalid) when the campaign content is broken."""
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=None)
    app.config.update(Config().as_dict())
    if test_config:
        app.config.update(test_config)
    # The login cookie lasts as long as a login may (the server ends it sooner when idle).
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=float(app.config["SESSION_HOURS"]))
    instance = Path(app.config["INSTANCE_DIR"])
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    instance.chmod(0o700)  # the database, its WAL, backups and the secret key: the owner's only
    app.instance_path = app.config["INSTANCE_DIR"]
    ensure_secret_key(app.config)

    from . import assets, catalogues, content, database, logs, models, security, state, web  # noqa: F401 (models)
    from .extensions import babel, compress, csrf, db, migrate

    content_store = content.ContentStore(app.config["CONTENT_DIR"], lambda: db.engine, app.logger)
    for problem in catalogues.compile_catalogues(Path(app.config["TRANSLATIONS_DIR"])):
        app.logger.warning("translation left out: %s", problem)
    state.install(app, state.LoaState(content_store=content_store, assets=assets.Assets(STATIC)))

    database.check_url(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=lambda: g.get("lang") or app.config["DEFAULT_LANG"])
    with app.app_context():  # Flask-Babel caches catalogues per process: start from this app's own
        babel.domain_instance.cache.clear()
    compress.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    if not app.testing:
        logs.configure(app)
    if app.config["BEHIND_PROXY"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask documents wrapping wsgi_app like this, but types it as a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)  # type: ignore[method-assign]
    web.init_app(app)

    from .api import bp as api_bp
    from .organiser import bp as organiser_bp
    from .public import bp as public_bp
    from .public import root_bp
    from .staff import bp as staff_bp

    app.register_blueprint(root_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(organiser_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(staff_bp)
    csrf.exempt(api_bp)  # the JSON API authenticates with bearer tokens, not cookies
    return app


def owner_only(path: Path) -> None:
    """rw------- for a file Loa made (no-op when missing or already so)."""
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except FileNotFoundError:
        pass


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite in WAL mode with foreign keys on; waits for a busy writer instead of failing."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        files = [row[2] for row in cursor.execute("PRAGMA database_list") if row[2]]
        cursor.close()
        for name in files:  # the database, its WAL and shared memory: readable by the owner only
            for path in (Path(name), Path(f"{name}-wal"), Path(f"{name}-shm")):
                owner_only(path)
