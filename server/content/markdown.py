"""Topic bodies: Markdown to HTML, with no way for content to inject markup."""

from __future__ import annotations

from markdown_it import MarkdownIt

# Raw HTML off: content can never inject markup or script. markdown-it also refuses
# javascript:, vbscript:, file: and data: links (except images) by default.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(text: str) -> str:
    return _markdown.render(text)
