"""Leaflets: short codes, QR codes, and print-ready (PDF) and share-ready (PNG) leaflets.

A leaflet is a topic in a language for a commune (or for every commune). Its code is short,
easy to type by hand when the camera fails, and carries a check character so a mistyped
code is caught. The QR code opens `<public url>/l/<code>`.

Plain functions, no request needed: the CLI (`loa leaflets build`), the organiser pages and
the tests call them the same way. One page layout, written once in millimetres, is drawn
by two canvases: fpdf2 for the PDF (vector QR, embedded Noto fonts, HarfBuzz shaping) and
Pillow for the PNG (libraqm shaping). Khmer and Latin text are set in their own Noto font.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

import qrcode
from flask_babel import force_locale, gettext
from fpdf import FPDF
from fpdf.enums import PDFResourceType
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy.exc import IntegrityError

from . import communes
from .content import Content
from .extensions import db
from .models import Leaflet

HOTLINE = "1800.6838"
COMMIT_EVERY = 200  # leaflet rows written per transaction
CREATE_ATTEMPTS = 5  # fresh random codes tried when a code is already taken

# -- codes ------------------------------------------------------------------------------------

# No 0/O, 1/I/L: nothing a hand can mistype into another valid character. 31 symbols, a prime,
# so the weighted check character below catches every single wrong character and every swap
# of two neighbours.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_BODY = 5
CODE_LENGTH = CODE_BODY + 1


class LeafletError(Exception):
    """A leaflet cannot be made or written; the message says why and what to do."""


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


def _short_address(public_url: str) -> str:
    """Where a person types a code by hand: the public host and path, without the scheme."""
    parts = urlsplit(public_url.rstrip("/"))
    return f"{parts.netloc}{parts.path}/l"


# -- leaflets in the database ----------------------------------------------------------------


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


def _insert_missing(topic_id: str, lang: str, commune_codes: Sequence[int | None]) -> None:
    """Store a leaflet for every commune that has none yet, in one transaction. Should another
    process store the same scope or code meanwhile, the insert fails as a whole: then it looks
    again and retries with fresh codes."""
    scopes = {Leaflet.scope_of(topic_id, lang, c): c for c in commune_codes}
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
                province_code=communes.commune(c).province_code if c is not None else None,
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
    for start in range(0, len(wanted), COMMIT_EVERY):
        _insert_missing(topic_id, lang, wanted[start : start + COMMIT_EVERY])
    found = _existing([Leaflet.scope_of(topic_id, lang, c) for c in wanted])
    return [found[Leaflet.scope_of(topic_id, lang, c)] for c in wanted]


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


# -- what a leaflet says ---------------------------------------------------------------------


# Interface words printed on leaflets. They are in the Babel catalogues like every other
# interface string, so a translator adds them for a new language; an untranslated word is
# printed in Vietnamese. %(address)s is the public host where a code is typed by hand.
def N_(message: str) -> str:
    """Marks a message for `loa i18n extract`; translated later, in the leaflet's language."""
    return message


WORDS = {
    "header": N_("Protecting consumer rights"),
    "hotline": N_("Free hotline"),
    "scan": N_("Scan the code to read more and take the quiz"),
    "type_code": N_("Can't scan? Type this code at %(address)s"),
}


def leaflet_word(lang: str, key: str, **values) -> str:
    """An interface word in the leaflet's language, else in Vietnamese."""
    original = WORDS[key]
    with force_locale(lang):
        text = gettext(original, **values)
    if lang != "en" and text == (original % values if values else original):
        with force_locale("vi"):
            text = gettext(original, **values)
    return text


@dataclass(frozen=True)
class LeafletText:
    """Everything printed on one leaflet, whatever it is drawn on."""

    code: str
    url: str
    lang: str
    header: str
    title: str
    place: str
    points: tuple[str, ...]
    hotline_label: str
    scan_hint: str
    type_hint: str
    hotline: str = HOTLINE


def leaflet_text(leaflet: Leaflet, content: Content, public_url: str) -> LeafletText:
    """The words of a leaflet: the topic in its language (Vietnamese when not translated) and
    interface words in the leaflet's language."""
    found = content.topic(leaflet.lang, leaflet.topic_id)
    if found is None:
        raise LeafletError(f"leaflet {leaflet.code}: topic '{leaflet.topic_id}' is no longer in the content")
    topic = found.value
    commune_name, province_name = place_of(leaflet.commune_code)
    return LeafletText(
        code=leaflet.code,
        url=leaflet_url(public_url, leaflet.code),
        lang=leaflet.lang,
        header=leaflet_word(leaflet.lang, "header"),
        title=topic.title,
        place=f"{commune_name} · {province_name}" if commune_name else "",
        points=tuple(topic.key_points),
        hotline_label=leaflet_word(leaflet.lang, "hotline"),
        scan_hint=leaflet_word(leaflet.lang, "scan"),
        type_hint=leaflet_word(leaflet.lang, "type_code", address=_short_address(public_url)),
    )


