"""What a running Loa app holds besides its settings, in one typed object: the live content,
the hashed static assets and the service worker's precache list. `create_app` makes it;
everything else reads it with `state()` (or `state(app)` outside a request)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from flask import Flask, current_app
from werkzeug.local import LocalProxy

if TYPE_CHECKING:
    from .assets import Assets
    from .content import Content, ContentStore

KEY = "loa"


@dataclass
class LoaState:
    content_store: ContentStore
    assets: Assets
    precache: dict[str, Any] | None = None  # computed on first use, per content version

    @property
    def content(self) -> Content:
        """The content in use now (the last good one if an edit broke the files)."""
        return self.content_store.content


def install(app: Flask, loa_state: LoaState) -> None:
    app.extensions[KEY] = loa_state


def current_flask_app() -> Flask:
    """The app itself behind `current_app` (a proxy), for what outlives the current context:
    waitress serving it, or fresh request contexts made from it."""
    proxy = cast("LocalProxy[Flask]", current_app)
    return proxy._get_current_object()


def state(app: Flask | None = None) -> LoaState:
    target = app if app is not None else current_app
    found: LoaState = target.extensions[KEY]
    return found
