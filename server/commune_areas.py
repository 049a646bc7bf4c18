"""The commune classification organisers maintain: which communes of their province are border
communes, remote and mountain communes, or any other area of content/areas.yaml, with the
official source of each list (a decision's number and date). The figures use the union of the
content file's lists (national) and these (per province).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, select

from . import audit, communes
from .content import Content
from .extensions import db
from .models import CommuneArea

MAX_SOURCE = 300


class ClassificationError(ValueError):
    """A list that cannot be saved; `code` and `params` say why in the reader's language."""

    def __init__(self, message: str, code: str, **params) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def lists(content: Content) -> dict[str, set[int]]:
    """{area: commune codes}: the content file's lists and every province's."""
    found: dict[str, set[int]] = {area.id: set(area.communes) for area in content.areas.values()}
    for code, area in db.session.execute(select(CommuneArea.commune_code, CommuneArea.area)):
        if area in found:
            found[area].add(code)
    return found


def of_province(province: int) -> dict[str, dict]:
    """{area: {"communes": [codes], "sources": [source]}} as the province's organisers set them."""
    found: dict[str, dict] = defaultdict(lambda: {"communes": [], "sources": []})
    rows = db.session.execute(
        select(CommuneArea).where(CommuneArea.province_code == province).order_by(CommuneArea.commune_code)
    ).scalars()
    for row in rows:
        entry = found[row.area]
        entry["communes"].append(row.commune_code)
        if row.source not in entry["sources"]:
            entry["sources"].append(row.source)
    return dict(found)


def sources(province: int | None) -> dict[str, list[str]]:
    """{area: the sources of its lists} of one province (None: every province's)."""
    query = select(CommuneArea.area, CommuneArea.source).distinct()
    if province is not None:
        query = query.where(CommuneArea.province_code == province)
    found: dict[str, list[str]] = defaultdict(list)
    for area, source in db.session.execute(query.order_by(CommuneArea.area, CommuneArea.source)):
        found[area].append(source)
    return dict(found)


def save(area: str, province: int, codes: list[int], source: str, by: str, content: Content) -> None:
    """Replace the province's list of `area` with `codes`, from `source`. Every code must be a
    commune of the province; a list needs its source (an empty list does not)."""
    if area not in content.areas:
        raise ClassificationError(f"there is no area '{area}'", "unknown_area", value=area)
    source = source.strip()
    if codes and not source:
        raise ClassificationError("name the decision the list comes from", "source_needed")
    if len(source) > MAX_SOURCE:
        raise ClassificationError(
            f"the source is over {MAX_SOURCE} characters", "source_too_long", limit=MAX_SOURCE
        )
    for code in codes:
        info = communes.commune(code)
        if info is None or info.province_code != province:
            raise ClassificationError(
                f"commune {code} is not in province {province}",
                "commune_not_in_province",
                commune=communes.commune_name(code),
                province=communes.province_name(province),
            )
    db.session.execute(
        delete(CommuneArea).where(CommuneArea.area == area, CommuneArea.province_code == province)
    )
    db.session.add_all(
        CommuneArea(commune_code=code, area=area, province_code=province, source=source, set_by=by)
        for code in dict.fromkeys(codes)
    )
    audit.record(
        audit.AREAS_SAVED,
        f"{area}:{province}",
        province_code=province,
        communes=len(set(codes)),
        source=source,
    )
    db.session.commit()
