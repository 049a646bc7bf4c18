"""Pictures in topics: an upload (a photo of a real and a fake label, a tax stamp, a test scale)
becomes a WebP small enough for 2G, stored in the content as `media/<fingerprint>-<w>x<h>.webp`
(so it travels with releases, export and import like every other file) and shown with
`![description](/media/<name>)` in a topic's Markdown.

The name carries the size, so pages reserve the picture's place before it arrives (no layout
shift) and load it lazily below the first screen."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MEDIA = "media"
PICTURE_BUDGET = 30 * 1024  # bytes per picture, as a phone shows it
MAX_WIDTH = 720  # a 360 px phone screen at twice the pixel density
MIN_WIDTH = 240  # below this a label is unreadable: refuse rather than shrink further
QUALITIES = (80, 70, 60, 50, 40)
NAME = re.compile(r"^(?P<sha>[0-9a-f]{16})-(?P<w>\d{1,4})x(?P<h>\d{1,4})\.webp$")
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
# Pictures precached per language, at most: with pages, fonts and scripts the precache stays
# within its 300 KB budget (design.md). Beyond it pictures load when the reader is online.
PRECACHE_PICTURES = 100 * 1024


class PictureError(ValueError):
    """An upload that cannot be a picture: `code` (too_large, not_a_picture, too_detailed) and
    `params` say why, for the page to say it in its reader's language."""

    def __init__(self, code: str, message: str, **params: int):
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Picture:
    name: str  # e.g. 3f2a...-720x540.webp
    data: bytes
    width: int
    height: int

    @property
    def path(self) -> str:
        return f"{MEDIA}/{self.name}"

    @property
    def url(self) -> str:
        return f"/{MEDIA}/{self.name}"


def size_of(name: str) -> tuple[int, int] | None:
    """(width, height) from a picture's name, or None for a name Loa did not make."""
    found = NAME.match(name)
    return (int(found["w"]), int(found["h"])) if found else None


def prepare(upload: bytes, max_bytes: int) -> Picture:
    """The upload as a WebP of at most PICTURE_BUDGET bytes: turned upright, at most MAX_WIDTH
    wide, compressed step by step and, if that is not enough, made narrower. PictureError when
    it is too large, not a picture, or cannot be made small enough while still readable."""
    if len(upload) > max_bytes:
        raise PictureError(
            "too_large",
            f"the file is {len(upload) / 1e6:.1f} MB; at most {max_bytes / 1e6:.0f} MB",
            mb=max_bytes // 10**6,
        )
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(upload)) as probe:
            probe.verify()
        image: Image.Image = Image.open(io.BytesIO(upload))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PictureError(
            "not_a_picture", "the file is not a picture Loa can read (JPEG, PNG, WebP, GIF)"
        ) from exc
    image = ImageOps.exif_transpose(image).convert("RGB")
    width = min(MAX_WIDTH, image.width)
    while width >= MIN_WIDTH:
        height = max(1, round(image.height * width / image.width))
        resized = image.resize((width, height), Image.Resampling.LANCZOS) if width != image.width else image
        for quality in QUALITIES:
            out = io.BytesIO()
            resized.save(out, "WEBP", quality=quality, method=6)
            data = out.getvalue()
            if len(data) <= PICTURE_BUDGET:
                name = f"{hashlib.sha256(data).hexdigest()[:16]}-{width}x{height}.webp"
                return Picture(name, data, width, height)
        width = int(width * 0.8)
    raise PictureError(
        "too_detailed",
        f"the picture cannot be made smaller than {PICTURE_BUDGET // 1024} KB and stay readable",
        kb=PICTURE_BUDGET // 1024,
    )


def offline_split(content, tree, lang: str) -> tuple[list[str], list[str]]:
    """(the picture URLs precached, those loaded only online) of a language's topic pages, in
    home-page order: precached while their bytes add up to PRECACHE_PICTURES at most."""
    urls: list[str] = []
    for topic_id in content.topic_ids():
        found = content.topic(lang, topic_id)
        for url in re.findall(r'<img src="(/media/[^"]+)"', found.value.body_html if found else ""):
            if url not in urls:
                urls.append(url)
    offline, online, total = [], [], 0
    for url in urls:
        size = len(tree.read(url[1:]) or b"")
        if total + size <= PRECACHE_PICTURES:
            offline.append(url)
            total += size
        else:
            online.append(url)
    return offline, online
