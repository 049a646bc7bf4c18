"""A leaflet's QR code as rows of modules, and the dark runs drawn as rectangles."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import qrcode

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


@lru_cache(maxsize=4096)
def qr_modules(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code of a URL as rows of modules (True is dark), without its quiet zone:
    error correction Q (a quarter of the code may be crumpled or stained), smallest version."""
    qr = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_Q, border=0)
    qr.add_data(url)
    qr.make(fit=True)
    return tuple(map(tuple, qr.get_matrix()))


def dark_runs(row: Sequence[bool]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row: one rectangle each when drawn."""
    runs, start = [], None
    for i, dark in enumerate([*row, False]):
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            runs.append((start, i - start))
            start = None
    return runs
