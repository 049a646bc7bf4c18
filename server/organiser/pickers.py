"""Provinces and communes chosen by name on organiser forms (accounts, events, leaflets), not by
numeric code: a province from a list of names, communes typed by name without needing accents
("muong kim" finds Xã Mường Kim), or by code as before. A name that fits no commune, or several,
is an error naming it and the communes it could be."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from .. import communes, scope

SEPARATORS = re.compile(r"[\n,;]+")
MAX_CANDIDATES = 5


class PickError(ValueError):
    """A commune the form names that Loa cannot pin down, said in the reader's language."""


def province_field(label=None) -> SelectField:
    """A province chosen by name; its choices are set per request by `fill_provinces`."""
    return SelectField(label or _l("Province"), validators=[Optional()], coerce=_province_or_none)


def communes_field(label=None) -> TextAreaField:
    return TextAreaField(
        label or _l("Communes, by name or code (separated by commas or new lines)"),
        validators=[Optional(), Length(max=20000)],
    )


def _province_or_none(value) -> int | None:
    if value in (None, "", "None"):
        return None
    text = str(value).strip()
    return int(text) if communes.is_code(text) else -1  # -1: not a choice, so "not a valid choice"


def fill_provinces(field: SelectField, user, allow_none: bool = True) -> None:
    """The provinces `user` may choose, by name (a province organiser: theirs only)."""
    national = allow_none and scope.is_national(user)
    field.choices = ([SelectChoice(None, "–")] if national else []) + [
        SelectChoice(p.code, p.name) for p in scope.provinces_for(user)
    ]


def _describe(info: communes.CommuneInfo) -> str:
    return f"{info.name} ({info.province.name})"


def resolve_commune(text: str, province: int | None) -> int:
    """One commune, by code or by name (within `province` when given). PickError otherwise."""
    text = text.strip()
    if communes.is_code(text):
        if communes.commune(text) is None:
            raise PickError(_("%(value)s is not a commune code.", value=text))
        return int(text)
    allowed = {c.code for c in communes.communes_of(province)} if province else None
    found = communes.search(text, allowed, limit=len(communes.communes()))
    wanted = communes.fold(text)
    exact = [c for c in found if wanted in (communes.fold(c.name), _bare(c.name))]
    candidates = exact or found
    if len(candidates) == 1:
        return candidates[0].code
    if not candidates:
        raise PickError(_("No commune is called “%(value)s”.", value=text))
    shown = ", ".join(_describe(c) for c in candidates[:MAX_CANDIDATES])
    raise PickError(
        _("“%(value)s” could be: %(communes)s. Choose the province or type more.", value=text, communes=shown)
    )


def _bare(name: str) -> str:
    """A commune's name without "Xã" / "Phường" / "Đặc khu", folded."""
    return re.sub(r"^(xa|phuong|dac khu|thi tran)\s+", "", communes.fold(name))


def resolve_communes(text: str, province: int | None) -> list[int]:
    """Every commune the text names, in order, once each. A line of plain codes may be separated
    by spaces too (as before)."""
    codes: list[int] = []
    for chunk in SEPARATORS.split(text or ""):
        words = chunk.split()
        parts = words if words and all(communes.is_code(w) for w in words) else [chunk]
        for part in parts:
            if part.strip():
                code = resolve_commune(part, province)
                if code not in codes:
                    codes.append(code)
    return codes


def chosen_province() -> int | None:
    """The province a page works on: a province organiser's own (another one asked for with
    ?province= is 403), or the one a national organiser chose (None: the whole country)."""
    from flask import abort, g, request

    from .problems import say

    wanted = request.values.get("province", "")
    province = int(wanted) if communes.is_code(wanted) and communes.province(int(wanted)) else None
    mine = scope.province_of(g.user)
    if mine is None:
        return province
    if province not in (None, mine):
        try:
            scope.check_province(g.user, province)
        except scope.OutOfScope as exc:
            abort(403, description=say(exc))
    return mine
