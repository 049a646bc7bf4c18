"""Organiser and staff accounts: creating them, checking passwords, their life cycle
(disable, enable, a new password, a reset that forces one at the next login). Plain
functions; every change ends the account's sessions where it must and goes to the audit log."""

from __future__ import annotations

import re
import secrets
from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

from . import audit, communes
from .extensions import db
from .models import ORGANISER, ROLES, STAFF, User, UserCommune, utcnow

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = {ORGANISER: 12, STAFF: 10}  # organisers hold every figure of their scope
# A hash to compare against when the user does not exist, so a wrong username takes as long
# as a wrong password and does not reveal which usernames exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """An account that cannot be made or changed; the message says why in English (the
    command line), `code` and `params` let pages say it in the reader's language."""

    def __init__(self, message: str, code: str = "account", **params) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class PasswordRejected(AccountError):
    """A password the policy refuses: `code` (too_short | common | has_username) and `params`
    let pages and phones say why in their reader's language."""

    def __init__(self, code: str, **params) -> None:
        english = {
            "too_short": "password: at least {min} characters",
            "common": "password: this one is on the list of common passwords; choose another",
            "has_username": "password: must not contain the username",
        }[code]
        super().__init__(english.format(**params), code, **params)


def normal_username(username: str) -> str:
    return (username or "").strip().lower()


@cache
def _common_passwords() -> frozenset[str]:
    """30,000 common passwords (zxcvbn's list) and a few Vietnamese ones."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    extra = {"matkhau", "matkhau123", "vietnam", "vietnam123", "hanoi", "saigon", "anhyeuem", "iloveyou"}
    return frozenset(FREQUENCY_LISTS["passwords"]) | extra


def _is_common(password: str) -> bool:
    lowered = password.lower()
    core = lowered.strip("0123456789!@#$%^&*.?_- ")
    return (
        lowered in _common_passwords()
        or (len(core) >= 3 and core in _common_passwords())
        or len(set(lowered)) <= 2
        or lowered in "012345678901234567899876543210987654321"
        or lowered in "qwertyuiopasdfghjklzxcvbnm" * 2
    )


def check_password_policy(password: str, role: str, username: str = "") -> None:
    """PasswordRejected when the password is too short for the role, common, or has the username."""
    minimum = MIN_PASSWORD.get(role, max(MIN_PASSWORD.values()))
    if len(password) < minimum:
        raise PasswordRejected("too_short", min=minimum)
    name = normal_username(username)
    if len(name) >= 3 and name in password.lower():
        raise PasswordRejected("has_username")
    if _is_common(password):
        raise PasswordRejected("common")


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
        raise AccountError(
            f"username '{username}': use 2 to 64 lower-case letters, digits, '.', '_' or '-'",
            "bad_username",
            value=username,
        )
    if role not in ROLES:
        raise AccountError(f"role '{role}': must be one of {', '.join(ROLES)}")
    check_password_policy(password, role, username)
    if db.session.execute(db.select(User.id).filter_by(username=username)).first():
        raise AccountError(f"username '{username}' is taken", "username_taken", value=username)
    codes = sorted(set(commune_codes or []))
    if province_code is not None and communes.province(province_code) is None:
        raise AccountError(
            f"province '{province_code}' is not an official province code",
            "unknown_province",
            value=province_code,
        )
    for code in codes:
        info = communes.commune(code)
        if info is None:
            raise AccountError(
                f"commune '{code}' is not an official commune code", "unknown_commune", value=code
            )
        if province_code is None:
            province_code = info.province_code
        elif info.province_code != int(province_code):
            raise AccountError(
                f"commune {info.name} ({code}) is not in province {province_code}",
                "commune_not_in_province",
                commune=info.name,
                province=communes.province_name(int(province_code)),
            )
    if role == STAFF and province_code is None:
        raise AccountError(
            "staff need a province (--province) or communes (--commune)", "staff_need_a_province"
        )
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=generate_password_hash(password),
        password_changed_at=utcnow(),
        role=role,
        province_code=int(province_code) if province_code is not None else None,
    )
    if role == STAFF and not codes and province_code is not None:  # staff without one: refused above
        codes = [c.code for c in communes.communes_of(province_code)]
    user.communes = [UserCommune(commune_code=c) for c in codes]
    db.session.add(user)
    db.session.flush()
    audit.record(audit.USER_CREATED, f"user:{username}", province_code=user.province_code, role=role)
    db.session.commit()
    return user


def find(username: str) -> User | None:
    return db.session.execute(db.select(User).filter_by(username=normal_username(username))).scalar()


def get(username: str) -> User:
    """The account, or AccountError naming the username."""
    user = find(username)
    if user is None:
        raise AccountError(
            f"no account '{normal_username(username)}'", "no_account", value=normal_username(username)
        )
    return user


def authenticate(username: str, password: str) -> User | None:
    user = find(username)
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def _end_everything(user: User, reason: str, keep_token_id: int | None = None) -> None:
    from .auth import end_everything  # auth builds on accounts

    end_everything(user, reason, keep_token_id=keep_token_id)


def disable(user: User) -> None:
    """The account can no longer log in; its sessions end and its phones' tokens are revoked
    (their unsent records stay on the phones)."""
    user.active = False
    _end_everything(user, "disabled")
    audit.record(audit.USER_DISABLED, f"user:{user.username}", province_code=user.province_code)
    db.session.commit()


def enable(user: User) -> None:
    user.active = True
    audit.record(audit.USER_ENABLED, f"user:{user.username}", province_code=user.province_code)
    db.session.commit()


def set_password(
    user: User, password: str, *, action: str = audit.PASSWORD_SET, keep_token_id: int | None = None
) -> None:
    """A new password (checked against the policy): every session of the account ends and
    every token is revoked, but `keep_token_id` (the phone that changed it)."""
    check_password_policy(password, user.role, user.username)
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    _end_everything(user, "password", keep_token_id)
    audit.record(action, f"user:{user.username}", province_code=user.province_code)
    db.session.commit()


def change_own_password(user: User, current: str, new: str, keep_token_id: int | None = None) -> bool:
    """The user's own change: False when `current` is wrong (nothing changes)."""
    if not check_password_hash(user.password_hash, current or ""):
        return False
    if current == new:
        raise PasswordRejected("common")  # the same password again is no change
    set_password(user, new, action=audit.PASSWORD_CHANGED, keep_token_id=keep_token_id)
    return True


def reset_password(user: User) -> str:
    """An organiser's reset: a random one-time password to hand over (shown once); the account
    must choose its own at its next login. Every session and token ends."""
    temporary = "-".join(secrets.token_hex(3) for _ in range(4))  # 27 characters, easy to read out
    user.password_hash = generate_password_hash(temporary)
    user.password_changed_at = utcnow()
    user.must_change_password = True
    _end_everything(user, "password")
    audit.record(audit.PASSWORD_RESET, f"user:{user.username}", province_code=user.province_code)
    db.session.commit()
    return temporary
