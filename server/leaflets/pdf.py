"""Leaflets as PDF for the print shop: fpdf2 with HarfBuzz shaping, the Noto fonts embedded
(subset) and a vector QR code; one A5 page per leaflet or two on landscape A4, and a
combined PDF split into one file per leaflet."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence

from fpdf import FPDF
from fpdf.enums import PDFResourceType
from fpdf.fonts import TTFFont

from ..content import Content
from ..models import Leaflet
from .errors import LeafletError
from .layout import FONTS, Canvas, Page, draw_leaflet, family_for, font_file
from .text import leaflet_text

A5 = (148.0, 210.0)
A4_LANDSCAPE = (297.0, 210.0)
PDF_MARGIN = 10.0  # mm; print shops ask for at least 8 mm free of text
LAYOUTS = ("a5", "a4-2up")


class PdfCanvas(Canvas):
    """Draws on an fpdf2 document: HarfBuzz shaping, Noto fonts embedded (subset), vector QR."""

    def __init__(self, page_size: tuple[float, float]):
        short, long = sorted(page_size)
        pdf = FPDF(
            orientation="L" if page_size[0] > page_size[1] else "P",
            unit="mm",
            format=(short, long),
        )
        self.pdf = pdf
        try:
            for family, bold in FONTS:
                pdf.add_font(family, "B" if bold else "", font_file(family, bold))
        except BaseException:
            self.close()
            raise
        pdf.set_text_shaping(True)
        pdf.set_fallback_fonts(["NotoSans", "NotoSansKhmer"])  # digits in Khmer text, Khmer in Latin
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.c_margin = 0
        pdf.set_creator("Loa")
        pdf.set_fill_color(0)
        pdf.set_text_color(0)
        self._drawn: dict[tuple, tuple[bytes, set[int]]] = {}

    def _font(self, text: str, size: float, bold: bool) -> None:
        self.pdf.set_font(family_for(text), "B" if bold else "", size)

    def measure(self, text: str, size: float, bold: bool) -> float:
        self._font(text, size, bold)
        return self.pdf.get_string_width(text)

    def draw_line(self, x, top, leading, text, size, bold) -> None:
        """Shape and draw a line with fpdf2, or copy the PDF operators of the same line drawn
        at the same place on an earlier page: every leaflet of a build repeats its title and
        key points, and shaping them again is most of the time a page takes. Each line's
        operators select their own font, so a copy does not depend on what came before."""
        pdf = self.pdf
        key = (text, size, bold, round(x, 3), round(top, 3), round(leading, 3))
        if key not in self._drawn:
            self._font(text, size, bold)
            pdf.current_font_is_set_on_page = False  # fpdf2 then writes the font into the line
            start = len(self._page_contents())
            pdf.set_xy(x, top)
            pdf.cell(self.width(text, size, bold) + 0.01, leading, text)
            operators = bytes(self._page_contents()[start:]).rstrip(b"\n")
            self._drawn[key] = (operators, {int(i) for i in re.findall(rb"/F(\d+) ", operators)})
            pdf.current_font_is_set_on_page = False
            return
        operators, fonts = self._drawn[key]
        pdf._out(operators)
        for font in fonts:  # the page's resources must name the fonts the copy uses
            pdf._resource_catalog.add(PDFResourceType.FONT, font, pdf.page)

    def _page_contents(self) -> bytearray:
        """The operators written so far on the current page: a bytearray until output()."""
        contents = self.pdf.pages[self.pdf.page].contents
        if not isinstance(contents, bytearray):
            raise TypeError(f"page contents already serialised ({type(contents).__name__})")
        return contents

    def fill_rect(self, x, y, w, h) -> None:
        self.pdf.rect(x, y, w, h, style="F")

    def cut_line(self, x: float) -> None:
        """A thin dashed vertical line where a 2-up sheet is cut in two."""
        self.pdf.set_draw_color(150)
        self.pdf.set_line_width(0.2)
        self.pdf.set_dash_pattern(dash=2, gap=2)
        self.pdf.line(x, 0, x, self.pdf.h)
        self.pdf.set_dash_pattern()

    def output(self) -> bytes:
        return bytes(self.pdf.output())

    def close(self) -> None:
        """Close the font files fpdf2 keeps open for shaping. output() closes them as well;
        this is for a canvas that only measured, or a PDF abandoned half way."""
        for font in self.pdf.fonts.values():
            if isinstance(font, TTFFont):
                font.close()

    def __enter__(self) -> PdfCanvas:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def render_pdf(
    leaflets: Sequence[Leaflet],
    content: Content,
    public_url: str,
    layout: str = "a5",
    on_leaflet: Callable[[], None] | None = None,
) -> bytes:
    """One PDF of the leaflets: an A5 page each ("a5"), or two A5 leaflets side by side on
    landscape A4 pages ("a4-2up", with a dashed cut line). One font setup serves every page.
    `on_leaflet` is called after each leaflet is drawn."""
    if layout not in LAYOUTS:
        raise LeafletError(f"unknown layout '{layout}'; valid layouts: {', '.join(LAYOUTS)}")
    per_sheet = 2 if layout == "a4-2up" else 1
    with PdfCanvas(A4_LANDSCAPE if per_sheet == 2 else A5) as canvas:
        langs = sorted({leaflet.lang for leaflet in leaflets})
        canvas.pdf.set_lang(langs[0] if len(langs) == 1 else "vi")
        canvas.pdf.set_title(f"Loa leaflets ({len(leaflets)})")
        for i, leaflet in enumerate(leaflets):
            if i % per_sheet == 0:
                canvas.pdf.add_page()
                if per_sheet == 2:
                    canvas.cut_line(A4_LANDSCAPE[0] / 2)
            x = (i % per_sheet) * A4_LANDSCAPE[0] / 2
            draw_leaflet(canvas, leaflet_text(leaflet, content, public_url), Page(x, 0, *A5, PDF_MARGIN))
            if on_leaflet:
                on_leaflet()
        return canvas.output()


def split_pdf(pdf: bytes) -> list[bytes]:
    """Each page of a PDF as a PDF of its own (with the fonts it needs): one leaflet's file."""
    from pypdf import PdfReader, PdfWriter  # a runtime need of `build` only

    reader = PdfReader(io.BytesIO(pdf))
    pages = []
    for page in reader.pages:
        writer = PdfWriter()
        writer.add_page(page)
        writer.add_metadata({"/Creator": "Loa"})
        buffer = io.BytesIO()
        writer.write(buffer)
        pages.append(buffer.getvalue())
    return pages
