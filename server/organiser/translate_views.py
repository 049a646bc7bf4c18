"""Translating in the studio, side by side with the Vietnamese source, field by field. Each field
shows its state (missing, draft, stale with the source's diff, reviewed by whom and when) and any
number that differs from the source. Translators write; reviewers sign fields off, never their
own; both are per language. A partial translation waits in the language's state file until every
field has a text (a content file needs them all)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import audit, content_roles
from ..content import SOURCE_LANG, releases, studio, translation_files
from ..content import translation_state as ts
from ..extensions import db
from ..web import get_content
from . import bp
from .content_messages import say_error
from .forms import ConfirmForm
from .studio_views import studio_required

KINDS = ("topics", "quizzes")


def _key(kind: str, item_id: str) -> str:
    return f"{kind}/{item_id}"


def _read(lang: str, kind: str, item_id: str) -> dict[str, Any]:
    """The three files the page works on, as the draft holds them now, with the base the form
    carries (so a save over someone else's is refused)."""
    with db.engine.connect() as conn:
        source = releases.draft_file(conn, ts.file_path(SOURCE_LANG, kind, item_id))
        translation = releases.draft_file(conn, ts.file_path(lang, kind, item_id))
        state_file = releases.draft_file(conn, ts.state_path(lang))
        states = ts.read_states(state_file)
        entries = states.get(_key(kind, item_id), {})
        fields = ts.field_states(
            kind, source, translation, entries, old_source=lambda sha: releases.read_blob(conn, sha)
        )
    base = ":".join(releases.sha_of(d) if d is not None else "" for d in (translation, state_file))
    return {
        "source": source,
        "translation": translation,
        "state_file": state_file,
        "states": states,
        "entries": entries,
        "fields": fields,
        "base": base,
    }


@bp.route("/studio/translate/<lang>/<kind>/<item_id>", methods=["GET", "POST"])
@studio_required
def studio_translate(lang: str, kind: str, item_id: str):
    content = get_content()
    if lang not in content.languages or lang == SOURCE_LANG or kind not in KINDS:
        abort(404, description=f"no translation {lang}/{kind}/{item_id}")
    may_translate = content_roles.may_translate(g.user, lang)
    may_review = content_roles.may_review(g.user, lang)
    if not (may_translate or may_review):
        abort(403, description=_("You translate or review other languages."))
    files = _read(lang, kind, item_id)
    if files["source"] is None:
        abort(404, description=f"no Vietnamese {kind} '{item_id}'")
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400, description="missing CSRF token")
        if request.form.get("base", "") != files["base"]:
            errors = [
                _("Someone else saved this translation after you opened it. Check it below and save again.")
            ]
            status = 409
        else:
            outcome = _save(lang, kind, item_id, files, may_translate, may_review)
            if isinstance(outcome, list):
                errors, status = outcome, 400
            else:
                flash(outcome)
                return redirect(url_for("organiser.studio_translate", lang=lang, kind=kind, item_id=item_id))
    return (
        render_template(
            "organiser/studio_translate.html",
            lang=lang,
            language=content.languages[lang],
            kind=kind,
            item_id=item_id,
            fields=_typed(files["fields"]) if status in (400, 409) else files["fields"],
            counts=ts.counts(files["fields"]),
            base=files["base"],
            errors=errors,
            may_translate=may_translate,
            may_review=may_review,
            confirm=ConfirmForm(),
        ),
        status,
    )


def _typed(fields: list[ts.FieldState]) -> list[ts.FieldState]:
    """The fields with what was typed, for a page shown again with errors."""
    from dataclasses import replace

    return [replace(f, text=request.form.get(f"text-{i}", f.text)) for i, f in enumerate(fields)]


def _save(lang: str, kind: str, item_id: str, files: dict, may_translate: bool, may_review: bool):
    """Apply the form; a message on success, or the list of problems (nothing saved)."""
    me = g.user.username
    today = dt.date.today()
    source_sha = releases.sha_of(files["source"])
    entries: dict[str, dict[str, Any]] = {k: dict(v) for k, v in files["entries"].items()}
    texts: dict[str, str] = {}
    problems: list[str] = []
    for i, field in enumerate(files["fields"]):
        entry = entries.setdefault(field.name, {})
        typed = request.form.get(f"text-{i}", field.text).strip() if may_translate else field.text
        texts[field.name] = typed
        changed = typed != field.text.strip()
        confirmed = request.form.get(f"confirm-{i}") == "1" and field.state == ts.STALE
        if may_translate and typed and (changed or confirmed or not entry.get("source")):
            if changed or confirmed:
                entry.clear()
            entry.update(source=ts.fingerprint(field.source), source_sha=source_sha, by=me, at=today)
        if not typed:
            entries.pop(field.name, None)
        if may_review and request.form.get(f"review-{i}") == "1":
            if entry.get("by") == me:
                problems.append(
                    _("%(field)s: you translated it, so someone else reviews it.", field=field.name)
                )
            elif not typed or entry.get("source") != ts.fingerprint(field.source):
                problems.append(
                    _(
                        "%(field)s: only a translation of the current source can be reviewed.",
                        field=field.name,
                    )
                )
            else:
                entry.update(reviewed_by=me, reviewed_at=today)
    if problems:
        return problems
    complete = all(texts.values())
    for name, entry in entries.items():
        if complete:
            entry.pop("pending", None)
        elif texts.get(name):
            entry["pending"] = texts[name]
    if not complete and files["translation"] is not None:
        empty = [name for name, text in texts.items() if not text]
        return [_("Every field needs a text; empty now: %(fields)s.", fields=", ".join(empty))]
    all_reviewed = complete and all(entries.get(n, {}).get("reviewed_by") for n in texts)
    reviewers = [str(entries[n]["reviewed_by"]) for n in texts] if all_reviewed else None
    path = ts.file_path(lang, kind, item_id)
    new_file = None
    if complete:
        if kind == "topics":
            new_file = translation_files.topic(
                files["source"], files["translation"], texts, me, reviewers, today
            )
        else:
            new_file = translation_files.quiz(files["source"], files["translation"], texts, me, reviewers)
        with db.engine.connect() as conn:
            _content, errors = studio.check_in_draft(conn, {path: new_file})
        if errors:
            return [say_error(e) for e in errors]
    states = dict(files["states"])
    states[_key(kind, item_id)] = {n: e for n, e in entries.items() if e}
    new_state = ts.render_states(states)

    def change(conn) -> None:
        if new_file is not None:
            releases.save_draft(conn, path, new_file, files["translation"], me)
        releases.save_draft(conn, ts.state_path(lang), new_state, files["state_file"], me)

    try:
        releases.run(db.engine, change)
    except releases.Conflict:
        return [_("Someone else saved this translation after you opened it. Check it below and save again.")]
    audit.record(audit.CONTENT_SAVED, path)
    db.session.commit()
    if complete:
        return _("Saved as a draft. Residents see it once it is published.")
    return _("Saved. The translation is published once every field has a text.")
