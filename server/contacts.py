"""Each province's contact card: the numbers its residents call besides the national hotline
(provincial Department of Industry and Trade, its Market Surveillance team, the consumer
association). Organisers fill them in; Loa never invents one, so an empty card shows only
the national hotline. Residents see a card on the contacts page, on topic pages and on the complaint
letter (for the province they chose or whose leaflet they scanned), and on a leaflet's page."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import audit, communes
from .extensions import db
from .models import ProvinceContact, utcnow

# The three offices of a card, in the order shown: (column prefix, what residents read).
OFFICES = (
    ("doit", _l("Department of Industry and Trade")),
    ("market", _l("Market Surveillance team")),
    ("association", _l("Consumer protection association")),
)
PHONE_MAX = 40
# Digits with the separators people write: spaces, dots, dashes, brackets, a leading +.
_PHONE = re.compile(r"\+?[0-9][0-9 .()\-]*[0-9]")
_DIGITS_MIN, _DIGITS_MAX = 3, 15


class ContactProblem(ValueError):
    """A number that cannot be a phone number; `office` names the field."""

    def __init__(self, office: str, value: str):
        super().__init__(f"{office}: '{value}' is not a phone number")
        self.office = office
        self.value = value


@dataclass(frozen=True)
class Card:
    province_code: int
    province_name: str
    phones: dict[str, str]  # office -> number as written, only the filled ones

    def tel(self, office: str) -> str:
        """The number for a tel: link (digits and a leading +)."""
        number = self.phones[office]
        return ("+" if number.startswith("+") else "") + re.sub(r"\D", "", number)


def clean_phone(office: str, value: str) -> str:
    """The number as typed, trimmed, or "" for none; ContactProblem when it is not one."""
    value = " ".join((value or "").split())
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
    if len(value) > PHONE_MAX or not _PHONE.fullmatch(value) or not _DIGITS_MIN <= len(digits) <= _DIGITS_MAX:
        raise ContactProblem(office, value)
    return value


def _card(row: ProvinceContact) -> Card | None:
    phones = {office: getattr(row, f"{office}_phone") for office, _label in OFFICES}
    phones = {office: number for office, number in phones.items() if number}
    if not phones:
        return None
    return Card(row.province_code, communes.province_name(row.province_code), phones)


def card(province_code: int | None) -> Card | None:
    """The province's card, or None when the province has no number filled in."""
    if province_code is None:
        return None
    row = db.session.get(ProvinceContact, province_code)
    return _card(row) if row else None


def all_cards() -> list[Card]:
    """Every province card with at least one number, by province code."""
    rows = db.session.scalars(select(ProvinceContact).order_by(ProvinceContact.province_code))
    return [c for row in rows if (c := _card(row))]


def phones_of(province_code: int) -> dict[str, str]:
    """The numbers as stored (empty ones too), to fill the organisers' form."""
    row = db.session.get(ProvinceContact, province_code)
    return {office: (getattr(row, f"{office}_phone") if row else "") for office, _label in OFFICES}


def save(province_code: int, phones: dict[str, str], by: str) -> None:
    """Store the province's numbers (each checked with clean_phone first) and audit it. Two
    organisers saving a province's first card at once: the second insert collides with the
    first and is made again as an update (the last save wins, both are audited)."""
    cleaned = {office: clean_phone(office, phones.get(office, "")) for office, _label in OFFICES}
    for attempt in (1, 2):
        row = db.session.get(ProvinceContact, province_code) or ProvinceContact(province_code=province_code)
        for office, number in cleaned.items():
            setattr(row, f"{office}_phone", number)
        row.updated_at, row.updated_by = utcnow(), by
        db.session.add(row)
        audit.record(
            audit.CONTACTS_SAVED, f"province:{province_code}", province_code=province_code, **cleaned
        )
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise


def version() -> str:
    """A fingerprint of every card: the offline copy of the pages showing them changes with it."""
    text = "|".join(f"{c.province_code}:{sorted(c.phones.items())}" for c in all_cards())
    return hashlib.sha256(text.encode()).hexdigest()[:12]
