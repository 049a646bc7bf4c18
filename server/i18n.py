"""Choosing a language, and formatting dates and numbers for it."""

from __future__ import annotations

import datetime as dt

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_decimal

LANG_COOKIE = "loa_lang"


def pick_language(saved: str | None, accept_languages, known: list[str], default: str) -> str:
    """The saved choice, then the browser's Accept-Language, then the default.

    Unknown codes anywhere are ignored silently. `accept_languages` is Werkzeug's
    LanguageAccept (or None)."""
    if saved in known:
        return saved
    if accept_languages:
        # Match on the primary subtag too: "km-KH" picks "km".
        for value, _quality in accept_languages:
            value = value.lower()
            for code in known:
                if value == code.lower() or value.split("-")[0] == code.lower():
                    return code
    return default if default in known else known[0]


def babel_locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("vi")


def format_date(value: dt.date | dt.datetime | None, lang: str, cldr: bool = True, fmt: str = "long") -> str:
    """A date the way readers of `lang` write it.

    Languages whose CLDR data must not be used (Hmong RPA: Babel's `mww` and `hnj` are the Nyiakeng
    Puachue script) get numeric dates, day/month/year."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not cldr:
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    return babel_format_date(value, format=fmt, locale=babel_locale(lang))


def format_time(value: dt.datetime | None, lang: str, cldr: bool = True) -> str:
    """A stored moment (naive UTC) in Vietnam's time, the way readers of `lang` write a date
    and time (numeric for Hmong, as dates)."""
    from .campaign import TIMEZONE

    if value is None:
        return ""
    local = value.replace(tzinfo=dt.UTC).astimezone(TIMEZONE)
    if not cldr:
        return f"{local.day:02d}/{local.month:02d}/{local.year} {local.hour:02d}:{local.minute:02d}"
    return babel_format_datetime(local, format="short", tzinfo=TIMEZONE, locale=babel_locale(lang))


def format_signed(value: float, lang: str, cldr: bool = True, digits: int = 1) -> str:
    """A change such as +19 or −2,5 points, with the locale's decimal sign."""
    number = format_number(round(abs(value), digits), lang, cldr)
    return f"{'+' if value >= 0 else '−'}{number}"


def format_number(value, lang: str, cldr: bool = True) -> str:
    if not cldr:  # same reason as dates: plain digits, no CLDR numbering system
        return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)
    return format_decimal(value, locale=babel_locale(lang))
