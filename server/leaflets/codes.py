"""Leaflet codes: short, easy to type by hand when the camera fails, with a check character
so a mistyped code is caught; and the addresses a leaflet's QR code and hint point to.

Standard library only: the sync and the page a QR code opens import this module alone,
without the PDF and image libraries.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

# No 0/O, 1/I/L: nothing a hand can mistype into another valid character. 31 symbols, a prime,
# so the weighted check character below catches every single wrong character and every swap
# of two neighbours.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_BODY = 5
CODE_LENGTH = CODE_BODY + 1


def _check_character(body: str) -> str:
    """The character that makes sum(position * value) over the whole code a multiple of 31."""
    n = len(ALPHABET)
    total = sum((i + 1) * ALPHABET.index(ch) for i, ch in enumerate(body))
    return ALPHABET[(-total * pow(len(body) + 1, -1, n)) % n]


def new_code() -> str:
    """A fresh random leaflet code: 5 random characters and a check character."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(CODE_BODY))
    return body + _check_character(body)


def normalize_code(text: str) -> str:
    """A code as typed by a person ("k7p-q2m ") in its stored form ("K7PQ2M")."""
    return re.sub(r"[\s\-\u2010-\u2015]+", "", text or "").upper()


def code_is_valid(code: str) -> bool:
    """True for a well-formed code whose check character matches (call normalize_code first)."""
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return False
    return _check_character(code[:-1]) == code[-1]


def display_code(code: str) -> str:
    """The code as printed: two groups of three, like a phone number ("K7P Q2M")."""
    return f"{code[:3]} {code[3:]}"


def leaflet_url(public_url: str, code: str) -> str:
    """The address a leaflet's QR code opens."""
    return f"{public_url.rstrip('/')}/l/{code}"


def short_address(public_url: str) -> str:
    """Where a person types a code by hand: the public host and path, without the scheme."""
    parts = urlsplit(public_url.rstrip("/"))
    return f"{parts.netloc}{parts.path}/l"
