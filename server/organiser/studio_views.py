"""The content studio: editors write topics in the browser (the Vietnamese source), saved to the
draft; nothing reaches residents until it is published (publish_views.py). A save made from a
page opened before someone else's save is refused with what they changed, the form kept."""

from __future__ import annotations

from functools import wraps
from pathlib import Path

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from .. import audit, auth, content_roles, scope
from ..content import KEY_POINT_MAX, SOURCE_LANG, releases, render_markdown, studio, topic_file
from ..content import translation_state as ts
from ..content.errors import ContentInvalid
from ..content.loader import SLUG, load_tree
from ..content.markdown import markdown_problems
from ..content.model import Content
from ..coverage import coverage
from ..extensions import db
from ..web import get_content
from . import bp, pickers
from .content_messages import say, say_error
from .recording_items import recording_counts

KEY_POINTS = 6


def studio_required(view):
    """Logged in, with a content role (organisers are editors of their scope)."""

    @auth.require_login()
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not content_roles.may_use_studio(g.user):
            abort(403, description=_("The studio is for editors, translators and reviewers."))
        return view(*args, **kwargs)

    return wrapper


class TopicForm(FlaskForm):
    base = HiddenField()  # the draft file's SHA-256 when the page was shown ("" for a new topic)
    topic_id = StringField(_l("Address of the topic (lower-case letters, digits and '-')"))
    title = StringField(_l("Title"))
    summary = TextAreaField(_l("Summary (one or two sentences)"))
    order = IntegerField(
        _l("Place on the home page (1 comes first)"), validators=[Optional(), NumberRange(1, 99)]
    )
    province = pickers.province_field(_l("Province (empty: the whole country)"))
    body = TextAreaField(_l("Text (Markdown)"))
    sources = TextAreaField(_l("Sources (one per line: the law, decree or page it rests on)"))


for _n in range(1, KEY_POINTS + 1):
    setattr(TopicForm, f"key_point_{_n}", StringField(_l("Key point %(n)s", n=_n)))


def _key_point_fields(form: TopicForm) -> list:
    return [getattr(form, f"key_point_{n}") for n in range(1, KEY_POINTS + 1)]


def _fill(form: TopicForm, data: bytes) -> None:
    meta, body = topic_file.parse(data)
    form.title.data = meta.get("title", "")
    form.summary.data = meta.get("summary", "")
    form.order.data = meta.get("order")
    form.province.data = meta.get("province")
    form.body.data = body
    form.sources.data = "\n".join(meta.get("sources") or [])
    for field, point in zip(_key_point_fields(form), meta.get("key_points") or [], strict=False):
        field.data = point


def _fields(form: TopicForm) -> dict:
    return {
        "title": (form.title.data or "").strip(),
        "summary": " ".join((form.summary.data or "").split()),
        "order": form.order.data,
        "province": form.province.data,
        "key_points": [f.data.strip() for f in _key_point_fields(form) if (f.data or "").strip()],
        "sources": [line.strip() for line in (form.sources.data or "").splitlines() if line.strip()],
    }


# Field names of `loa content check` messages -> the form field that shows them.
def _form_field(form: TopicForm, name: str | None):
    if name is None:
        return None
    base = name.split("[")[0].split(".")[0]
    if base == "key_points" and "[" in name:
        index = int(name.split("[")[1].split("]")[0])
        return getattr(form, f"key_point_{index}", None)
    return {"id": form.topic_id, "title": form.title, "summary": form.summary, "order": form.order}.get(
        base, {"province": form.province, "body": form.body, "sources": form.sources}.get(base)
    )


@bp.route("/studio")
@studio_required
def studio_home():
    content = get_content(force=True)
    with db.engine.connect() as conn:
        changes, problems = studio.pending(conn)
        draft = releases.draft_tree(conn)
    draft_paths = set(draft.files)
    source = content.topics[SOURCE_LANG]
    workable = [
        lang
        for lang in content.languages
        if lang != SOURCE_LANG
        and (content_roles.may_translate(g.user, lang) or content_roles.may_review(g.user, lang))
    ]

    def work(tid: str) -> dict[str, list[dict]]:
        """Per language this user translates or reviews: the topic's and its quiz's field counts."""
        quiz = source[tid].quiz
        items = [("topics", tid)] + ([("quizzes", quiz)] if quiz else [])
        return {
            lang: [
                {"kind": kind, "id": item, "counts": ts.counts(ts.item_states(draft, lang, kind, item))}
                for kind, item in items
            ]
            for lang in workable
        }

    try:
        draft_content: Content | None = load_tree(draft)
    except ContentInvalid:
        draft_content = None
    rows = [
        {
            "topic": source[tid],
            "editable": content_roles.may_edit(g.user, source[tid].province),
            "langs": {lang: content.topics.get(lang, {}).get(tid) for lang in content.languages},
            "work": work(tid),
            "audio": {lang: recording_counts(draft_content, lang, tid) for lang in content.languages},
        }
        for tid in content.topic_ids()
    ]
    drafts_only = sorted(p.split("/")[-1][:-3] for p in draft_paths if p.startswith(f"{SOURCE_LANG}/topics/"))
    unpublished = [tid for tid in drafts_only if tid not in source]
    catalogues = [
        (row.lang, row.name, row.catalogue)
        for row in coverage(content, Path(current_app.config["TRANSLATIONS_DIR"]))
    ]
    return render_template(
        "organiser/studio.html",
        catalogues=catalogues,
        rows=rows,
        unpublished=unpublished,
        changes=changes,
        problems=[say_error(p) for p in problems],
        languages=content.languages,
        may_create=content_roles.is_editor(g.user),
    )


