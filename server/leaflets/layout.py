"""The page layout of a leaflet, written once in millimetres for any canvas: the Noto fonts,
a Canvas (what a drawing surface must do), the text wrapped and sized to fit, and the
leaflet drawn (header, key points, footer with the hotline and the QR code). PdfCanvas and
PngCanvas draw it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .codes import display_code
from .errors import LeafletError
from .linebreak import has_khmer, wrap
from .qr import QUIET_ZONE, dark_runs, qr_modules
from .text import LeafletText

FONT_DIR = Path("/usr/share/fonts/truetype/noto")
FONTS = {  # (family, bold) -> file, from Debian's fonts-noto-core
    ("NotoSans", False): FONT_DIR / "NotoSans-Regular.ttf",
    ("NotoSans", True): FONT_DIR / "NotoSans-Bold.ttf",
    ("NotoSansKhmer", False): FONT_DIR / "NotoSansKhmer-Regular.ttf",
    ("NotoSansKhmer", True): FONT_DIR / "NotoSansKhmer-Bold.ttf",
}
PT = 25.4 / 72  # millimetres in a typographic point
QR_SIZE = 34.0  # mm of dark modules, quiet zone not included (at least 30 mm)


def font_file(family: str, bold: bool) -> str:
    """The Noto font file for a family and weight; a clear error when it is not installed."""
    path = FONTS[(family, bold)]
    if not path.is_file():
        raise LeafletError(f"font {path} is missing: install Debian's fonts-noto-core")
    return str(path)


def family_for(text: str) -> str:
    return "NotoSansKhmer" if has_khmer(text) else "NotoSans"


def line_height(text: str, size: float) -> float:
    """Millimetres from line to line: Khmer's stacked subscripts and vowels need more room."""
    return size * PT * (1.75 if has_khmer(text) else 1.3)


@dataclass(frozen=True)
class Page:
    """Where a leaflet is drawn on a canvas, and its safe margin (mm)."""

    x: float
    y: float
    width: float
    height: float
    margin: float

    @property
    def left(self) -> float:
        return self.x + self.margin

    @property
    def top(self) -> float:
        return self.y + self.margin

    @property
    def inner_width(self) -> float:
        return self.width - 2 * self.margin

    @property
    def inner_height(self) -> float:
        return self.height - 2 * self.margin

    @property
    def bottom(self) -> float:
        return self.y + self.height - self.margin


@dataclass(frozen=True)
class Paragraph:
    """Text wrapped to a width at one size, ready to draw."""

    lines: tuple[str, ...]
    size: float
    bold: bool
    leading: float

    @property
    def height(self) -> float:
        return len(self.lines) * self.leading


class Canvas:
    """What the layout needs from a drawing surface; units are millimetres, sizes points.
    Wrapped paragraphs are remembered per kind of canvas: every leaflet of a build repeats
    the same title and key points, and measuring shaped text is the slow part."""

    _paragraphs: dict[tuple, Paragraph]
    _widths: dict[tuple, float]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._paragraphs, cls._widths = {}, {}

    def measure(self, text: str, size: float, bold: bool) -> float:
        raise NotImplementedError

    def draw_line(self, x: float, top: float, leading: float, text: str, size: float, bold: bool) -> None:
        """Draw one line of text; its baseline where fpdf2 puts it in a cell of that height."""
        raise NotImplementedError

    def fill_rect(self, x: float, y: float, w: float, h: float) -> None:
        raise NotImplementedError

    # -- built on the three above, the same for every canvas --
    def width(self, text: str, size: float, bold: bool) -> float:
        """measure(), remembered."""
        key = (text, size, bold)
        cache = type(self)._widths
        if key not in cache:
            if len(cache) > 65536:
                cache.clear()
            cache[key] = self.measure(text, size, bold)
        return cache[key]

    def paragraph(self, text: str, width: float, size: float, bold: bool = False) -> Paragraph:
        key = (text, round(width, 3), size, bold)
        cache = type(self)._paragraphs
        if key not in cache:
            if len(cache) > 4096:
                cache.clear()
            lines = wrap(text, width, lambda s: self.width(s, size, bold))
            cache[key] = Paragraph(tuple(lines), size, bold, line_height(text, size))
        return cache[key]

    def draw(self, para: Paragraph, x: float, y: float, width: float, align: str = "L") -> float:
        """Draw a paragraph from y; the y under it."""
        for line in para.lines:
            shift = (width - self.width(line, para.size, para.bold)) / 2 if align == "C" else 0
            self.draw_line(x + shift, y, para.leading, line, para.size, para.bold)
            y += para.leading
        return y

    def draw_qr(self, modules: Sequence[Sequence[bool]], x: float, y: float, module: float) -> None:
        """The dark modules as rectangles, one per run in a row; (x, y) is the first module."""
        for r, row in enumerate(modules):
            for start, length in dark_runs(row):
                self.fill_rect(x + start * module, y + r * module, length * module, module)


POINT_SIZES = (14, 13, 12, 11, 10, 9, 8)  # key points shrink until they fit
TITLE_SIZES = (20, 18, 16)
RULE = 0.8  # mm, the black rules under the header and above the footer
POINT_INDENT = 7.0  # mm from a key point's number to its text
POINT_GAP = 2.5  # mm between key points
FOOTER_GAP = 6.0  # mm between the last key point and the footer


