"""Organisers manage the Consumer Rights Day events; the page changes the content's events.yaml
and publishes it at once (never over changes the page has not shown: see server/events_file.py)."""

from __future__ import annotations

import yaml
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from .. import audit, communes, events_file, scope
from ..content import ContentInvalid, releases
from ..extensions import db
from ..web import get_content
from . import bp, organiser_required, pickers
from .content_messages import say
from .forms import ConfirmForm


class EventForm(FlaskForm):
    original_id = HiddenField()
    base_version = HiddenField()  # the events file's version when the form was shown
    date = DateField(_l("Date"), validators=[DataRequired()])
    end_date = DateField(_l("Last day (events over several days)"), validators=[Optional()])
    province = pickers.province_field()
    commune = StringField(
        _l("Commune (name or code; empty: the whole province)"), validators=[Optional(), Length(max=120)]
    )
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    place_vi = StringField(_l("Place (Vietnamese)"), validators=[DataRequired(), Length(max=200)])
    place_en = StringField(_l("Place (English)"), validators=[Optional(), Length(max=200)])
    description_vi = TextAreaField(_l("What happens (Vietnamese)"), validators=[Optional(), Length(max=2000)])
    description_en = TextAreaField(_l("What happens (English)"), validators=[Optional(), Length(max=2000)])
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("example", _l("Example: organisers see it, residents do not")),
            SelectChoice("confirmed", _l("Confirmed: residents see it")),
        ],
        default="example",
    )
    national = BooleanField(_l("A national event of the Ministry (listed for every province)"))

    def fields_for_file(self) -> dict:
        texts = lambda name: {lang: getattr(self, f"{name}_{lang}").data or "" for lang in ("vi", "en")}  # noqa: E731
        return {
            "date": self.date.data.isoformat(),
            "end_date": self.end_date.data.isoformat() if self.end_date.data else None,
            "province": self.province.data,
            "commune": None,  # resolved from the typed name or code by the view
            "title": texts("title"),
            "place": texts("place"),
            "description": texts("description"),
            "status": self.status.data,
            "national": bool(self.national.data),
        }


def may_edit(province: int | None) -> bool:
    """A province organiser edits the events of their province only (national events too are
    a national organiser's)."""
    mine = scope.province_of(g.user)
    return mine is None or province == mine


class _Stale(Exception):
    """The events changed since the form was shown; `version` is theirs now."""

    def __init__(self, version: str):
        self.version = version


def _fill(form: EventForm, event) -> None:
    form.original_id.data = event.id
    form.date.data, form.end_date.data = event.date, event.end_date
    form.province.data = event.province
    form.commune.data = communes.commune_name(event.commune) if event.commune else ""
    for name in ("title", "place", "description"):
        for lang in ("vi", "en"):
            getattr(form, f"{name}_{lang}").data = getattr(event, name).get(lang, "")
    form.status.data = event.status
    form.national.data = event.national


def _conflict_message() -> str:
    return _(
        "Someone else changed the events since you opened this page. Your changes are not saved yet: "
        "check the list below and save again."
    )


def _page(form: EventForm, errors: list[str], status: int, new_version: bool = False, conflict: bool = False):
    """The events page: the list as the file holds it now, each delete button with the version of
    its event, and the form (given the file's current version when `new_version`). A `conflict`
    (the file changed since the page was shown) is said above the list."""
    pickers.fill_provinces(form.province, g.user)
    content = get_content(force=True)
    raw = events_file.read(db.engine)
    if new_version:
        form.base_version.data = events_file.version(raw)
    try:
        _header, data = events_file.parse(raw.decode("utf-8"))
        event_versions = {
            e["id"]: events_file.event_version(e) for e in data["events"] if isinstance(e, dict) and "id" in e
        }
    except (UnicodeDecodeError, yaml.YAMLError, AttributeError, TypeError):
        event_versions = {}  # a hand-broken file: the content check names the problem
    page = render_template(
        "organiser/events.html",
        form=form,
        errors=errors,
        conflict=_conflict_message() if conflict else None,
        events=content.events,
        event_versions=event_versions,
        editable={e.id for e in content.events if may_edit(e.province)},
        national_editor=scope.is_national(g.user),
        confirm=ConfirmForm(),
    )
    return page, status