# -- QR codes --------------------------------------------------------------------------------

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


# -- line breaking (Khmer-aware) -------------------------------------------------------------

SEPARATORS = " \u200b"
COENG = "\u17d2"


def _is_khmer(ch: str) -> bool:
    return "\u1780" <= ch <= "\u17ff" or "\u19e0" <= ch <= "\u19ff"


def has_khmer(text: str) -> bool:
    return any(_is_khmer(ch) for ch in text)


def _khmer_base(ch: str) -> bool:
    """A Khmer consonant or independent vowel: where a written syllable can begin."""
    return "\u1780" <= ch <= "\u17b3"


def _khmer_mark(ch: str) -> bool:
    """A Khmer dependent vowel, sign or coeng: never starts a piece of text."""
    return "\u17b4" <= ch <= "\u17d3" or ch == "\u17dd"


FINAL_SIGNS = "\u17cb\u17cd"  # bantoc and toandakhiat sit on a consonant that closes a syllable


def _can_break_before(text: str, i: int) -> bool:
    """May a word too long for a line be broken before text[i]? Never inside a shaped
    cluster: not before a mark, nor before a subscript consonant (after coeng). In Khmer only
    where a syllable surely begins: an independent vowel, or a consonant carrying its own
    vowel, sign or subscript (a bare consonant may close the syllable before it: ការ, អ្នក)."""
    ch, prev = text[i], text[i - 1]
    if unicodedata.combining(ch) or _khmer_mark(ch) or prev == COENG:
        return False
    if _khmer_base(ch):
        follower = text[i + 1] if i + 1 < len(text) else ""
        return ch >= "\u17a3" or (bool(follower) and _khmer_mark(follower) and follower not in FINAL_SIGNS)
    return True


def _clusters(word: str) -> list[str]:
    """A word cut at every place it may be broken."""
    cuts = [0] + [i for i in range(1, len(word)) if _can_break_before(word, i)] + [len(word)]
    return [word[a:b] for a, b in pairwise(cuts)]


