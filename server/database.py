"""Creating and upgrading the database (Alembic migrations through Flask-Migrate)."""
from __future__ import annotations

from flask import current_app
from flask_migrate import upgrade

from .config import PROJECT_ROOT

MIGRATIONS = PROJECT_ROOT / "migrations"


def upgrade_database() -> None:
    """Bring the database to the latest migration. Safe to run on every start."""
    upgrade(directory=str(MIGRATIONS))
    current_app.logger.info("database upgraded")
