"""Recordings in the studio: per topic and language, every piece that can be heard (the whole
topic, each key point, the loudspeaker spot, each quiz question with its options) with its
recording, its state (missing, draft, stale, reviewed) and what to do: upload a file or record
in the browser, mark it reviewed (never one's own), remove it. Saved to the draft like text."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import audit, content_roles
from ..content import audio, audio_draft, recordings, releases
from ..content.model import SOURCE_LANG, Content
from ..extensions import csrf, db
from . import bp
from .forms import ConfirmForm
from .recording_items import pieces_of
from .studio_views import studio_required


def may_record(user, lang: str, province: int | None) -> bool:
    """Editors of the topic's scope record in any language, translators in theirs."""
    return content_roles.may_edit(user, province) or content_roles.may_translate(user, lang)


def may_review(user, lang: str, province: int | None) -> bool:
    if lang == SOURCE_LANG:
        return content_roles.may_edit(user, province) or content_roles.may_review(user, lang)
    return content_roles.may_review(user, lang)


def _draft(conn) -> Content:
    try:
        return audio_draft.draft_content(conn)
    except audio_draft.NotRecordable:
        abort(409, description=_("The draft has problems to fix first: the studio's topics page lists them."))


def _page(lang: str, topic_id: str, error: str | None = None, status: int = 200):
    with db.engine.connect() as conn:
        content = _draft(conn)
    if lang not in content.languages or topic_id not in content.topics.get(SOURCE_LANG, {}):
        abort(404)
    province = content.topics[SOURCE_LANG][topic_id].province
    items = pieces_of(content, lang, topic_id)
    return (
        render_template(
            "organiser/studio_audio.html",
            lang=lang,
            language=content.languages[lang],
            topic=content.topics[SOURCE_LANG][topic_id],
            items=items,
            may_record=may_record(g.user, lang, province),
            may_review=may_review(g.user, lang, province),
            confirm=ConfirmForm(),
            error=error,
            max_mb=current_app.config["AUDIO_MAX_BYTES"] // 1_000_000,
            max_minutes=int(current_app.config["AUDIO_MAX_SECONDS"] // 60),
        ),
        status,
    )


@bp.get("/studio/audio/<lang>/<topic_id>")
@studio_required
def studio_audio(lang: str, topic_id: str):
    return _page(lang, topic_id)


def why(exc: audio.AudioError) -> str:
    if exc.code == "too_large":
        return _("The file is too large: at most %(mb)s MB.", **exc.params)
    if exc.code == "too_long":
        return _("The recording is too long: at most %(minutes)s minutes.", **exc.params)
    if exc.code == "silent":
        return _("Nothing can be heard in this recording. Check the microphone and record again.")
    return _("The file is not a recording Loa can read (m4a, MP3, Ogg, WAV, AMR, WebM).")


@bp.post("/studio/audio/<lang>/<topic_id>")
@csrf.exempt  # the global check would read the body under the 1 MB limit; the form checks it below
@studio_required
def studio_audio_change(lang: str, topic_id: str):
    limit = current_app.config["AUDIO_MAX_BYTES"]
    if (request.content_length or 0) > limit + 2**16:  # before reading it: said on the page
        return _page(
            lang, topic_id, _("The file is too large: at most %(mb)s MB.", mb=limit // 1_000_000), 413
        )
    request.max_content_length = limit + 2**16
    if not ConfirmForm().validate_on_submit():
        abort(400, description="missing CSRF token")
    key, action = request.form.get("key", ""), request.form.get("action", "")
    with db.engine.connect() as conn:
        content = _draft(conn)
    topic = content.topics.get(SOURCE_LANG, {}).get(topic_id)
    if (
        topic is None
        or lang not in content.languages
        or key not in {i["key"] for i in pieces_of(content, lang, topic_id)}
    ):
        abort(404)
    if action == "upload":
        return _upload(lang, topic_id, key, topic.province, limit)
    if action == "review":
        if not may_review(g.user, lang, topic.province):
            abort(403, description=_("Only a reviewer of this language can mark recordings reviewed."))
        try:
            releases.run(db.engine, lambda conn: audio_draft.review(conn, lang, key, g.user.username))
        except ValueError:
            return _page(lang, topic_id, _("You made this recording: someone else reviews it."), 409)
        flash(_("Marked reviewed."))
    elif action == "remove":
        if not may_record(g.user, lang, topic.province):
            abort(
                403, description=_("Only an editor or a translator of this language can change recordings.")
            )
        releases.run(db.engine, lambda conn: audio_draft.remove(conn, lang, key, g.user.username))
        flash(_("Recording removed from the draft."))
    else:
        abort(400, description="unknown action")
    audit.record(audit.CONTENT_SAVED, f"{recordings.manifest_path(lang)}#{key}")
    db.session.commit()
    return redirect(url_for("organiser.studio_audio", lang=lang, topic_id=topic_id))


def _upload(lang: str, topic_id: str, key: str, province: int | None, limit: int):
    if not may_record(g.user, lang, province):
        abort(403, description=_("Only an editor or a translator of this language can change recordings."))
    upload = request.files.get("recording")
    if upload is None or not upload.filename:
        return _page(lang, topic_id, _("Choose a recording to upload, or record one."), 400)
    try:
        made = audio.prepare(upload.read(), limit, current_app.config["AUDIO_MAX_SECONDS"])
    except audio.AudioError as exc:
        return _page(lang, topic_id, why(exc), 413 if exc.code == "too_large" else 400)
    try:
        releases.run(db.engine, lambda conn: audio_draft.add(conn, lang, key, made, g.user.username))
    except releases.Conflict:
        return _page(lang, topic_id, _("Someone else changed these recordings just now. Try again."), 409)
    audit.record(audit.CONTENT_SAVED, f"{recordings.manifest_path(lang)}#{key}")
    db.session.commit()
    flash(
        _(
            "Recording saved in the draft: %(seconds)s seconds, %(kb)s KB.",
            seconds=round(made.seconds),
            kb=len(made.opus) // 1024,
        )
    )
    return redirect(url_for("organiser.studio_audio", lang=lang, topic_id=topic_id))
