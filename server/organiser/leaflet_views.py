"""Organisers print leaflets (ZIP or one combined PDF) and see what their scans show."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import current_app, g, render_template, send_file
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from .. import communes, leaflets, reports, scope
from ..web import get_content
from . import bp, organiser_required, pickers, problems, scoped_filter

MAX_WEB_LEAFLETS = 400  # larger runs belong to `loa leaflets build`


class LeafletForm(FlaskForm):
    topic = SelectField(_l("Topic"))
    lang = SelectField(_l("Language"))
    province = SelectField(_l("Province"), validators=[Optional()])
    communes = pickers.communes_field(_l("Or communes, by name or code (separated by commas or new lines)"))
    output = SelectField(
        _l("Download"),
        choices=[
            SelectChoice("pdf", _l("One PDF for the print shop (A5)")),
            SelectChoice("pdf-2up", _l("One PDF, two leaflets per A4 page")),
            SelectChoice("zip", _l("ZIP: every leaflet as PDF and PNG, combined PDFs, list of codes")),
        ],
    )


def leaflet_form() -> LeafletForm:
    content = get_content()
    form = LeafletForm()
    form.topic.choices = [SelectChoice(t.id, t.title) for t in content.topics_in_order("vi")]
    form.lang.choices = [SelectChoice(code, lang.name) for code, lang in content.languages.items()]
    national = [SelectChoice("", "–")] if scope.is_national(g.user) else []
    form.province.choices = national + [
        SelectChoice(str(p.code), p.name) for p in scope.provinces_for(g.user)
    ]
    return form


def requested_communes(form: LeafletForm) -> list[int | None]:
    """The communes to print for: typed (by name or code), else the chosen province's, else the
    organiser's province's; a national organiser with neither prints one leaflet for everywhere."""
    mine = scope.province_of(g.user)
    province = int(form.province.data) if form.province.data else mine
    try:
        typed = pickers.resolve_communes(form.communes.data or "", province)
        for code in typed:  # a province organiser prints for their own communes only
            scope.check_commune(g.user, code)
        if typed:
            return list(typed)
        scope.check_province(g.user, province)
    except (scope.OutOfScope, pickers.PickError) as exc:
        raise leaflets.LeafletError(problems.say(exc)) from None
    if province is not None:
        return [c.code for c in communes.communes_of(province)]
    return [None]


@bp.route("/leaflets", methods=["GET", "POST"])
@organiser_required
def leaflets_page():
    form = leaflet_form()
    error = None
    if form.validate_on_submit():
        try:
            wanted = requested_communes(form)
            if len(wanted) > MAX_WEB_LEAFLETS:
                raise leaflets.LeafletError(
                    f"{len(wanted)} leaflets at once is too many for the web page "
                    f"(at most {MAX_WEB_LEAFLETS}); use `loa leaflets build`"
                )
            return build_download(form, wanted)
        except leaflets.LeafletError as exc:
            error = str(exc)
    flt, filter_error = scoped_filter()
    tables = (
        {}
        if filter_error
        else {
            "by_leaflet": reports.scans_by_leaflet(flt)[:200],
            "by_commune": reports.scans_by_commune(flt),
            "by_language": reports.scans_by_language(flt),
            "by_week": reports.scans_by_week(flt),
            "never": reports.communes_never_scanned(flt),
        }
    )
    status = 400 if (error or form.errors or filter_error) else 200
    content = get_content()
    return render_template(
        "organiser/leaflets.html",
        outdated=leaflets.outdated_leaflets(content, scope.province_of(g.user)),
        form=form,
        error=error,
        filter_error=filter_error,
        flt=flt,
        tables=tables,
        provinces=scope.provinces_for(g.user),
    ), status


def build_download(form: LeafletForm, wanted: list[int | None]):
    content = get_content()
    public_url = current_app.config["PUBLIC_URL"]
    topic, lang, output = form.topic.data, form.lang.data, form.output.data
    if output in ("pdf", "pdf-2up"):
        made = leaflets.get_or_create_leaflets(topic, lang, wanted, content)
        pdf = leaflets.render_pdf(made, content, public_url, "a5" if output == "pdf" else "a4-2up")
        name = f"leaflets-{topic}-{lang}{'' if output == 'pdf' else '-a4-2up'}.pdf"
        return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name)
    with tempfile.TemporaryDirectory() as tmp:
        result = leaflets.build(topic, lang, wanted, Path(tmp), content, public_url)
        data = leaflets.zip_build(result.files)
    return send_file(
        io.BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"leaflets-{topic}-{lang}.zip",
    )
