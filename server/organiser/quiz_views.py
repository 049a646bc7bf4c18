"""The studio's quiz editor (the Vietnamese source): the title and, per question, its text, two to
six options, the right answer and the explanation; questions added and removed. Checked with the
rules of `loa content check` (five questions at least, the right answer one of the options);
saved to the draft with the same version check as topics."""

from __future__ import annotations

import re

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import audit, content_roles
from ..content import SOURCE_LANG, releases, studio, topic_file
from ..content import quiz_file as qf
from ..extensions import db
from . import bp
from .content_messages import say_error
from .forms import ConfirmForm
from .studio_views import studio_required

MIN_QUESTIONS = 5  # `loa content check` asks for five questions at least


def _from_form(count: int) -> tuple[str, list[qf.QuestionDraft]]:
    """The title and the questions as typed; a blank or deleted question is left out."""
    questions = []
    taken: set[str] = set()
    for i in range(count):
        text = request.form.get(f"q{i}-text", "").strip()
        if not text or request.form.get(f"q{i}-delete") == "1":
            continue
        qid = request.form.get(f"q{i}-id", "").strip() or _new_id(text, taken)
        taken.add(qid)
        options = {
            oid: request.form.get(f"q{i}-opt-{oid}", "").strip()
            for oid in qf.OPTION_IDS
            if request.form.get(f"q{i}-opt-{oid}", "").strip()
        }
        questions.append(
            qf.QuestionDraft(
                id=qid,
                text=text,
                options=options,
                answer=request.form.get(f"q{i}-answer", ""),
                explanation=request.form.get(f"q{i}-explanation", "").strip(),
            )
        )
    return request.form.get("title", "").strip(), questions


def _new_id(text: str, taken: set[str]) -> str:
    """An id for a new question from its first words (ids must stay stable once published)."""
    from ..communes import fold

    base = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:30].strip("-") or "question"
    qid, n = base, 2
    while qid in taken:
        qid, n = f"{base}-{n}", n + 1
    return qid


@bp.route("/studio/quizzes/<quiz_id>", methods=["GET", "POST"])
@studio_required
def studio_quiz(quiz_id: str):
    """Edit a quiz; `?topic=ID` on a quiz that does not exist yet makes that topic's quiz."""
    path = studio.quiz_path(SOURCE_LANG, quiz_id)
    topic_id = request.args.get("topic", "")
    with db.engine.connect() as conn:
        current = releases.draft_file(conn, path)
        topic_data = releases.draft_file(conn, studio.topic_path(SOURCE_LANG, topic_id)) if topic_id else None
    if current is None and (topic_data is None or topic_id != quiz_id):
        abort(404, description=f"no quiz '{quiz_id}'")
    meta, questions = (
        qf.parse(current)
        if current
        else ({"id": quiz_id, "topic": topic_id, "translator": g.user.display_name or g.user.username}, [])
    )
    topic_meta = topic_file.parse(topic_data)[0] if topic_data else None
    province = _province(str(meta.get("topic", "")), topic_meta)
    if not content_roles.may_edit(g.user, province):
        abort(403, description=_("This topic belongs to another province or to the whole country."))
    title = str(meta.get("title", ""))
    base = releases.sha_of(current) if current else ""
    errors: list[str] = []
    conflict = None
    status = 200
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400, description="missing CSRF token")
        title, questions = _from_form(int(request.form.get("count", "0") or 0))
        if request.form.get("base", "") != base:
            with db.engine.connect() as conn:
                seen = releases.read_blob(conn, request.form.get("base", "")) or b""
            conflict = releases.text_diff(seen, current or b"")
            status = 409
        else:
            data = qf.render(meta, title, questions)
            outcome = _save(path, data, current, topic_id if current is None else None, topic_data)
            if not outcome:
                flash(_("Saved as a draft. Residents see it once it is published."))
                return redirect(url_for("organiser.studio_quiz", quiz_id=quiz_id))
            errors, status = outcome, 400
    # empty question forms under the others: one to add a question, enough for a new quiz's five
    blank = [qf.QuestionDraft(id="") for _ in range(max(1, MIN_QUESTIONS - len(questions)))]
    return (
        render_template(
            "organiser/studio_quiz.html",
            quiz_id=quiz_id,
            title=title,
            questions=questions + blank,
            option_ids=qf.OPTION_IDS,
            base=base,
            errors=errors,
            conflict=conflict,
            confirm=ConfirmForm(),
        ),
        status,
    )


def _province(topic_id: str, topic_meta: dict | None) -> int | None:
    if topic_meta is None and topic_id:
        with db.engine.connect() as conn:
            data = releases.draft_file(conn, studio.topic_path(SOURCE_LANG, topic_id))
        topic_meta = topic_file.parse(data)[0] if data else None
    return (topic_meta or {}).get("province")


def _save(path: str, data: bytes, current: bytes | None, new_for_topic: str | None, topic_data: bytes | None):
    """Check and save; a new quiz is linked from its topic in the same save. Problems, or []."""
    topic_path = studio.topic_path(SOURCE_LANG, new_for_topic) if new_for_topic else None
    new_topic = None
    if topic_path and topic_data is not None:
        topic_meta, body = topic_file.parse(topic_data)
        topic_meta["quiz"] = new_for_topic
        new_topic = topic_file.render(topic_meta, body)
    changed: dict[str, bytes | None] = {path: data}
    if topic_path and new_topic is not None:
        changed[topic_path] = new_topic
    with db.engine.connect() as conn:
        _content, errors = studio.check_in_draft(conn, changed)
    if errors:
        return [say_error(e) for e in errors]

    def change(conn) -> None:
        releases.save_draft(conn, path, data, current, g.user.username)
        if topic_path and new_topic is not None:
            releases.save_draft(conn, topic_path, new_topic, topic_data, g.user.username)

    try:
        releases.run(db.engine, change)
    except releases.Conflict:
        return [
            _(
                "Someone else saved this topic after you opened it. Your text is not saved yet: it is still in the form below."
            )
        ]
    audit.record(audit.CONTENT_SAVED, path)
    db.session.commit()
    return []
