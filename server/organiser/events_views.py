"""Organisers manage the Consumer Rights Day events; the page writes content/events.yaml."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .. import communes, events_file
from ..content import ContentInvalid
from ..web import get_content
from . import bp, organiser_required
from .forms import ConfirmForm


class EventForm(FlaskForm):
    original_id = HiddenField()
    date = DateField(_l("Date"), validators=[DataRequired()])
    end_date = DateField(_l("Last day (events over several days)"), validators=[Optional()])
    province = IntegerField(_l("Province code"), validators=[Optional()])
    commune = IntegerField(_l("Commune code"), validators=[Optional()])
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    place_vi = StringField(_l("Place (Vietnamese)"), validators=[DataRequired(), Length(max=200)])
    place_en = StringField(_l("Place (English)"), validators=[Optional(), Length(max=200)])
    description_vi = TextAreaField(_l("What happens (Vietnamese)"), validators=[Optional(), Length(max=2000)])
    description_en = TextAreaField(_l("What happens (English)"), validators=[Optional(), Length(max=2000)])

    def fields_for_file(self) -> dict:
        texts = lambda name: {lang: getattr(self, f"{name}_{lang}").data or "" for lang in ("vi", "en")}  # noqa: E731
        return {
            "date": self.date.data.isoformat(),
            "end_date": self.end_date.data.isoformat() if self.end_date.data else None,
            "province": self.province.data,
            "commune": self.commune.data,
            "title": texts("title"),
            "place": texts("place"),
            "description": texts("description"),
        }


def events_path() -> Path:
    return Path(current_app.config["CONTENT_DIR"]) / "events.yaml"


def _fill(form: EventForm, event) -> None:
    form.original_id.data = event.id
    form.date.data, form.end_date.data = event.date, event.end_date
    form.province.data, form.commune.data = event.province, event.commune
    for name in ("title", "place", "description"):
        for lang in ("vi", "en"):
            getattr(form, f"{name}_{lang}").data = getattr(event, name).get(lang, "")


@bp.route("/events", methods=["GET", "POST"])
@organiser_required
def events_page():
    content = get_content()
    form = EventForm()
    errors: list[str] = []
    if form.validate_on_submit():
        header, data = events_file.read(events_path())
        fields = form.fields_for_file()
        found = communes.commune(fields["commune"]) if fields["commune"] else None
        if found and not fields["province"]:
            fields["province"] = found.province_code
        event_id = events_file.upsert(data, fields, form.original_id.data or None)
        try:
            events_file.write(events_path(), header, data, content.languages)
        except ContentInvalid as exc:
            errors = [
                e.message if e.field is None else f"{e.field.split('.')[-1]}: {e.message}" for e in exc.errors
            ]
        else:
            get_content(force=True)
            flash(_("Event %(id)s saved. Phones get it with the next update.", id=event_id))
            return redirect(url_for("organiser.events_page"))
    elif request.method == "GET" and request.args.get("edit"):
        event = next((e for e in content.events if e.id == request.args["edit"]), None)
        if event is None:
            abort(404, description=f"no event '{request.args['edit']}'")
        _fill(form, event)
    return render_template(
        "organiser/events.html", form=form, errors=errors, events=content.events, confirm=ConfirmForm()
    ), 400 if (errors or form.errors) else 200


@bp.post("/events/<event_id>/delete")
@organiser_required
def delete_event(event_id: str):
    if not ConfirmForm().validate_on_submit():
        abort(400, description="missing CSRF token")
    header, data = events_file.read(events_path())
    if not events_file.delete(data, event_id):
        abort(404, description=f"no event '{event_id}'")
    events_file.write(events_path(), header, data, get_content().languages)
    get_content(force=True)
    flash(_("Event %(id)s deleted.", id=event_id))
    return redirect(url_for("organiser.events_page"))
