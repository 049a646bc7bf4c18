"""Content roles on the accounts page: an organiser gives the accounts they manage the editor
role and, per language, the translator and reviewer roles. No step needs a terminal."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import audit, content_roles, scope
from ..content import SOURCE_LANG
from ..extensions import db
from ..models import EDITOR, REVIEWER, TRANSLATOR, User
from ..web import get_content
from . import bp, organiser_required
from .forms import ConfirmForm


@bp.route("/users/<int:user_id>/roles", methods=["GET", "POST"])
@organiser_required
def user_roles(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or not scope.may_manage(g.user, user):
        abort(404, description="no such account")
    languages = {code: lang for code, lang in get_content().languages.items() if code != SOURCE_LANG}
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, description="missing CSRF token")
        translator = [code for code in languages if request.form.get(f"translator-{code}") == "1"]
        reviewer = [code for code in languages if request.form.get(f"reviewer-{code}") == "1"]
        editor = request.form.get("editor") == "1"
        given = content_roles.set_roles(user, editor, translator, reviewer, g.user.username)
        audit.record(
            audit.CONTENT_ROLES_SET,
            f"user:{user.username}",
            province_code=user.province_code,
            roles=content_roles.describe(given),
        )
        db.session.commit()
        flash(_("Content roles of %(name)s saved.", name=user.username))
        return redirect(url_for("organiser.users"))
    held = content_roles.roles_of(user)
    return render_template(
        "organiser/user_roles.html",
        account=user,
        languages=languages,
        editor=(EDITOR, "") in held,
        translator={lang for role, lang in held if role == TRANSLATOR},
        reviewer={lang for role, lang in held if role == REVIEWER},
        form=form,
    )