@bp.route("/events", methods=["GET", "POST"])
@organiser_required
def events_page():
    form = EventForm()
    pickers.fill_provinces(form.province, g.user)
    if form.validate_on_submit():
        return _save(form)
    if request.method == "GET" and request.args.get("edit"):
        event = next((e for e in get_content(force=True).events if e.id == request.args["edit"]), None)
        if event is None or not may_edit(event.province):
            abort(404, description=f"no event '{request.args['edit']}'")
        _fill(form, event)
    return _page(form, [], 400 if form.errors else 200, new_version=request.method == "GET")


def _save(form: EventForm):
    """Write the form's event, unless the file changed since the form was read (409)."""
    fields = form.fields_for_file()
    try:
        fields["commune"] = (
            pickers.resolve_commune(form.commune.data, fields["province"]) if form.commune.data else None
        )
    except pickers.PickError as exc:
        form.commune.errors = [str(exc)]
        return _page(form, [], 400)
    found = communes.commune(fields["commune"]) if fields["commune"] else None
    if found and not fields["province"]:
        fields["province"] = found.province_code
    if not scope.is_national(g.user):
        fields["national"] = None  # whether an event is national is a national organiser's call: kept
        if fields["province"] is None:
            fields["province"] = scope.province_of(g.user)
    if not may_edit(fields["province"]) or (found and not may_edit(found.province_code)):
        abort(
            403,
            description=f"province {fields['province']}: your account edits its own province's events only",
        )
    saved: list[str] = []

    def edit(data: dict, current: str) -> None:
        if form.base_version.data != current:
            raise _Stale(current)
        before = events_file.find(data, form.original_id.data) if form.original_id.data else None
        if before is not None and not may_edit(before.get("province")):
            abort(404, description=f"no event '{form.original_id.data}'")
        saved.append(events_file.upsert(data, fields, form.original_id.data or None))

    try:
        events_file.apply(db.engine, g.user.username, "event saved", get_content().languages, edit)
    except (_Stale, releases.Conflict) as exc:
        # saving again (after a look at the list) may go ahead
        form.base_version.data = (
            exc.version if isinstance(exc, _Stale) else events_file.version(exc.current or b"")
        )
        return _page(form, [], 409, conflict=True)
    except ContentInvalid as exc:
        errors = [
            say(e.message) if e.field is None else f"{e.field.split('.')[-1]}: {say(e.message)}"
            for e in exc.errors
        ]
        return _page(form, errors, 400)
    event_id = saved[-1]
    audit.record(audit.EVENT_SAVED, f"event:{event_id}", province_code=fields["province"])
    db.session.commit()
    get_content(force=True)
    flash(_("Event %(id)s saved. Phones get it with the next update.", id=event_id))
    return redirect(url_for("organiser.events_page"))


@bp.post("/events/<event_id>/delete")
@organiser_required
def delete_event(event_id: str):
    if not ConfirmForm().validate_on_submit():
        abort(400, description="missing CSRF token")
    seen = request.form.get("base_version", "")
    gone: list[dict] = []

    def edit(data: dict, _current: str) -> None:
        event = events_file.find(data, event_id)
        if event is None or not may_edit(event.get("province")):
            abort(404, description=f"no event '{event_id}'")
        if events_file.event_version(event) != seen:
            raise _Stale(_current)
        events_file.delete(data, event_id)
        gone.append(event)

    try:
        events_file.apply(db.engine, g.user.username, "event deleted", get_content().languages, edit)
    except (_Stale, releases.Conflict):
        return _page(EventForm(formdata=None), [], 409, new_version=True, conflict=True)
    audit.record(audit.EVENT_DELETED, f"event:{event_id}", province_code=gone[-1].get("province"))
    db.session.commit()
    get_content(force=True)
    flash(_("Event %(id)s deleted.", id=event_id))
    return redirect(url_for("organiser.events_page"))
