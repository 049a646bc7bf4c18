"""Publishing the studio's draft: what changed (a diff per file) and what a phone downloads per
language, a note, the publish button; the history of releases with their changes, and a
one-step rollback. A province's editors publish their province's topics; everything else is
national content, published by a national organiser."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from .. import audit, content_roles, scope
from ..content import ContentInvalid, releases, studio
from ..content.pictures import MEDIA
from ..extensions import db
from ..web import get_content
from . import bp
from .content_messages import say_error
from .forms import ConfirmForm
from .studio_views import studio_required


class PublishForm(FlaskForm):
    note = StringField(_l("What changed (for the history)"), validators=[DataRequired(), Length(max=500)])


def _mine(changes: list[studio.Pending]) -> tuple[list[studio.Pending], list[studio.Pending]]:
    """(the changes this user may publish, the ones waiting for someone else). A new picture goes
    with the topic that shows it: any editor publishes it (its bytes name it, nothing else can
    change under that name)."""
    mine: list[studio.Pending] = []
    others: list[studio.Pending] = []
    for change in changes:
        picture = change.path.startswith(f"{MEDIA}/") and change.change == "added"
        allowed = (
            content_roles.is_editor(g.user) if picture else content_roles.may_edit(g.user, change.province)
        )
        (mine if allowed else others).append(change)
    return mine, others


@bp.route("/studio/publish", methods=["GET", "POST"])
@studio_required
def studio_publish():
    if not content_roles.is_editor(g.user):
        abort(403, description=_("Only editors publish."))
    form = PublishForm()
    with db.engine.connect() as conn:
        changes, problems = studio.pending(conn)
        draft_paths = set(releases.draft_manifest(conn))
    mine, others = _mine(changes)
    status = 200
    if form.validate_on_submit():
        if problems:
            status = 400
        elif not mine:
            flash(_("Nothing to publish: the draft holds what residents have."))
            return redirect(url_for("organiser.studio_publish"))
        else:
            paths = [c.path for c in mine]
            try:
                made = releases.run(
                    db.engine,
                    lambda conn: releases.publish(conn, g.user.username, form.note.data.strip(), paths=paths),
                )
            except ContentInvalid as exc:
                problems, status = exc.errors, 400
            except releases.NothingToPublish:
                flash(_("Nothing to publish: the draft holds what residents have."))
                return redirect(url_for("organiser.studio_publish"))
            else:
                audit.record(
                    audit.CONTENT_PUBLISHED,
                    f"release:{made.number}",
                    province_code=scope.province_of(g.user),
                    files=len(paths),
                )
                db.session.commit()
                get_content(force=True)
                flash(
                    _(
                        "Release %(n)s published. Phones get it the next time they have a network.",
                        n=made.number,
                    )
                )
                return redirect(url_for("organiser.studio_history"))
    elif request.method == "POST":
        status = 400
    languages = list(get_content().languages)
    with db.engine.connect() as conn:
        online_only = {k: n for k, n in studio.online_only_pictures(conn, languages).items() if n}
    return (
        render_template(
            "organiser/studio_publish.html",
            form=form,
            mine=mine,
            others=others,
            problems=[say_error(p) for p in problems],
            sizes=studio.download_by_language(mine, languages, draft_paths),
            online_only=online_only,
            languages=get_content().languages,
        ),
        status,
    )


@bp.route("/studio/history")
@studio_required
def studio_history():
    with db.engine.connect() as conn:
        history = releases.history(conn, 100)
    return render_template(
        "organiser/studio_history.html",
        history=history,
        may_roll_back=scope.is_national(g.user),
        confirm=ConfirmForm(),
    )


@bp.route("/studio/releases/<int:number>")
@studio_required
def studio_release(number: int):
    with db.engine.connect() as conn:
        found = releases.release(conn, number)
        if found is None:
            abort(404, description=f"no release {number}")
        before = releases.release(conn, number - 1)
        changes = releases.changes(conn, before.manifest if before else {}, found.manifest)
    return render_template("organiser/studio_release.html", release=found, changes=changes)


@bp.post("/studio/releases/<int:number>/rollback")
@studio_required
def studio_rollback(number: int):
    if not scope.is_national(g.user):
        abort(403, description=_("Rolling the content back is a national organiser's right."))
    if not ConfirmForm().validate_on_submit():
        abort(400, description="missing CSRF token")
    try:
        made = releases.run(db.engine, lambda conn: releases.rollback(conn, number, g.user.username))
    except LookupError:
        abort(404, description=f"no release {number}")
    except releases.NothingToPublish:
        flash(_("Release %(n)s is what residents have already.", n=number))
        return redirect(url_for("organiser.studio_history"))
    audit.record(audit.CONTENT_ROLLED_BACK, f"release:{made.number}", to=number)
    db.session.commit()
    get_content(force=True)
    flash(_("Release %(new)s published: the content of release %(old)s.", new=made.number, old=number))
    return redirect(url_for("organiser.studio_history"))
