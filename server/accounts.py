"""Organiser and staff accounts: creating them, checking passwords. Plain functions."""

from __future__ import annotations

import re

from werkzeug.security import check_password_hash, generate_password_hash

from . import communes
from .extensions import db
from .models import ROLES, STAFF, User, UserCommune

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10
# A hash to compare against when the user does not exist, so a wrong username takes as long
# as a wrong password and does not reveal which usernames exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    pass


def create_user(
    username: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    province_code: int | None = None,
    commune_codes: list[int] | None = None,
) -> User:
    """Create an account. Staff need a province and may be limited to some of its communes."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError(f"username '{username}': use 2 to 64 lower-case letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise AccountError(f"role '{role}': must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters")
    if db.session.execute(db.select(User.id).filter_by(username=username)).first():
        raise AccountError(f"username '{username}' is taken")
    codes = sorted(set(commune_codes or []))
    if province_code is not None and communes.province(province_code) is None:
        raise AccountError(f"province '{province_code}' is not an official province code")
    for code in codes:
        info = communes.commune(code)
        if info is None:
            raise AccountError(f"commune '{code}' is not an official commune code")
        if province_code is None:
            province_code = info.province_code
        elif info.province_code != int(province_code):
            raise AccountError(f"commune {info.name} ({code}) is not in province {province_code}")
    if role == STAFF and province_code is None:
        raise AccountError("staff need a province (--province) or communes (--commune)")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=generate_password_hash(password),
        role=role,
        province_code=int(province_code) if province_code is not None else None,
    )
    if role == STAFF and not codes and province_code is not None:  # staff without one: refused above
        codes = [c.code for c in communes.communes_of(province_code)]
    user.communes = [UserCommune(commune_code=c) for c in codes]
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(username: str, password: str) -> User | None:
    user = db.session.execute(db.select(User).filter_by(username=(username or "").strip().lower())).scalar()
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None
