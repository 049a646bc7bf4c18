"""Dashboard, exports and the printable yearly report."""

from __future__ import annotations

import datetime as dt
import io

from flask import abort, g, redirect, render_template, request, send_file, url_for

from .. import communes, dashboard, exports, reports, scope
from ..models import ORGANISER
from ..web import get_content
from . import bp, login_required, organiser_required, scoped_filter


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
    if g.user.role != ORGANISER:
        return redirect(url_for("staff.app_shell", lang=g.lang))
    flt, error = scoped_filter()
    data = None if error else dashboard.dashboard(flt, get_content(), scope.province_of(g.user))
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
    if not reports.has_data(reports.totals(flt)):
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
        abort(400, description=f"year '{year_text}' is not a year between 2015 and 2100")
    if province_text and (not communes.is_code(province_text) or communes.province(province_text) is None):
        abort(400, description=f"province '{province_text}' is not an official province code")
    province = int(province_text) if province_text else scope.province_of(g.user)
    try:
        scope.check_province(g.user, province)
    except scope.OutOfScope as exc:
        abort(403, description=str(exc))
    data = dashboard.yearly_report(int(year_text), province, content)
    return render_template("organiser/report.html", report=data, **_choices())
