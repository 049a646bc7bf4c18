"""Organisers fill in their province's contact card: the numbers residents of the province
call besides the national hotline. A province organiser edits their own province's card; a
national organiser picks any province."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from .. import communes, contacts, scope
from . import bp, organiser_required, pickers
from .problems import say


class ContactsForm(FlaskForm):
    province = pickers.province_field()
    doit = StringField(contacts.OFFICES[0][1], validators=[Optional(), Length(max=contacts.PHONE_MAX)])
    market = StringField(contacts.OFFICES[1][1], validators=[Optional(), Length(max=contacts.PHONE_MAX)])
    association = StringField(contacts.OFFICES[2][1], validators=[Optional(), Length(max=contacts.PHONE_MAX)])


def _chosen_province() -> int | None:
    """The province whose card the page shows: a province organiser's own (another one asked
    for is out of scope), or the one a national organiser picked (None: not picked yet)."""
    wanted = request.values.get("province", "")
    province = int(wanted) if communes.is_code(wanted) and communes.province(int(wanted)) else None
    mine = scope.province_of(g.user)
    if mine is not None:
        if province is not None:
            try:
                scope.check_province(g.user, province)
            except scope.OutOfScope as exc:
                abort(403, description=say(exc))
        return mine
    return province


@bp.route("/contacts", methods=["GET", "POST"])
@organiser_required
def contacts_page():
    form = ContactsForm()
    pickers.fill_provinces(form.province, g.user, allow_none=False)
    province = _chosen_province()
    status = 200
    if province is not None and request.method == "POST" and form.validate_on_submit():
        phones = {office: getattr(form, office).data or "" for office, _label in contacts.OFFICES}
        try:
            contacts.save(province, phones, by=g.user.username)
        except contacts.ContactProblem as exc:
            getattr(form, exc.office).errors = [
                _(
                    "'%(value)s' is not a phone number: write 3 to 15 digits, with spaces, dots or dashes "
                    "between them if you like.",
                    value=exc.value,
                )
            ]
            status = 400
        else:
            flash(
                _(
                    "Contacts of %(province)s saved. Residents' phones get them with the next update.",
                    province=communes.province_name(province),
                )
            )
            return redirect(url_for("organiser.contacts_page", province=province))
    elif request.method == "POST":
        status = 400
    elif province is not None:
        form.province.data = province
        for office, number in contacts.phones_of(province).items():
            getattr(form, office).data = number
    return (
        render_template(
            "organiser/contacts.html",
            form=form,
            province=province,
            cards=contacts.all_cards() if scope.is_national(g.user) else [],
        ),
        status,
    )
