"""Leaflets: short codes, QR codes, and print-ready (PDF) and share-ready (PNG) leaflets.

A leaflet is a topic in a language for a commune (or for every commune); its QR code opens
`<public url>/l/<code>`. Plain functions, no request needed: the CLI (`loa leaflets build`),
the organiser pages and the tests call them the same way. One page layout, in millimetres,
is drawn by two canvases: fpdf2 for the PDF and Pillow for the PNG.

The modules: codes (codes and addresses, standard library only), store (rows in the
database), text (what a leaflet says), linebreak (Khmer-aware wrapping), qr, layout (fonts,
canvas, page layout), pdf, png, batch (a build for printing, CSV, ZIP), scans (a QR code
opened) and commands (`loa leaflets`).

The names below are re-exported. Only the codes and the error are imported with the
package: the rest load on first use, so the sync and the page a QR code opens do not pay
for fpdf2, Pillow and qrcode.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .codes import ALPHABET, code_is_valid, display_code, leaflet_url, new_code, normalize_code
from .errors import LeafletError

if TYPE_CHECKING:
    from .batch import CSV_COLUMNS, BuildResult, build, build_steps, write_atomic, zip_build
    from .layout import Page, draw_leaflet, plan_leaflet
    from .linebreak import has_khmer, is_khmer, wrap
    from .pdf import A5, LAYOUTS, PDF_MARGIN, PdfCanvas, render_pdf, split_pdf
    from .png import PNG_WIDTH, render_png
    from .qr import qr_modules
    from .store import (
        get_or_create_leaflets,
        outdated_leaflets,
        place_of,
        printed_fingerprint,
        stored_leaflets,
        validate_request,
    )
    from .text import WORDS, LeafletText, leaflet_text, leaflet_word

_LAZY = {  # module -> the names it holds, imported on first use (same as the block above)
    "batch": ("CSV_COLUMNS", "BuildResult", "build", "build_steps", "write_atomic", "zip_build"),
    "layout": ("Page", "draw_leaflet", "plan_leaflet"),
    "linebreak": ("has_khmer", "is_khmer", "wrap"),
    "pdf": ("A5", "LAYOUTS", "PDF_MARGIN", "PdfCanvas", "render_pdf", "split_pdf"),
    "png": ("PNG_WIDTH", "render_png"),
    "qr": ("qr_modules",),
    "store": (
        "get_or_create_leaflets",
        "outdated_leaflets",
        "place_of",
        "printed_fingerprint",
        "stored_leaflets",
        "validate_request",
    ),
    "text": ("WORDS", "LeafletText", "leaflet_text", "leaflet_word"),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "A5",
    "ALPHABET",
    "CSV_COLUMNS",
    "LAYOUTS",
    "PDF_MARGIN",
    "PNG_WIDTH",
    "WORDS",
    "BuildResult",
    "LeafletError",
    "LeafletText",
    "Page",
    "PdfCanvas",
    "build",
    "build_steps",
    "code_is_valid",
    "display_code",
    "draw_leaflet",
    "get_or_create_leaflets",
    "has_khmer",
    "is_khmer",
    "leaflet_text",
    "leaflet_url",
    "leaflet_word",
    "new_code",
    "normalize_code",
    "outdated_leaflets",
    "place_of",
    "plan_leaflet",
    "printed_fingerprint",
    "qr_modules",
    "render_pdf",
    "render_png",
    "split_pdf",
    "stored_leaflets",
    "validate_request",
    "wrap",
    "write_atomic",
    "zip_build",
]


def __getattr__(name: str) -> Any:
    """A re-exported name from its module, imported now (PEP 562) and kept."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
