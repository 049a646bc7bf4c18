"""Static assets under content-hashed names, cached by browsers as immutable.

`pwa/static/js/app.js` is served as `/static/js/app.3f2a9c1b.js`. JavaScript modules import
each other by relative path; those specifiers, and `url(...)` in CSS, are rewritten to the
hashed names, so a change anywhere changes the hash of everything that depends on it and a
phone never mixes old and new files. No build step: this runs when the app starts.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

JS_IMPORT = re.compile(r"""((?:\bimport|\bfrom)\s*\(?\s*)(['"])(\.{1,2}/[^'"]+)\2""")
CSS_URL = re.compile(r"""url\(\s*(['"]?)(?!data:|https?:|/)([^'")]+)\1\s*\)""")

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("font/woff2", ".woff2")
mimetypes.add_type("application/manifest+json", ".webmanifest")


@dataclass(frozen=True)
class Asset:
    logical: str  # path under pwa/static, e.g. "js/app.js"
    hashed: str  # e.g. "js/app.3f2a9c1b.js"
    body: bytes
    mimetype: str
    digest: str


class AssetError(Exception):
    pass


def hashed_name(logical: str, digest: str) -> str:
    stem, dot, ext = logical.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot else f"{logical}.{digest}"


class Assets:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._by_logical: dict[str, Asset] = {}
        self._by_hashed: dict[str, Asset] = {}
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                self._build(path.relative_to(self.root).as_posix(), ())

    def _build(self, logical: str, stack: tuple[str, ...]) -> Asset:
        if logical in self._by_logical:
            return self._by_logical[logical]
        if logical in stack:
            raise AssetError(f"import cycle: {' -> '.join((*stack, logical))}")
        path = self.root / logical
        if not path.is_file():
            raise AssetError(f"{stack[-1] if stack else '?'} refers to missing asset {logical}")
        body = path.read_bytes()
        base = posixpath.dirname(logical)

        def resolve(ref: str) -> str:
            target = posixpath.normpath(posixpath.join(base, ref))
            dep = self._build(target, (*stack, logical))
            rel = posixpath.relpath(dep.hashed, base or ".")
            return rel if rel.startswith("../") else "./" + rel

        if logical.endswith(".js"):
            text = body.decode("utf-8")
            text = JS_IMPORT.sub(lambda m: f"{m.group(1)}{m.group(2)}{resolve(m.group(3))}{m.group(2)}", text)
            body = text.encode("utf-8")
        elif logical.endswith(".css"):
            text = body.decode("utf-8")
            text = CSS_URL.sub(lambda m: f"url({resolve(m.group(2))})", text)
            body = text.encode("utf-8")
        digest = hashlib.sha256(body).hexdigest()[:10]
        mimetype = mimetypes.guess_type(logical)[0] or "application/octet-stream"
        asset = Asset(logical, hashed_name(logical, digest), body, mimetype, digest)
        self._by_logical[logical] = asset
        self._by_hashed[asset.hashed] = asset
        return asset

    def url(self, logical: str) -> str:
        try:
            return "/static/" + self._by_logical[logical].hashed
        except KeyError:
            raise AssetError(f"no static asset {logical!r} under {self.root}") from None

    def by_hashed(self, hashed: str) -> Asset | None:
        return self._by_hashed.get(hashed)

    def by_logical(self, logical: str) -> Asset | None:
        return self._by_logical.get(logical)

    def all(self) -> list[Asset]:
        return list(self._by_logical.values())

    def version(self) -> str:
        digest = hashlib.sha256()
        for asset in sorted(self._by_logical.values(), key=lambda a: a.logical):
            digest.update(asset.hashed.encode())
        return digest.hexdigest()[:12]
