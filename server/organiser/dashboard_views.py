"""Dashboard, exports and the printable yearly report; errors on organiser pages."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import abort, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .. import activities, communes, complaints, content_roles, dashboard, devices, exports, reports, scope
from ..content import SOURCE_LANG
from ..models import ORGANISER
from ..security import csrf_message
from ..web import get_content, handle_http_error
from . import bp, login_required, organiser_required, problems, scoped_filter


def _choices() -> dict:
    content = get_content()
    return {
        "provinces": scope.provinces_for(g.user),
        "topics": content.topics_in_order(g.lang),
        "languages": content.languages,
    }


@bp.get("/")
@login_required()
def home():
    if g.user.role != ORGANISER:  # translators and reviewers to the studio, other staff to their screens
        if content_roles.may_use_studio(g.user):
            return redirect(url_for("organiser.studio_home"))
        return redirect(url_for("staff.app_shell", lang=g.lang))
    flt, error = scoped_filter()
    data = None if error else dashboard.dashboard(flt, get_content(), scope.province_of(g.user), g.lang)
    return render_template(
        "organiser/dashboard.html", flt=flt, error=error, data=data, **_choices()
    ), 400 if error else 200


EXPORTS = {
    "csv": ("text/csv", lambda flt, content: exports.to_csv(flt)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx),
    "sqlite": ("application/vnd.sqlite3", lambda flt, content: exports.to_sqlite(flt)),
}


@bp.get("/export.<fmt>")
@organiser_required
def export(fmt: str):
    if fmt not in EXPORTS:
        abort(404, description=f"no export format '{fmt}'; formats: {', '.join(EXPORTS)}")
    flt, error = scoped_filter()
    if error:
        abort(400, description=error)
    if not (
        reports.has_data(reports.totals(flt)) or activities.any_in(flt) or complaints.figures(flt)["received"]
    ):
        abort(404, description=_no_data_message(flt))
    mimetype, make = EXPORTS[fmt]
    stamp = dt.date.today().isoformat()
    return send_file(
        io.BytesIO(make(flt, get_content())),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"loa-{stamp}.{fmt}",
    )


def _no_data_message(flt: reports.ReportFilter) -> str:
    from flask_babel import gettext as _

    return _(
        "No records for %(filter)s: there is nothing to export.", filter=flt.describe() or _("everything")
    )


@bp.get("/report")
@organiser_required
def yearly_report():
    content = get_content()
    year_text = request.args.get("year") or str(dt.date.today().year)
    province_text = request.args.get("province") or ""
    if not communes.is_code(year_text) or not 2015 <= int(year_text) <= 2100:
        abort(400, description=problems.say(reports.FilterError("bad year", "bad_year", value=year_text)))
    if province_text and (not communes.is_code(province_text) or communes.province(province_text) is None):
        abort(400, description=problems.say(reports.FilterError("", "unknown_province", value=province_text)))
    province = int(province_text) if province_text else scope.province_of(g.user)
    try:
        scope.check_province(g.user, province)
    except scope.OutOfScope as exc:
        abort(403, description=problems.say(exc))
    data = dashboard.yearly_report(int(year_text), province, content, lang=g.lang)
    return render_template("organiser/report.html", report=data, **_choices())


# The dashboard's filter arguments (reports.parse_filter), kept on the way back from an error.
FILTER_ARGS = ("province", "commune", "topic", "lang", "from", "to")


@bp.errorhandler(HTTPException)
def organiser_error(error: HTTPException):
    """An error on an organiser page (an export of an empty period, a bad filter, another
    province) within the organiser's pages, with the way back to the figures as they were
    filtered. Server errors, and staff who strayed here, get the site's error page."""
    user = g.get("user")
    if isinstance(error, CSRFError):  # Flask-WTF's reason is English
        error.description = csrf_message()
    if (error.code or 500) >= 500 or (user is not None and user.role != ORGANISER):
        return handle_http_error(error)
    if g.get("lang") not in get_content().languages:
        g.lang = SOURCE_LANG
    back: dict[str, Any] = {key: request.args[key] for key in FILTER_ARGS if request.args.get(key)}
    return render_template(
        "organiser/error.html",
        error=error,
        told=error.description != type(error).description,  # a message of the view's own
        back=url_for("organiser.home", **back),
    ), error.code


@bp.app_template_filter("device_name")
def device_name(label: str | None) -> str:
    """A device's label as people read it ("Chrome on Android 13"); the label itself when it
    is not a browser's user agent."""
    browser, system = devices.describe_user_agent(label or "")
    if browser and system:
        return gettext("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or label or ""
