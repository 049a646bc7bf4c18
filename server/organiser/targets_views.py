"""Organisers set yearly targets: a province organiser for their province, a national
organiser for the nation or any province. The dashboard shows the progress towards them."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import scope, targets
from ..web import get_content
from . import bp, organiser_required
from .forms import ConfirmForm
from .pickers import chosen_province

FIRST_YEAR, LAST_YEAR = 2015, 2100


def _year() -> int:
    text = request.values.get("year", "")
    year = int(text) if text.isdigit() else dt.date.today().year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(400, description=_("“%(value)s” is not a year between 2015 and 2100.", value=text))
    return year


@bp.route("/targets", methods=["GET", "POST"])
@organiser_required
def targets_page():
    content = get_content()
    year, province = _year(), chosen_province()
    confirm = ConfirmForm()
    error, typed = "", None
    if request.method == "POST":
        typed = request.form
        if not confirm.validate_on_submit():
            error = _("The form expired. Save again.")
        else:
            try:
                values = targets.parse(request.form.to_dict(), content)
            except targets.TargetError as exc:
                label = targets.labels(content, g.lang)[exc.params["name"]]
                error = _(
                    "%(target)s: write a whole number from 1 to %(high)s.",
                    target=label,
                    high=exc.params["high"],
                )
            else:
                targets.save(province, year, values, g.user.username)
                flash(_("Targets for %(year)s saved.", year=year))
                return redirect(url_for("organiser.targets_page", year=year, province=province or ""))
    return (
        render_template(
            "organiser/targets.html",
            year=year,
            province=province,
            national=scope.is_national(g.user),
            provinces=scope.provinces_for(g.user),
            names=targets.names(content),
            labels=targets.labels(content, g.lang),
            percent=targets.PERCENT,
            values=typed if typed is not None else targets.stored(province, year),
            suggested=targets.SUGGESTED[0] if province is None else targets.PROVINCE_SUGGESTED,
            progress=targets.progress(province, year, content, g.lang),
            error=error,
            confirm=confirm,
        ),
        400 if error else 200,
    )
