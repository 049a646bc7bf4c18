"""A topic file (`<lang>/topics/<id>.md`: YAML front matter, then Markdown) as fields the studio
edits, and back. Only the fields the studio changes change: the order of the front matter, the
fields it does not show and the body are kept, so a saved file differs from the old one only
where the editor typed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from . import yamlio

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)(.*)\Z", re.S)
# The fields of the front matter the studio edits; the others (status, translator...) are kept.
EDITED = ("title", "summary", "order", "key_points", "sources", "province")


def parse(data: bytes) -> tuple[dict[str, Any], str]:
    """(front matter, Markdown body); ValueError when the file has no readable front matter."""
    text = data.decode("utf-8")
    match = FRONT_MATTER.match(text)
    if not match:
        raise ValueError("no YAML front matter between '---' lines")
    meta = yamlio.load(match.group(1))
    if not isinstance(meta, dict):
        raise ValueError("the front matter is not a mapping of fields")
    return meta, match.group(3)


def render(meta: dict[str, Any], body: str) -> bytes:
    front = yamlio.dump(meta)
    body = body.replace("\r\n", "\n")
    if body and not body.endswith("\n"):
        body += "\n"
    return f"---\n{front}---\n{body}".encode()


def updated(
    old: bytes | None, topic_id: str, fields: dict[str, Any], body: str, today: dt.date | None = None
) -> bytes:
    """The topic file `old` (None: a new topic) with the studio's `fields` and `body`: empty
    optional fields are removed, `updated` becomes today."""
    meta: dict[str, Any] = parse(old)[0] if old else {"id": topic_id}
    if fields.get("translator") and "translator" not in meta:
        meta["translator"] = fields["translator"]
    for name in EDITED:
        value = fields.get(name)
        if value in (None, "", []):
            meta.pop(name, None)
        else:
            meta[name] = value
    meta.setdefault("status", "draft")
    meta["updated"] = today or dt.date.today()
    return render(meta, body)
