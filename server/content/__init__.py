"""Campaign content: load `content/` into an in-memory index, validate it, version it.

- `model`: what the server uses (Content, Topic, Quiz, Event, ...), `score()`
- `loader`: reads and checks the files; `load_content(path)` or `ContentInvalid`
- `store`: `ContentStore`, the running server's content, reloaded when files change
- `errors`, `markdown`: ContentError/ContentInvalid, safe Markdown rendering
"""

from .errors import ContentError, ContentInvalid
from .loader import content_version, load_content, load_events, validate_events
from .markdown import render_markdown
from .model import (
    KEY_POINT_MAX,
    REQUIRED_TOPICS,
    SOURCE_LANG,
    STATUSES,
    Area,
    Content,
    Event,
    Language,
    Localized,
    Option,
    Question,
    Quiz,
    Theme,
    Topic,
    score,
)
from .store import ContentStore

__all__ = [
    "KEY_POINT_MAX",
    "REQUIRED_TOPICS",
    "SOURCE_LANG",
    "STATUSES",
    "Area",
    "Content",
    "ContentError",
    "ContentInvalid",
    "ContentStore",
    "Event",
    "Language",
    "Localized",
    "Option",
    "Question",
    "Quiz",
    "Theme",
    "Topic",
    "content_version",
    "load_content",
    "load_events",
    "render_markdown",
    "score",
    "validate_events",
]