def _split_word(word: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Pieces of a word too wide for a line, each as wide as fits (at least one cluster)."""
    pieces, current = [], ""
    for cluster in _clusters(word):
        if current and measure((current + cluster).rstrip(SEPARATORS)) > width:
            pieces.append(current)
            current = ""
        current += cluster
    return [*pieces, current]


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Lines of `text` no wider than `width` as measured: broken at spaces (and zero-width
    spaces, which Khmer writers use), inside an over-long word only between clusters."""
    lines, line = [], ""
    for word in re.findall(r"[^ \u200b]+[ \u200b]*|[ \u200b]+", text.strip()):
        if measure((line + word).rstrip(SEPARATORS)) <= width:
            line += word
            continue
        if line:
            lines.append(line)
        *full, line = _split_word(word, width, measure)
        lines.extend(full)
    lines.append(line)
    return [ln.replace("\u200b", "").rstrip() for ln in lines if ln.strip(SEPARATORS)]


# -- the page layout, in millimetres, for any canvas -----------------------------------------

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


# -- PDF -------------------------------------------------------------------------------------

A5 = (148.0, 210.0)
A4_LANDSCAPE = (297.0, 210.0)
PDF_MARGIN = 10.0  # mm; print shops ask for at least 8 mm free of text
LAYOUTS = ("a5", "a4-2up")


class PdfCanvas(Canvas):
    """Draws on an fpdf2 document: HarfBuzz shaping, Noto fonts embedded (subset), vector QR."""

    def __init__(self, page_size: tuple[float, float]):
        pdf = FPDF(
            orientation="L" if page_size[0] > page_size[1] else "P",
            unit="mm",
            format=tuple(sorted(page_size)),
        )
        for family, bold in FONTS:
            pdf.add_font(family, "B" if bold else "", font_file(family, bold))
        pdf.set_text_shaping(True)
        pdf.set_fallback_fonts(["NotoSans", "NotoSansKhmer"])  # digits in Khmer text, Khmer in Latin
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.c_margin = 0
        pdf.set_creator("Loa")
        pdf.set_fill_color(0)
        pdf.set_text_color(0)
        self.pdf = pdf
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
            start = len(pdf.pages[pdf.page].contents)
            pdf.set_xy(x, top)
            pdf.cell(self.width(text, size, bold) + 0.01, leading, text)
            operators = bytes(pdf.pages[pdf.page].contents[start:]).rstrip(b"\n")
            self._drawn[key] = (operators, {int(i) for i in re.findall(rb"/F(\d+) ", operators)})
            pdf.current_font_is_set_on_page = False
            return
        operators, fonts = self._drawn[key]
        pdf._out(operators)
        for font in fonts:  # the page's resources must name the fonts the copy uses
            pdf._resource_catalog.add(PDFResourceType.FONT, font, pdf.page)

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
    canvas = PdfCanvas(A4_LANDSCAPE if per_sheet == 2 else A5)
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


# -- PNG -------------------------------------------------------------------------------------

PNG_WIDTH = 1080  # pixels; Zalo and Facebook show it full width
PNG_PAGE = (124.0, 176.0, 8.0)  # the layout's millimetres for the PNG: bigger type than A5
PNG_POINT_SIZES = POINT_SIZES[:4]  # read on a phone: the image grows rather than the type shrinking
PNG_COMPRESSION = 3  # zlib level: the speed and size sweet spot for leaflets


@lru_cache(maxsize=64)
def _pil_font(family: str, bold: bool, pixels: int) -> ImageFont.FreeTypeFont:
    """A Noto font at a pixel size, shaped by libraqm; loaded once per process."""
    return ImageFont.truetype(font_file(family, bold), pixels, layout_engine=ImageFont.Layout.RAQM)


def _script_runs(text: str) -> list[tuple[str, str]]:
    """(piece, family) runs: Khmer letters in the Khmer font, everything else (digits, Latin,
    punctuation) in Noto Sans; spaces stay with the run they are in."""
    runs: list[tuple[str, str]] = []
    for ch in text:
        family = "NotoSansKhmer" if _is_khmer(ch) else ("" if ch in SEPARATORS else "NotoSans")
        if runs and (not family or runs[-1][1] == family):
            runs[-1] = (runs[-1][0] + ch, runs[-1][1])
        else:
            runs.append((ch, family or "NotoSans"))
    return runs


@lru_cache(maxsize=8192)
def _piece_width(piece: str, family: str, bold: bool, pixels: int) -> float:
    return _pil_font(family, bold, pixels).getlength(piece)


@lru_cache(maxsize=1024)
def _piece_mask(piece: str, family: str, bold: bool, pixels: int) -> tuple[Image.Image, int, int]:
    """The shaped piece of text as a mask (white ink on black) and its offset from the
    baseline origin; drawn once per process, stamped on every leaflet that repeats it."""
    font = _pil_font(family, bold, pixels)
    left, top, right, bottom = font.getbbox(piece, anchor="ls")
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), piece, font=font, fill=255, anchor="ls")
    return mask, left, top


class PngCanvas(Canvas):
    """Draws on a Pillow greyscale image; the layout's millimetres scaled to pixels."""

    def __init__(self, width_mm: float):
        self.scale = PNG_WIDTH / width_mm
        self.image: Image.Image | None = None

    def new_image(self, height_mm: float) -> None:
        """A white image for a page this tall; measuring works before there is one."""
        self.image = Image.new("L", (PNG_WIDTH, round(height_mm * self.scale)), 255)
        self.draw_on = ImageDraw.Draw(self.image)

    def _runs(self, text: str, size: float, bold: bool) -> list[tuple[str, str, bool, int]]:
        pixels = round(size * PT * self.scale)
        return [(piece, family, bold, pixels) for piece, family in _script_runs(text)]

    def measure(self, text: str, size: float, bold: bool) -> float:
        return sum(_piece_width(*run) for run in self._runs(text, size, bold)) / self.scale

    def draw_line(self, x, top, leading, text, size, bold) -> None:
        baseline = round((top + leading / 2 + 0.3 * size * PT) * self.scale)
        x *= self.scale
        for run in self._runs(text, size, bold):
            mask, left, top_offset = _piece_mask(*run)
            self.image.paste(0, (round(x) + left, baseline + top_offset), mask)
            x += _piece_width(*run)

    def fill_rect(self, x, y, w, h) -> None:
        s = self.scale
        self.draw_on.rectangle(
            (round(x * s), round(y * s), round((x + w) * s) - 1, round((y + h) * s) - 1), fill=0
        )

    def output(self) -> bytes:
        """The image as a 16-grey PNG: text edges stay smooth, the file is a third smaller
        and is written twice as fast as with 256 greys."""
        levels = self.image.point(lambda v: v >> 4)
        png = Image.frombytes("P", self.image.size, levels.tobytes())
        png.putpalette(bytes(level * 17 for level in range(16) for _rgb in range(3)))
        buffer = io.BytesIO()
        png.save(buffer, "PNG", bits=4, compress_level=PNG_COMPRESSION)
        return buffer.getvalue()


