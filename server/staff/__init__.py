"""The staff side of the PWA: one offline app shell per language at /<lang>/staff/.

Everything a commune staff member does in a village (open a session, count people, run a
quiz) happens in the browser with no network and is saved in the phone's outbox; this
blueprint only serves the shell. Login, tokens and sync are JSON endpoints in server/api/.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template

from ..activities import count_labels, kind_names
from ..complaint_names import outcome_names
from ..public import keep_lang, pick_lang
from ..web import get_content

bp = Blueprint("staff", __name__, url_prefix="/<lang>/staff")
bp.url_value_preprocessor(pick_lang)
bp.url_defaults(keep_lang)


@bp.get("/")
def app_shell():
    content = get_content()
    return render_template(
        "staff.html",
        topics=content.topics_in_order(g.lang),
        quiz_ids=content.quiz_ids(),
        languages=content.languages,
        activity_kinds=kind_names(),
        count_labels=count_labels(),
        outcome_names=outcome_names(),
    )
