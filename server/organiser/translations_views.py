"""Which translations exist, and which a native speaker has reviewed."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template

from ..coverage import coverage
from ..state import state
from ..web import get_content
from . import bp, organiser_required


@bp.get("/translations")
@organiser_required
def translations():
    content = get_content()
    rows = coverage(content, Path(current_app.config["TRANSLATIONS_DIR"]), state().content_store.tree)
    return render_template("organiser/translations.html", rows=rows)
