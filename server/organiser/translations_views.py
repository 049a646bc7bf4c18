"""Which translations exist, and which a native speaker has reviewed."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template

from ..coverage import coverage
from ..web import get_content
from . import bp, organiser_required


@bp.get("/translations")
@organiser_required
def translations():
    rows = coverage(get_content(), Path(current_app.config["TRANSLATIONS_DIR"]))
    return render_template("organiser/translations.html", rows=rows)
