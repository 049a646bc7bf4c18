"""The official list of provinces and communes (post-2025 reform) from `vietnam-provinces`.

Plain functions over an index built once: look up a commune by its official code, list a
province's communes, and search names without diacritics ("muong kim" finds "Xã Mường Kim").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from vietnam_provinces import Province, Ward

# Provinces merged on 1/7/2025 (facts.md section 5): old names stay searchable.
FORMER_PROVINCES: dict[str, str] = {
    "Hà Giang": "tuyen_quang",
    "Yên Bái": "lao_cai",
    "Kon Tum": "quang_ngai",
    "Bình Định": "gia_lai",
    "Kiên Giang": "an_giang",
    "Bến Tre": "vinh_long",
    "Bình Dương": "ho_chi_minh",
}


@dataclass(frozen=True)
class ProvinceInfo:
    code: int
    name: str
    codename: str
    former_names: tuple[str, ...]


@dataclass(frozen=True)
class CommuneInfo:
    code: int
    name: str
    division_type: str
    province_code: int

    @property
    def province(self) -> ProvinceInfo:
        return provinces()[self.province_code]


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower-case text without diacritics, for searching and sorting ('Mường' -> 'muong');
    remembered, as tables of every commune sort by it."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


@lru_cache(maxsize=1)
def provinces() -> dict[int, ProvinceInfo]:
    by_codename: dict[str, list[str]] = {}
    for old, codename in FORMER_PROVINCES.items():
        by_codename.setdefault(codename, []).append(old)
    return {
        int(p.code): ProvinceInfo(int(p.code), p.name, p.codename, tuple(by_codename.get(p.codename, ())))
        for p in Province.iter_all()
    }


@lru_cache(maxsize=1)
def communes() -> dict[int, CommuneInfo]:
    return {
        int(w.code): CommuneInfo(int(w.code), w.name, str(w.division_type.value), int(w.province_code))
        for w in Ward.iter_all()
    }


def is_code(text: str) -> bool:
    """Typed text that is a whole number in ASCII digits: `str.isdigit()` alone also accepts
    "²" or "٣", which `int()` refuses or reads as another number."""
    return text.isascii() and text.isdigit()


def commune(code) -> CommuneInfo | None:
    try:
        return communes().get(int(code))
    except (TypeError, ValueError):
        return None


def province(code) -> ProvinceInfo | None:
    try:
        return provinces().get(int(code))
    except (TypeError, ValueError):
        return None


def known_commune(code: int) -> CommuneInfo:
    """The commune of a code that came from the official list or was checked against it; a
    KeyError naming the code otherwise (a programming error, not a person's typo)."""
    info = commune(code)
    if info is None:
        raise KeyError(f"unknown commune code {code}")
    return info


def known_province(code: int) -> ProvinceInfo:
    """The province of a code that came from the official list or was checked against it; a
    KeyError naming the code otherwise."""
    info = province(code)
    if info is None:
        raise KeyError(f"unknown province code {code}")
    return info


def commune_name(code: int) -> str:
    """The commune's name, or "#code" for a code no longer in the official list (records
    stored before the list changed must still show, not break a report)."""
    info = commune(code)
    return info.name if info else f"#{code}"


def province_name(code: int) -> str:
    """The province's name, or "#code" for a code no longer in the official list."""
    info = province(code)
    return info.name if info else f"#{code}"


def province_name_of_commune(code: int) -> str:
    """The name of the commune's province, or "" when the commune is not in the official list."""
    info = commune(code)
    return info.province.name if info else ""


def communes_of(province_code: int) -> list[CommuneInfo]:
    return sorted(
        (c for c in communes().values() if c.province_code == int(province_code)), key=lambda c: fold(c.name)
    )


def search(query: str, allowed: set[int] | None = None, limit: int = 20) -> list[CommuneInfo]:
    """Communes whose name, province or former province contains every word of the query."""
    words = fold(query).split()
    found = []
    for c in communes().values():
        if allowed is not None and c.code not in allowed:
            continue
        p = provinces()[c.province_code]
        haystack = fold(" ".join((c.name, p.name, *p.former_names)))
        if all(w in haystack for w in words):
            found.append(c)
    found.sort(key=lambda c: (c.province_code, fold(c.name)))
    return found[:limit]
