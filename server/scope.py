"""Who sees and manages what, by geography.

- A national organiser (an organiser account with no province) sees and manages everything.
- A province organiser sees the figures, exports, reports, leaflets, events, devices, records
  and accounts of their own province only, and makes accounts in it only.
- Staff record sessions in their own communes (server/sync.py) and see no organiser page.

Every organiser view and the stats API go through these functions; a test walks every route
with a province organiser of another province.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy import Select, select

from . import communes, devices
from .extensions import db
from .models import ORGANISER, DeviceToken, User


class OutOfScope(Exception):
    """Something outside the account's province (the message names both, in English for the
    API); `code` and `params` let pages say it in the reader's language."""

    def __init__(self, message: str, province: int) -> None:
        super().__init__(message)
        self.code = "out_of_scope"
        self.params = {"province": communes.province_name(province)}


def province_of(user) -> int | None:
    """The province an organiser (a User or an Actor) is limited to; None: national."""
    return user.province_code


def is_national(user) -> bool:
    return getattr(user, "role", None) == ORGANISER and user.province_code is None


def _limit_text(province: int) -> str:
    return f"your account sees province {communes.province_name(province)} ({province}) only"


def restrict(user, flt):
    """A report filter limited to the user's province: an empty province becomes theirs, another
    province (or a commune of another province) is OutOfScope."""
    mine = province_of(user)
    if mine is None:
        return flt
    if flt.province is not None and flt.province != mine:
        raise OutOfScope(f"province {flt.province}: {_limit_text(mine)}", mine)
    if flt.commune is not None and (info := communes.commune(flt.commune)) and info.province_code != mine:
        raise OutOfScope(f"commune {flt.commune}: {_limit_text(mine)}", mine)
    return replace(flt, province=mine)


def check_province(user, province: int | None) -> None:
    """OutOfScope when `province` (None: every province) is not the user's to see."""
    mine = province_of(user)
    if mine is not None and province != mine:
        raise OutOfScope(f"province {province if province is not None else 'all'}: {_limit_text(mine)}", mine)


def check_commune(user, commune: int | None) -> None:
    """OutOfScope when a commune (None: no commune, so national) is outside the user's province."""
    mine = province_of(user)
    if mine is None:
        return
    info = communes.commune(commune) if commune is not None else None
    if info is None or info.province_code != mine:
        raise OutOfScope(f"commune {commune if commune is not None else 'none'}: {_limit_text(mine)}", mine)


def provinces_for(user) -> list:
    """The provinces the user may choose in a filter or a form, by name."""
    mine = province_of(user)
    found = communes.provinces()
    chosen = found.values() if mine is None else [found[mine]] if mine in found else []
    return sorted(chosen, key=lambda p: communes.fold(p.name))


def check_may_create(user, role: str, province: int | None) -> None:
    """A province organiser makes accounts (staff or organisers) in their province only."""
    mine = province_of(user)
    if mine is None:
        return
    if province != mine:
        raise OutOfScope(
            f"province {province if province is not None else 'none'}: {_limit_text(mine)}", mine
        )


def may_manage(user, target: User) -> bool:
    """May `user` disable, enable or reset the password of `target`?"""
    mine = province_of(user)
    return mine is None or (target.province_code == mine and not is_national(target))


def users_query(user) -> Select:
    query = select(User)
    mine = province_of(user)
    return query if mine is None else query.where(User.province_code == mine)


def visible_devices(user, tokens: Iterable[DeviceToken]) -> list[DeviceToken]:
    """The tokens of accounts in the user's province (residents' phones: national only)."""
    return devices.in_province(tokens, province_of(user))


def user_ids_of_province(province: int) -> set[int]:
    return set(db.session.execute(select(User.id).where(User.province_code == province)).scalars())


def record_province(record_id: str) -> int | None:
    """The province of a stored record (a session, line, answer or scan), None when unknown."""
    from .data_quality import FIGURE_MODELS

    for model in FIGURE_MODELS.values():
        found = db.session.execute(select(model.province_code).where(model.id == record_id)).first()
        if found is not None:
            return found[0]
    return None
