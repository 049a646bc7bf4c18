"""Who may write, translate, review and publish content (design.md: Roles).

- **editor**: writes the Vietnamese source of topics and publishes in their scope. Organisers are
  editors of their scope without a grant; other accounts need the role.
- **translator LANG**: writes the LANG translation, field by field.
- **reviewer LANG**: signs off LANG translations, never their own.

Scope: a topic may belong to a province (`province:` in its front matter). A national organiser
edits and publishes everything; publishing national content (topics of no province, the
language list, the areas) is theirs alone. Every other editor edits and publishes the topics of
their own province.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select

from . import scope
from .extensions import db
from .models import CONTENT_ROLES, EDITOR, ORGANISER, REVIEWER, TRANSLATOR, ContentRole, User


def roles_of(user: User) -> set[tuple[str, str]]:
    """(role, language) pairs granted to `user`; an editor's language is ""."""
    rows = db.session.execute(
        select(ContentRole.role, ContentRole.lang).where(ContentRole.user_id == user.id)
    )
    return {(role, lang) for role, lang in rows}


def set_roles(
    user: User, editor: bool, translator: Iterable[str], reviewer: Iterable[str], granted_by: str
) -> set[tuple[str, str]]:
    """Give `user` exactly these content roles (the caller commits)."""
    wanted = {(EDITOR, "")} if editor else set()
    wanted |= {(TRANSLATOR, lang) for lang in translator} | {(REVIEWER, lang) for lang in reviewer}
    have = roles_of(user)
    for role, lang in have - wanted:
        db.session.execute(
            delete(ContentRole).where(
                ContentRole.user_id == user.id, ContentRole.role == role, ContentRole.lang == lang
            )
        )
    for role, lang in sorted(wanted - have):
        assert role in CONTENT_ROLES
        db.session.add(ContentRole(user_id=user.id, role=role, lang=lang, granted_by=granted_by))
    return wanted


def describe(roles: set[tuple[str, str]]) -> str:
    """`editor, translator (km), reviewer (mww)`: for lists and the CLI."""
    return ", ".join(f"{role} ({lang})" if lang else role for role, lang in sorted(roles)) or "-"


def is_editor(user: User) -> bool:
    return user.role == ORGANISER or (EDITOR, "") in roles_of(user)


def may_use_studio(user: User) -> bool:
    return user.role == ORGANISER or bool(roles_of(user))


def may_edit(user: User, province: int | None) -> bool:
    """Write (and publish) a topic of `province` (None: a national topic)."""
    if not is_editor(user):
        return False
    if scope.is_national(user):
        return True
    return province is not None and province == user.province_code


def may_translate(user: User, lang: str) -> bool:
    return (TRANSLATOR, lang) in roles_of(user)


def may_review(user: User, lang: str) -> bool:
    return (REVIEWER, lang) in roles_of(user)
