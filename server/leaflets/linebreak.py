"""Line breaking for leaflets, Khmer-aware: lines broken at spaces (and the zero-width spaces
Khmer writers use), an over-long word only between shaped clusters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from itertools import pairwise

SEPARATORS = " \u200b"
COENG = "\u17d2"
FINAL_SIGNS = "\u17cb\u17cd"  # bantoc and toandakhiat sit on a consonant that closes a syllable


def is_khmer(ch: str) -> bool:
    return "\u1780" <= ch <= "\u17ff" or "\u19e0" <= ch <= "\u19ff"


def has_khmer(text: str) -> bool:
    return any(is_khmer(ch) for ch in text)


def _is_khmer_base(ch: str) -> bool:
    """A Khmer consonant or independent vowel: where a written syllable can begin."""
    return "\u1780" <= ch <= "\u17b3"


def is_khmer_mark(ch: str) -> bool:
    """A Khmer dependent vowel, sign or coeng: never starts a piece of text."""
    return "\u17b4" <= ch <= "\u17d3" or ch == "\u17dd"


def _can_break_before(text: str, i: int) -> bool:
    """May a word too long for a line be broken before text[i]? Never inside a shaped
    cluster: not before a mark, nor before a subscript consonant (after coeng). In Khmer only
    where a syllable surely begins: an independent vowel, or a consonant carrying its own
    vowel, sign or subscript (a bare consonant may close the syllable before it: ការ, អ្នក)."""
    ch, prev = text[i], text[i - 1]
    if unicodedata.combining(ch) or is_khmer_mark(ch) or prev == COENG:
        return False
    if _is_khmer_base(ch):
        follower = text[i + 1] if i + 1 < len(text) else ""
        return ch >= "\u17a3" or (bool(follower) and is_khmer_mark(follower) and follower not in FINAL_SIGNS)
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