@bp.route("/studio/topics/new", methods=["GET", "POST"])
@studio_required
def studio_new_topic():
    return _topic_page(None)


@bp.route("/studio/topics/<topic_id>", methods=["GET", "POST"])
@studio_required
def studio_topic(topic_id: str):
    return _topic_page(topic_id)


def _topic_page(topic_id: str | None):
    if not content_roles.is_editor(g.user):
        abort(403, description=_("Only editors write topics."))
    form = TopicForm()
    pickers.fill_provinces(form.province, g.user)
    path = studio.topic_path(SOURCE_LANG, topic_id) if topic_id else None
    with db.engine.connect() as conn:
        current = releases.draft_file(conn, path) if path else None
    if topic_id and current is None:
        abort(404, description=f"no topic '{topic_id}'")
    if current is not None:
        province = topic_file.parse(current)[0].get("province")
        if not content_roles.may_edit(g.user, province):
            abort(403, description=_("This topic belongs to another province or to the whole country."))
    if request.method == "GET":
        if current is not None:
            _fill(form, current)
            form.base.data = releases.sha_of(current)
        elif not scope.is_national(g.user):
            form.province.data = g.user.province_code
        return _render(form, topic_id, 200)
    if not form.validate_on_submit():
        return _render(form, topic_id, 400)
    return _save(form, topic_id, current)


def _save(form: TopicForm, topic_id: str | None, current: bytes | None):
    new_id = topic_id or (form.topic_id.data or "").strip()
    fields = _fields(form)
    if not scope.is_national(g.user):
        fields["province"] = g.user.province_code  # a province's editors write their province's topics
    if not topic_id and not SLUG.match(new_id):
        form.topic_id.errors = [_("Use lower-case letters, digits and '-' only, e.g. livestream-scams.")]
        return _render(form, None, 400)
    path = studio.topic_path(SOURCE_LANG, new_id)
    with db.engine.connect() as conn:
        now = releases.draft_file(conn, path)
        base = releases.read_blob(conn, form.base.data) if form.base.data else None
    if (releases.sha_of(now) if now is not None else "") != (form.base.data or ""):
        return _conflict(form, topic_id, base, now)
    if not topic_id and now is not None:
        form.topic_id.errors = [_("A topic with this address exists already.")]
        return _render(form, None, 400)
    if now is None:  # a new topic: its writer is named, as translators are in their files
        fields["translator"] = g.user.display_name or g.user.username
    data = topic_file.updated(now, new_id, fields, form.body.data or "")
    with db.engine.connect() as conn:
        _content, errors = studio.check_in_draft(conn, {path: data})
    if errors:
        general = []
        for error in errors:
            target = _form_field(form, error.field)
            if target is None:
                general.append(say_error(error))
            else:
                target.errors = [*list(target.errors), say(error.message)]
        return _render(form, topic_id, 400, general=general)
    try:
        releases.run(db.engine, lambda conn: releases.save_draft(conn, path, data, now, g.user.username))
    except releases.Conflict as exc:
        return _conflict(form, topic_id, now, exc.current)
    audit.record(audit.CONTENT_SAVED, path, province_code=fields["province"])
    db.session.commit()
    flash(_("Saved as a draft. Residents see it once it is published."))
    return redirect(url_for("organiser.studio_topic", topic_id=new_id))


def _conflict(form: TopicForm, topic_id: str | None, base: bytes | None, now: bytes | None):
    """Someone saved since this page was opened: say so, show what they changed, keep what was
    typed; saving again (knowingly) goes ahead."""
    form.base.data = releases.sha_of(now) if now is not None else ""
    diff = releases.text_diff(base or b"", now or b"", "")
    return _render(form, topic_id, 409, conflict=diff)


def _render(form: TopicForm, topic_id: str | None, status: int, general=(), conflict: str | None = None):
    return (
        render_template(
            "organiser/studio_topic.html",
            form=form,
            topic_id=topic_id,
            key_points=_key_point_fields(form),
            key_point_max=KEY_POINT_MAX,
            general=general,
            conflict=conflict,
            preview=render_markdown(form.body.data or ""),
            national=scope.is_national(g.user),
        ),
        status,
    )


@bp.post("/studio/preview")
@studio_required
def studio_preview():
    """The body as residents will see it, and what in it is refused, for the live preview."""
    text = (request.get_json(silent=True) or {}).get("body", "")
    if not isinstance(text, str) or len(text) > 100_000:
        abort(400, description="body: text of at most 100,000 characters")
    return jsonify(html=render_markdown(text), problems=[say(p) for p in markdown_problems(text)])


def topic_page_with_error(topic_id: str, message: str, status: int):
    """The topic's page as saved, with `message` above the form (a refused picture)."""
    form = TopicForm(formdata=None)
    pickers.fill_provinces(form.province, g.user)
    with db.engine.connect() as conn:
        current = releases.draft_file(conn, studio.topic_path(SOURCE_LANG, topic_id))
    if current is None:
        abort(404, description=f"no topic '{topic_id}'")
    _fill(form, current)
    form.base.data = releases.sha_of(current)
    return _render(form, topic_id, status, general=[message])
