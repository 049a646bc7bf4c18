"""Leaflets in the database: a row per topic, language and commune, made once and reused."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from sqlalchemy.exc import IntegrityError

from .. import communes
from ..content import Content
from ..extensions import db
from ..models import Leaflet
from .codes import new_code
from .errors import LeafletError

COMMIT_EVERY = 200  # leaflet rows written per transaction
CREATE_ATTEMPTS = 5  # fresh random codes tried when a code is already taken


def validate_request(topic_id: str, lang: str, commune_codes: Iterable, content: Content) -> list[int | None]:
    """Check a topic, language and communes before anything is written (LeafletError names
    the bad value and the valid ones); the communes, deduplicated, in order."""
    if topic_id not in content.topic_ids():
        raise LeafletError(f"unknown topic '{topic_id}'; valid topics: {', '.join(content.topic_ids())}")
    if lang not in content.languages:
        raise LeafletError(f"unknown language '{lang}'; valid languages: {', '.join(content.languages)}")
    wanted: list[int | None] = []
    unknown = []
    for code in commune_codes:
        info = None if code is None else communes.commune(code)
        if code is not None and info is None:
            unknown.append(str(code))
        value = None if info is None else info.code
        if value not in wanted:
            wanted.append(value)
    if unknown:
        raise LeafletError(
            f"unknown commune code{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; valid: the "
            f"{len(communes.communes()):,} official commune codes of vietnam-provinces "
            "(`loa leaflets build --province CODE` takes every commune of a province)"
        )
    return wanted


def _existing(scopes: Sequence[str]) -> dict[str, Leaflet]:
    """Leaflets already stored for these scopes, by scope."""
    found: dict[str, Leaflet] = {}
    for start in range(0, len(scopes), 500):
        rows = db.session.execute(
            db.select(Leaflet).where(Leaflet.scope.in_(scopes[start : start + 500]))
        ).scalars()
        found.update((row.scope, row) for row in rows)
    return found


def _fresh_codes(n: int) -> list[str]:
    """n new random codes that no stored leaflet has."""
    codes: set[str] = set()
    while len(codes) < n:
        drawn = {new_code() for _ in range(n - len(codes))} - codes
        taken = set(db.session.execute(db.select(Leaflet.code).where(Leaflet.code.in_(drawn))).scalars())
        codes |= drawn - taken
    return list(codes)


def _province_of(commune_code: int | None) -> int | None:
    """The province of a commune (validated before); none for a leaflet for every commune."""
    info = communes.commune(commune_code) if commune_code is not None else None
    return info.province_code if info else None


def _insert_missing(topic_id: str, lang: str, commune_codes: Sequence[int | None]) -> None:
    """Store a leaflet for every commune that has none yet, in one transaction. Should another
    process store the same scope or code meanwhile, the insert fails as a whole: then it looks
    again and retries with fresh codes."""
    scopes = {Leaflet.scope_of(topic_id, lang, c): c for c in commune_codes}
    missing: list[tuple[str, int | None]] = []
    for _ in range(CREATE_ATTEMPTS):
        existing = _existing(list(scopes))
        missing = [(scope, c) for scope, c in scopes.items() if scope not in existing]
        if not missing:
            return
        db.session.add_all(
            Leaflet(
                code=code,
                scope=scope,
                topic_id=topic_id,
                lang=lang,
                commune_code=c,
                province_code=_province_of(c),
            )
            for code, (scope, c) in zip(_fresh_codes(len(missing)), missing, strict=True)
        )
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
    raise LeafletError(
        f"could not store {len(missing)} leaflet code(s) after {CREATE_ATTEMPTS} attempts; "
        "codes already made stay valid, run the command again"
    )


def get_or_create_leaflets(
    topic_id: str, lang: str, commune_codes: Iterable[int | None], content: Content
) -> list[Leaflet]:
    """The leaflets for a topic and language in these communes (None: every commune), in the
    order given, creating the missing ones. Running it again returns the same codes. Nothing
    is written when a value is unknown (LeafletError). Rows are committed in chunks, so
    the codes already made stay valid if a later chunk fails."""
    wanted = validate_request(topic_id, lang, commune_codes, content)
    printed = printed_fingerprint(content, topic_id, lang)
    for start in range(0, len(wanted), COMMIT_EVERY):
        chunk = wanted[start : start + COMMIT_EVERY]
        _insert_missing(topic_id, lang, chunk)
        db.session.execute(  # printed (again) now: with what the content says today
            db.update(Leaflet)
            .where(Leaflet.scope.in_([Leaflet.scope_of(topic_id, lang, c) for c in chunk]))
            .values(printed=printed)
        )
        db.session.commit()
    found = _existing([Leaflet.scope_of(topic_id, lang, c) for c in wanted])
    return [found[Leaflet.scope_of(topic_id, lang, c)] for c in wanted]


def printed_fingerprint(content: Content, topic_id: str, lang: str) -> str:
    """What a leaflet of this topic and language prints today (title and key points, in the
    language or its Vietnamese fallback), as a short fingerprint."""
    found = content.topic(lang, topic_id)
    text = "\n".join([found.value.title, *found.value.key_points]) if found else ""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def outdated_leaflets(content: Content, province_code: int | None = None) -> list[dict]:
    """Printed leaflets whose title or key points changed since, grouped by topic, language and
    whether they are for one commune or everywhere: what one rebuild prints again."""
    groups: dict[tuple[str, str, bool], list[Leaflet]] = {}
    for leaflet in stored_leaflets(province_code):
        if leaflet.topic_id not in content.topic_ids() or leaflet.lang not in content.languages:
            continue
        if leaflet.printed and leaflet.printed != printed_fingerprint(
            content, leaflet.topic_id, leaflet.lang
        ):
            groups.setdefault((leaflet.topic_id, leaflet.lang, leaflet.commune_code is None), []).append(
                leaflet
            )
    return [
        {"topic": topic, "lang": lang, "everywhere": everywhere, "leaflets": rows}
        for (topic, lang, everywhere), rows in sorted(groups.items())
    ]


def stored_leaflets(province_code: int | None = None) -> list[Leaflet]:
    """Every stored leaflet, or those of one province's communes, by topic, language, commune."""
    query = db.select(Leaflet).order_by(
        Leaflet.topic_id, Leaflet.lang, Leaflet.province_code, Leaflet.commune_code
    )
    if province_code is not None:
        query = query.where(Leaflet.province_code == province_code)
    return list(db.session.execute(query).scalars())


def place_of(commune_code: int | None) -> tuple[str, str]:
    """(commune name, province name) of a leaflet; empty for a leaflet for every commune."""
    info = communes.commune(commune_code) if commune_code is not None else None
    return (info.name, info.province.name) if info else ("", "")
