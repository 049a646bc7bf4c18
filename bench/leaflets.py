"""Leaflets per second, PDF and PNG, one process, against the budget in design.md (≥ 20 a second).

Makes a temporary Loa (its own SQLite database) and, for 100 communes of Hà Nội, in Vietnamese
and then in Khmer, times separately:
  - PDF: the combined A5 PDF, the A4 2-up PDF and the split into one PDF per leaflet;
  - PNG: one share-ready PNG per leaflet;
  - the whole `build` (codes in the database, every file written), for reference.
The QR codes are made afresh for each timing (a build makes each once and reuses it), and
their share of the time is printed too.
It also prints the size of one leaflet's PDF and PNG.

Usage: .venv/bin/python bench/leaflets.py [--count 100] [--province 1] [--content DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server import communes, create_app, leaflets  # noqa: E402
from server.extensions import db  # noqa: E402
from server.state import state  # noqa: E402

BUDGET = 20.0  # leaflets a second
PUBLIC_URL = "https://loa.example.vn"
TOPIC = "counterfeit"

T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds an action takes, and what it returned; QR codes made afresh."""
    leaflets.qr_modules.cache_clear()
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def verdict(rate: float) -> str:
    return f"{rate:6.1f} leaflets/s (budget ≥ {BUDGET:.0f}: {'ok' if rate >= BUDGET else 'OVER BUDGET'})"


def run(lang: str, codes: list[int], content, out: Path) -> None:
    """Time and print the PDF, PNG and whole-build figures for one language."""
    found = content.topic(lang, TOPIC)
    note = " (topic not translated: Vietnamese text)" if found.fallback else ""
    batch = leaflets.get_or_create_leaflets(TOPIC, lang, codes, content)
    n = len(batch)

    def pdfs():
        a5 = leaflets.render_pdf(batch, content, PUBLIC_URL, "a5")
        leaflets.render_pdf(batch, content, PUBLIC_URL, "a4-2up")
        return leaflets.split_pdf(a5)

    pdf_seconds, pages = timed(pdfs)
    png_seconds, pngs = timed(
        lambda: [leaflets.render_png(leaflet, content, PUBLIC_URL) for leaflet in batch]
    )
    build_seconds, _ = timed(lambda: leaflets.build(TOPIC, lang, codes, out / lang, content, PUBLIC_URL))
    qr_seconds, _ = timed(
        lambda: [leaflets.qr_modules(leaflets.leaflet_url(PUBLIC_URL, x.code)) for x in batch]
    )
    print(f"{lang}{note}, {n} leaflets")
    print(f"  PDF   {verdict(n / pdf_seconds)}  A5 + A4 2-up + one file each, {pdf_seconds:.2f} s")
    print(f"  PNG   {verdict(n / png_seconds)}  {png_seconds:.2f} s")
    print(f"  build {n / build_seconds:6.1f} leaflets/s  everything written to disk, {build_seconds:.2f} s")
    print(f"  of each leaflet's time, its QR code (made once per build): {1000 * qr_seconds / n:.0f} ms")
    print(
        f"  sizes: one leaflet's PDF {len(pages[0]) / 1024:.0f} KB, PNG {len(pngs[0]) / 1024:.0f} KB "
        f"({leaflets.PNG_WIDTH} px wide)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100, help="communes (leaflets) per language")
    parser.add_argument("--province", type=int, default=1, help="official province code (1: Hà Nội)")
    parser.add_argument("--content", help="content folder (default: the project's)")
    args = parser.parse_args()
    province = communes.province(args.province)
    if province is None:
        parser.error(f"--province {args.province} is not an official province code")
    codes = [c.code for c in communes.communes_of(args.province)][: args.count]
    with tempfile.TemporaryDirectory() as tmp:
        config = {
            "TESTING": True,
            "INSTANCE_DIR": tmp,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
        }
        if args.content:
            config["CONTENT_DIR"] = args.content
        app = create_app(config)
        with app.app_context():
            db.create_all()
            content = state(app).content
            print(f"leaflets for {len(codes)} communes of {province.name}, one process")
            for lang in ("vi", "km"):
                run(lang, codes, content, Path(tmp))
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
