"""Draw Loa's app icons (a commune loudspeaker) into pwa/static/icons/.

Run once after changing the design: `.venv/bin/python tools/make_icons.py`. The PNGs are
committed; the SVG beside them is hand-written and follows the same drawing."""

import sys
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.campaign import BRAND_COLOUR  # noqa: E402

OUT = ROOT / "pwa" / "static" / "icons"
BRAND = ImageColor.getrgb(BRAND_COLOUR)
WHITE = (255, 255, 255)


def draw(size: int, maskable: bool) -> Image.Image:
    scale = 4  # draw large, then shrink, for smooth edges
    s = size * scale
    img = Image.new("RGB", (s, s), BRAND) if maskable else Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if not maskable:
        d.rounded_rectangle((0, 0, s - 1, s - 1), radius=s // 5, fill=BRAND)
    # Maskable icons keep the drawing inside the central 80 % safe zone.
    k = s / 100 * (0.72 if maskable else 0.9)
    o = (s - 100 * k) / 2

    def p(x, y):
        return (o + x * k, o + y * k)

    d.polygon([p(18, 40), p(34, 40), p(60, 22), p(60, 78), p(34, 60), p(18, 60)], fill=WHITE)
    d.rectangle([p(26, 60), p(36, 80)], fill=WHITE)
    for r in (14, 26):
        box = [p(62 - r, 50 - r), p(62 + r, 50 + r)]
        d.arc(box, start=-45, end=45, fill=WHITE, width=max(2, int(6 * k)))
    return img.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, False).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, True).save(OUT / "icon-maskable-512.png", optimize=True)
    print("icons written to", OUT)


if __name__ == "__main__":
    main()