def render_png(leaflet: Leaflet, content: Content, public_url: str) -> bytes:
    """A share-ready portrait PNG (1080 px wide) with the same words and QR code as the PDF;
    taller than usual when the text needs it, never overlapping."""
    width, height, margin = PNG_PAGE
    text = leaflet_text(leaflet, content, public_url)
    canvas = PngCanvas(width)
    layout = plan_leaflet(canvas, text, width - 2 * margin, height - 2 * margin, PNG_POINT_SIZES)
    height = max(height, layout.height + 2 * margin)
    canvas.new_image(height)
    draw_leaflet(canvas, text, Page(0, 0, width, height, margin), layout)
    return canvas.output()


# -- building files for printing -------------------------------------------------------------

CSV_COLUMNS = ("code", "url", "topic", "lang", "commune_code", "commune", "province")


@dataclass
class BuildResult:
    """What a build made: the leaflets and every file written, combined PDFs first."""

    leaflets: list[Leaflet]
    combined: dict[str, Path] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def build_steps(n_leaflets: int) -> int:
    """How many times `build` calls its progress callback for n leaflets."""
    return 2 * n_leaflets


def write_atomic(path: Path, data: bytes, made: int = 0) -> Path:
    """Write a file under a temporary name, then rename it: neither a reader nor an
    interrupted run ever leaves half a file. A full disk or another write error is a
    LeafletError saying which file and that the `made` codes already stored stay valid."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException as exc:  # a full disk, or Ctrl-C in the middle of a write
        tmp.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        what = "disk full" if exc.errno == errno.ENOSPC else "cannot write"
        raise LeafletError(
            f"{what} while writing {path}: {exc.strerror or exc}; "
            f"the {made} leaflet codes already made stay valid, "
            "free some space and run the same command again"
        ) from exc
    return path


def leaflets_csv(leaflets: Sequence[Leaflet], public_url: str) -> bytes:
    """The list of leaflets for organisers (UTF-8 with BOM, so spreadsheet programs show the
    Vietnamese names right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for leaflet in leaflets:
        commune_name, province_name = place_of(leaflet.commune_code)
        writer.writerow(
            (
                leaflet.code,
                leaflet_url(public_url, leaflet.code),
                leaflet.topic_id,
                leaflet.lang,
                "" if leaflet.commune_code is None else leaflet.commune_code,
                commune_name,
                province_name,
            )
        )
    return out.getvalue().encode("utf-8-sig")


def build(
    topic_id: str,
    lang: str,
    commune_codes: Iterable[int | None],
    out_dir: Path | str,
    content: Content,
    public_url: str,
    progress: Callable[[int], None] | None = None,
    layouts: Sequence[str] = LAYOUTS,
) -> BuildResult:
    """Make (or reuse) the leaflets and write, in out_dir: `<code>.pdf` and `<code>.png` each,
    the combined `leaflets-<topic>-<lang>.pdf` (A5) and `...-a4-2up.pdf`, and `leaflets.csv`.
    Re-running reuses the codes and overwrites the files. `progress(1)` is called
    `build_steps(n)` times in all."""
    leaflets = get_or_create_leaflets(topic_id, lang, commune_codes, content)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LeafletError(f"cannot create {out}: {exc.strerror or exc}") from exc
    result = BuildResult(leaflets)
    tick = (lambda: progress(1)) if progress else None
    save = lambda name, data: result.files.append(write_atomic(out / name, data, len(leaflets)))  # noqa: E731
    a5 = render_pdf(leaflets, content, public_url, "a5", on_leaflet=tick)
    for layout in layouts:
        suffix = "" if layout == "a5" else f"-{layout}"
        pdf = a5 if layout == "a5" else render_pdf(leaflets, content, public_url, layout)
        save(f"leaflets-{topic_id}-{lang}{suffix}.pdf", pdf)
        result.combined[layout] = result.files[-1]
    for leaflet, page in zip(leaflets, split_pdf(a5), strict=True):
        save(f"{leaflet.code}.pdf", page)
        save(f"{leaflet.code}.png", render_png(leaflet, content, public_url))
        if tick:
            tick()
    save("leaflets.csv", leaflets_csv(leaflets, public_url))
    return result


def zip_build(paths: Iterable[Path]) -> bytes:
    """A ZIP of a build's files, for download from the organiser pages. PDFs and PNGs are
    compressed already and stored as they are."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in paths:
            method = zipfile.ZIP_STORED if path.suffix in (".pdf", ".png") else zipfile.ZIP_DEFLATED
            archive.write(path, arcname=path.name, compress_type=method)
    return buffer.getvalue()
