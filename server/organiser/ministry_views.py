"""The report to the Ministry: for a province (or the country) and a period, a print-ready A4
page and the same figures as XLSX; a province organiser signs the period off (the report is then
frozen), signs a revision for records that came after, or unlocks it with a reason."""

from __future__ import annotations

import io

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .. import communes, ministry_report, periods, signoff, strings
from ..complaint_names import step_names
from ..models import Signoff
from ..web import get_content
from . import bp, organiser_required
from .forms import ConfirmForm
from .pickers import chosen_province


def row_labels() -> dict[str, str]:
    return {
        "sessions": _("Sessions in villages and communes"),
        "participants": _("Participants"),
        "women": _("of whom women"),
        "ethnic_minority": _("of whom ethnic minority"),
        "elderly": _("of whom elderly (60 or over)"),
        "disabled": _("of whom people with disabilities"),
        "communes_reached": _("Communes reached"),
        "leaflets_made": _("Leaflets made (codes printed)"),
        "leaflets_handed_out": _("Leaflets handed out"),
        "leaflet_scans": _("Leaflet scans"),
        "banners": _("Banners and posters"),
        "broadcasts": _("Loudspeaker broadcasts"),
        "broadcast_minutes": _("Minutes on air"),
        "media_items": _("Media items"),
        "fairs": _("Fairs and stalls"),
        "fair_visitors": _("Visitors to fairs and stalls"),
        "trainings": _("Trainings of officials or businesses"),
        "training_participants": _("Participants in trainings"),
    }


def _period() -> periods.Period | None:
    raw = request.values.get("period", "")
    if not raw:
        return None
    try:
        return periods.parse(raw)
    except periods.PeriodError:
        abort(
            400,
            description=_(
                "“%(value)s” is not a period: write 2027, 2027-03, 2027-Q1 or 2027-crd.", value=raw
            ),
        )


def _report(province: int | None, period: periods.Period) -> tuple[dict, Signoff | None]:
    """The frozen report of a locked period, else the live one; and the lock."""
    lock = signoff.locked(province, period)
    if lock is not None:
        return signoff.frozen(lock), lock
    return ministry_report.report(province, period, get_content(), g.lang), None


@bp.get("/ministry")
@organiser_required
def ministry_page():
    province, period = chosen_province(), _period()
    context: dict = {
        "province": province,
        "period": period,
        "confirm": ConfirmForm(),
        "labels": row_labels(),
        "provinces": communes.provinces(),
        "record_names": strings.js_strings(),
    }
    if period is not None:
        report, lock = _report(province, period)
        latest = signoff.latest(province, period)
        context.update(
            report=report,
            lock=lock,
            latest=latest,
            late=signoff.late_records(province, period, lock.signed_at) if lock else {},
            steps=step_names(),
            rows=ministry_report.ROWS,
            issuer=_(
                "Department of Industry and Trade of %(province)s", province=communes.province_name(province)
            )
            if province
            else _("Ministry of Industry and Trade"),
            areas=get_content().areas,
        )
    return render_template("organiser/ministry.html", **context)


@bp.post("/ministry/sign")
@organiser_required
def ministry_sign():
    province, period = chosen_province(), _period()
    if period is None or not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form expired. Save again."))
    try:
        row = signoff.sign(province, period, get_content(), g.lang, g.user.display_name or g.user.username)
    except signoff.SignoffError as exc:
        flash(
            {
                "nothing_new": _(
                    "This period is signed off and no record arrived since: there is nothing to revise."
                ),
                "signed_meanwhile": _(
                    "Someone signed this period at the same moment; their sign-off stands."
                ),
            }.get(exc.code, str(exc))
        )
    else:
        flash(_("Signed off: revision %(n)s, locked.", n=row.revision))
    return redirect(url_for("organiser.ministry_page", province=province or "", period=period.key))


@bp.post("/ministry/unlock")
@organiser_required
def ministry_unlock():
    province, period = chosen_province(), _period()
    if period is None or not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form expired. Save again."))
    try:
        signoff.unlock(
            province, period, request.form.get("reason", ""), g.user.display_name or g.user.username
        )
    except signoff.SignoffError as exc:
        flash(
            _("Say why the period is unlocked.")
            if exc.code == "reason_needed"
            else _("The period is not signed off.")
        )
    else:
        flash(_("Unlocked: the report shows the live figures until it is signed off again."))
    return redirect(url_for("organiser.ministry_page", province=province or "", period=period.key))


@bp.get("/ministry.xlsx")
@organiser_required
def ministry_xlsx():
    province, period = chosen_province(), _period()
    if period is None:
        abort(400, description=_("Choose a period."))
    report, lock = _report(province, period)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Report")
    sheet.append([communes.province_name(province) if province else _("the whole country"), period.label()])
    if lock is not None:
        sheet.append(
            [
                _(
                    "Signed off on %(date)s by %(name)s",
                    date=lock.signed_at.date().isoformat(),
                    name=lock.signed_by,
                )
            ]
        )
    sheet.append([])
    header = [_("Figure"), period.label(), _("Same period a year earlier"), _("Target for the year")]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    labels = row_labels()
    for key in ministry_report.ROWS:
        target = report["targets"].get(ministry_report.TARGET_OF.get(key, ""), {}).get("target")
        sheet.append([labels[key], report["now"][key], report["before"][key], target])
    cases = report["now"]["complaints"]
    sheet.append([])
    sheet.append([_("Complaints")])
    for status, count in cases["by_status"].items():
        sheet.append([step_names()[status], count, report["before"]["complaints"]["by_status"][status]])
    sheet.append(
        [_("Success rate (percent)"), cases["success_rate"], report["before"]["complaints"]["success_rate"]]
    )
    sheet.append(
        [
            _("Money recovered (VND)"),
            cases["money_recovered"],
            report["before"]["complaints"]["money_recovered"],
        ]
    )
    survey = report["now"]["survey"]
    sheet.append([])
    sheet.append([_("Awareness survey"), survey["answers"]])
    sheet.append([_("Average score before the talk (percent)"), survey["pre"]])
    sheet.append([_("Average score after the talk (percent)"), survey["post"]])
    if report["by_province"]:
        rows = book.create_sheet(_("By province"))
        rows.append(
            [
                _("Province"),
                _("Sessions"),
                _("Participants"),
                _("Broadcasts"),
                _("Complaints"),
                _("Resolved (percent)"),
            ]
        )
        for r in report["by_province"]:
            rows.append(
                [
                    r["province"],
                    r["sessions"],
                    r["participants"],
                    r["broadcasts"],
                    r["complaints"],
                    r["resolved_share"],
                ]
            )
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    name = f"loa-report-{province or 'vn'}-{period.key}.xlsx"
    return send_file(
        out,
        as_attachment=True,
        download_name=name,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
