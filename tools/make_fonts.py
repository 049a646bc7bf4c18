"""Subset Noto Sans Khmer (SIL Open Font License 1.1) into small WOFF2 files for Khmer pages.

Phones without a Khmer font get it from Loa's own origin, only on Khmer pages, precached
only for Khmer. Source: Debian's fonts-noto-core. Run after a Debian font update:
`.venv/bin/python tools/make_fonts.py`. The output is committed with the licence."""

from pathlib import Path

from fontTools import subset

SOURCE = Path("/usr/share/fonts/truetype/noto")
OUT = Path(__file__).resolve().parent.parent / "pwa" / "static" / "fonts"
# Khmer, Khmer Symbols, Latin basics and punctuation that Khmer text mixes in, digits.
UNICODES = "U+1780-17FF,U+19E0-19FF,U+200B-200D,U+25CC,U+0020-007E,U+00A0,U+00AB,U+00BB,U+2013-2014,U+2018-201D,U+2026"


def build(weight: str) -> Path:
    out = OUT / f"khmer-{weight.lower()}.woff2"
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # keep every shaping feature: Khmer needs them
    options.name_IDs = ["*"]  # keep copyright and licence names (OFL)
    options.notdef_outline = True
    options.hinting = False
    font = subset.load_font(str(SOURCE / f"NotoSansKhmer-{weight}.ttf"), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
    subsetter.subset(font)
    subset.save_font(font, str(out), options)
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for weight in ("Regular", "Bold"):
        path = build(weight)
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
