"""Topic bodies: Markdown to HTML, with no way for content to inject markup."""

from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Raw HTML off: content can never inject markup or script. markdown-it also refuses
# javascript:, vbscript:, file: and data: links (except images) by default.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

# A second parser that sees what the first one hides, to name it to the writer: raw HTML, and
# links whatever their scheme.
_inspector = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
_inspector.validateLink = lambda url: True  # type: ignore[method-assign]
UNSAFE_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|file):", re.I)


@functools.lru_cache(maxsize=1024)  # the same bodies are checked at every save and publish
def render_markdown(text: str) -> str:
    return _markdown.render(text)


def _walk(tokens: list[Token]):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def markdown_problems(text: str) -> list[str]:
    return list(_problems(text))


@functools.lru_cache(maxsize=1024)
def _problems(text: str) -> tuple[str, ...]:
    """What in `text` Loa refuses: raw HTML (a tag, a comment, a script) and links or pictures
    that run or embed something (javascript:, vbscript:, data:, file:). Each quoted, so the writer
    finds it."""
    problems = []
    for token in _walk(_inspector.parse(text)):
        if token.type in ("html_block", "html_inline"):
            shown = " ".join(token.content.split())[:60]
            problems.append(f"raw HTML is not allowed ('{shown}'): write Markdown instead")
        elif token.type in ("link_open", "image"):
            target = str(token.attrGet("href") or token.attrGet("src") or "")
            if UNSAFE_SCHEME.match(target):
                problems.append(
                    f"the link '{target[:60]}' is not allowed: links must start with https://, tel: or ../"
                )
    return tuple(problems)
