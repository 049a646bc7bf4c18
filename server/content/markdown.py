"""Topic bodies: Markdown to HTML, with no way for content to inject markup."""

from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from .pictures import MEDIA, size_of

# Raw HTML off: content can never inject markup or script. markdown-it also refuses
# javascript:, vbscript:, file: and data: links (except images) by default.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def _image(self, tokens, idx, options, env) -> str:
    """A picture of the content (`/media/<fingerprint>-<w>x<h>.webp`): its size reserved, so the
    text does not jump when it arrives, and loaded only when the reader scrolls near it."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    size = size_of(src.rsplit("/", 1)[-1])
    dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
    return f'<img src="{escapeHtml(src)}" alt="{escapeHtml(alt)}"{dims} loading="lazy" decoding="async">'


_markdown.add_render_rule("image", _image)

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
    """What in `text` Loa refuses: raw HTML (a tag, a comment, a script), links that run or embed
    something (javascript:, vbscript:, data:, file:), pictures from elsewhere than the studio and
    pictures without a description. Each quoted, so the writer finds it."""
    problems = []
    for token in _walk(_inspector.parse(text)):
        if token.type in ("html_block", "html_inline"):
            shown = " ".join(token.content.split())[:60]
            problems.append(f"raw HTML is not allowed ('{shown}'): write Markdown instead")
        elif token.type == "image":
            if problem := _picture_problem(token):
                problems.append(problem)
        elif token.type == "link_open":
            target = str(token.attrGet("href") or token.attrGet("src") or "")
            if UNSAFE_SCHEME.match(target):
                problems.append(
                    f"the link '{target[:60]}' is not allowed: links must start with https://, tel: or ../"
                )
    return tuple(problems)


def _picture_problem(token: Token) -> str:
    """Why a picture is refused ("" when it is fine): only Loa's own pictures, each described."""
    src = str(token.attrGet("src") or "")
    if not src.startswith(f"/{MEDIA}/") or size_of(src.rsplit("/", 1)[-1]) is None:
        return f"the picture '{src[:60]}' is not one uploaded in the studio (/{MEDIA}/...)"
    if not "".join(c.content for c in token.children or []).strip():
        return f"the picture '{src[:60]}' needs a description (alt text) for readers who cannot see it"
    return ""


def pictures_in(text: str) -> list[str]:
    """The content paths (`media/<name>`) of the pictures a Markdown text shows."""
    return [
        str(t.attrGet("src"))[1:]
        for t in _walk(_inspector.parse(text))
        if t.type == "image" and str(t.attrGet("src") or "").startswith(f"/{MEDIA}/")
    ]
