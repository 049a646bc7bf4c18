"""Demo data for a first look: accounts in Lai Châu (province 12), with fresh random passwords."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app

from . import accounts, communes
from .extensions import db
from .models import User

DEMO_PROVINCE = 12  # Lai Châu


def database_is_empty() -> bool:
    return db.session.execute(db.select(User.id).limit(1)).first() is None


def _password() -> str:
    return secrets.token_urlsafe(12)


def load_demo() -> list[str]:
    """Create the demo accounts; return the lines to show (with their passwords)."""
    lai_chau = communes.communes_of(DEMO_PROVINCE)
    organiser_pw, staff_pw = _password(), _password()
    accounts.create_user("organiser", organiser_pw, "organiser", display_name="Sở Công Thương Lai Châu")
    accounts.create_user("staff", staff_pw, "staff", display_name="Cán bộ xã (demo)",
                         province_code=DEMO_PROVINCE, commune_codes=[c.code for c in lai_chau[:5]])
    lines = [
        "demo accounts (passwords are random; also saved in instance/demo-credentials.txt):",
        f"  organiser / {organiser_pw}",
        f"  staff     / {staff_pw}   (communes: {', '.join(c.name for c in lai_chau[:5])})",
    ]
    path = Path(current_app.instance_path) / "demo-credentials.txt"
    path.touch(mode=0o600, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines
