"""Adding a picture to a topic in the studio: the upload becomes a small WebP in the content's
`media/` and the topic's text gets `![description](/media/...)` at its end, both saved to the
draft in one go. A file that is not a picture, or too large, is refused with the reason."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from .. import audit, content_roles
from ..content import SOURCE_LANG, releases, studio, topic_file
from ..content.pictures import PictureError, prepare
from ..extensions import csrf, db
from . import bp
from .forms import ConfirmForm
from .studio_views import studio_required, topic_page_with_error


@bp.post("/studio/topics/<topic_id>/pictures")
@csrf.exempt  # the global check would read the body under the 1 MB limit; the form checks it below
@studio_required
def studio_add_picture(topic_id: str):
    limit = current_app.config["PICTURE_MAX_BYTES"]
    if (request.content_length or 0) > limit + 2**16:  # before reading it: said on the page, not a bare 413
        return topic_page_with_error(
            topic_id, _("The file is too large: at most %(mb)s MB.", mb=limit // 1_000_000), 413
        )
    request.max_content_length = limit + 2**16
    if not ConfirmForm().validate_on_submit():
        abort(400, description="missing CSRF token")
    path = studio.topic_path(SOURCE_LANG, topic_id)
    with db.engine.connect() as conn:
        current = releases.draft_file(conn, path)
    if current is None:
        abort(404, description=f"no topic '{topic_id}'")
    meta, body = topic_file.parse(current)
    if not content_roles.may_edit(g.user, meta.get("province")):
        abort(403, description=_("This topic belongs to another province or to the whole country."))
    alt = " ".join(request.form.get("alt", "").split()).replace("]", ")").replace("[", "(")
    upload = request.files.get("picture")
    if not alt:
        return topic_page_with_error(topic_id, _("Describe the picture for readers who cannot see it."), 400)
    if upload is None or not upload.filename:
        return topic_page_with_error(topic_id, _("Choose a picture to upload."), 400)
    try:
        picture = prepare(upload.read(), limit)
    except PictureError as exc:
        return topic_page_with_error(topic_id, _why(exc), 413 if exc.code == "too_large" else 400)
    new_topic = topic_file.render(meta, f"{body.rstrip()}\n\n![{alt}]({picture.url})\n")

    def change(conn) -> None:
        existing = releases.draft_file(conn, picture.path)
        if existing is None:
            releases.save_draft(conn, picture.path, picture.data, None, g.user.username)
        releases.save_draft(conn, path, new_topic, current, g.user.username)

    try:
        releases.run(db.engine, change)
    except releases.Conflict:
        return topic_page_with_error(
            topic_id,
            _(
                "Someone else saved this topic after you opened it. Your text is not saved yet: it is still in the form below."
            ),
            409,
        )
    audit.record(audit.CONTENT_SAVED, picture.path)
    db.session.commit()
    flash(
        _(
            "Picture added at the end of the text (%(kb)s KB). Move its line where it belongs.",
            kb=len(picture.data) // 1024,
        )
    )
    return redirect(url_for("organiser.studio_topic", topic_id=topic_id))


def _why(exc: PictureError) -> str:
    if exc.code == "too_large":
        return _("The file is too large: at most %(mb)s MB.", **exc.params)
    if exc.code == "too_detailed":
        return _(
            "The picture cannot be made smaller than %(kb)s KB and stay readable: crop it to what matters.",
            **exc.params,
        )
    return _("The file is not a picture Loa can read (JPEG, PNG, WebP, GIF).")