def _fit(
    canvas: Canvas,
    texts: Sequence[str],
    width: float,
    room: float,
    sizes: Sequence[float],
    bold: bool,
    gap: float,
) -> tuple[Paragraph, ...]:
    """The texts wrapped at the largest size whose paragraphs (and gaps) fit in `room` mm,
    else at the smallest size."""
    for size in sizes:
        paras = tuple(canvas.paragraph(t, width, size, bold) for t in texts)
        if sum(p.height for p in paras) + gap * (len(paras) - 1) <= room:
            break
    return paras


@dataclass(frozen=True)
class QrBlock:
    """The QR code at its printed size, with its code and how to type it underneath."""

    modules: tuple[tuple[bool, ...], ...]
    module: float  # mm per module
    code: Paragraph
    hint: Paragraph

    @property
    def box(self) -> float:
        """Width of the code with its quiet zone, and of the text under it."""
        return (len(self.modules) + 2 * QUIET_ZONE) * self.module

    @property
    def height(self) -> float:
        return self.box + self.code.height + self.hint.height


def _qr_block(canvas: Canvas, text: LeafletText) -> QrBlock:
    modules = qr_modules(text.url)
    module = QR_SIZE / len(modules)
    box = (len(modules) + 2 * QUIET_ZONE) * module
    return QrBlock(
        modules,
        module,
        canvas.paragraph(display_code(text.code), box, 20, True),
        canvas.paragraph(text.type_hint, box, 8),
    )


@dataclass(frozen=True)
class LeafletLayout:
    """A leaflet's text wrapped and sized for a page width, and the height it needs."""

    header: Paragraph
    title: Paragraph
    place: Paragraph | None
    points: tuple[Paragraph, ...]
    qr: QrBlock

    @property
    def head_height(self) -> float:
        """Header, rule, title and commune, down to where the key points start."""
        place = 1 + self.place.height if self.place else 0
        return self.header.height + 4 + self.title.height + place + 4

    @property
    def height(self) -> float:
        points = sum(p.height for p in self.points) + POINT_GAP * (len(self.points) - 1)
        return self.head_height + points + FOOTER_GAP + self.qr.height


def plan_leaflet(
    canvas: Canvas, text: LeafletText, width: float, height: float, point_sizes: Sequence[float] = POINT_SIZES
) -> LeafletLayout:
    """Wrap every text of a leaflet for a page of `width` x `height` mm (inside the margins):
    the title up to about three lines, the key points as large as fit above the footer (at
    the smallest of `point_sizes` when none fits)."""
    title_room = 3 * line_height(text.title, TITLE_SIZES[0])
    [title] = _fit(canvas, [text.title], width, title_room, TITLE_SIZES, True, 0)
    head = LeafletLayout(
        canvas.paragraph(text.header, width, 9),
        title,
        canvas.paragraph(text.place, width, 11) if text.place else None,
        (),
        _qr_block(canvas, text),
    )
    room = height - head.head_height - FOOTER_GAP - head.qr.height
    points = _fit(canvas, text.points, width - POINT_INDENT, room, point_sizes, False, POINT_GAP)
    return LeafletLayout(head.header, head.title, head.place, points, head.qr)


def _draw_points(canvas: Canvas, points: Sequence[Paragraph], x: float, y: float, width: float) -> None:
    """The key points, numbered in bold."""
    for number, para in enumerate(points, start=1):
        canvas.draw_line(x, y, para.leading, f"{number}.", para.size, True)
        y = canvas.draw(para, x + POINT_INDENT, y, width - POINT_INDENT) + POINT_GAP


def _draw_footer(canvas: Canvas, text: LeafletText, page: Page, qr: QrBlock) -> None:
    """Under a black rule: the hotline on the left; the QR code, its code and how to type it
    on the right, down to the bottom margin."""
    top = page.bottom - qr.height
    quiet = QUIET_ZONE * qr.module
    qr_x = page.left + page.inner_width - qr.box
    canvas.fill_rect(page.left, top - FOOTER_GAP / 2, page.inner_width, RULE)
    canvas.draw_qr(qr.modules, qr_x + quiet, top + quiet, qr.module)
    y = canvas.draw(qr.code, qr_x, top + qr.box, qr.box, "C")
    canvas.draw(qr.hint, qr_x, y, qr.box, "C")
    left_w = page.inner_width - qr.box - 3
    y = canvas.draw(canvas.paragraph(text.hotline_label, left_w, 12, True), page.left, top + quiet, left_w)
    y = canvas.draw(canvas.paragraph(text.hotline, left_w, 32, True), page.left, y, left_w)
    canvas.draw(canvas.paragraph(text.scan_hint, left_w, 11), page.left, y + 4, left_w)


def draw_leaflet(canvas: Canvas, text: LeafletText, page: Page, layout: LeafletLayout | None = None) -> None:
    """One leaflet on a page: the header (campaign line, rule, title, commune), the key
    points, and the footer with the hotline and the QR code."""
    layout = layout or plan_leaflet(canvas, text, page.inner_width, page.inner_height)
    x, w = page.left, page.inner_width
    y = canvas.draw(layout.header, x, page.top, w)
    canvas.fill_rect(x, y + 1, w, RULE)
    y = canvas.draw(layout.title, x, y + 4, w)
    if layout.place:
        y = canvas.draw(layout.place, x, y + 1, w)
    _draw_points(canvas, layout.points, x, y + 4, w)
    _draw_footer(canvas, text, page, layout.qr)
