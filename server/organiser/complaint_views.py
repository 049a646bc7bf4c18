"""Organisers handle complaints: the province's cases with their legal deadlines (overdue ones
flagged), each case with its steps, and a form to take the next step, dated and signed. The
contact and the photos show only to the people handling the case and the province's organisers."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from flask import abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from .. import complaints, scope, sync
from ..complaint_names import outcome_names, step_names, transfer_names
from ..devices import actor_of_user
from ..extensions import db
from ..models import COMPLAINT_STEPS, TRANSFER_TO, Complaint, ComplaintPhoto
from ..reports import ReportFilter
from ..web import get_content
from . import bp, organiser_required, problems
from .forms import ConfirmForm


def _case(case_id: str) -> Complaint:
    """The case, if the organiser's province holds it (404 otherwise: its existence is not said)."""
    case = db.session.get(Complaint, case_id)
    if case is None:
        abort(404, description=_("There is no such complaint."))
    mine = scope.province_of(g.user)
    if mine is not None and case.province_code != mine:
        abort(404, description=_("There is no such complaint."))
    return case


@bp.get("/complaints")
@organiser_required
def complaints_page():
    complaints.purge_personal_data(current_app.config["COMPLAINT_RETENTION_DAYS"])
    province = scope.province_of(g.user)
    status = request.args.get("status") if request.args.get("status") in COMPLAINT_STEPS else None
    overdue = request.args.get("overdue") == "1"
    return render_template(
        "organiser/complaints.html",
        cases=complaints.listed(province, status, overdue),
        figures=complaints.figures(ReportFilter(province=province)),
        status=status,
        overdue=overdue,
        steps=step_names(),
    )


@bp.route("/complaints/<case_id>", methods=["GET", "POST"])
@organiser_required
def complaint_page(case_id: str):
    case = _case(case_id)
    confirm = ConfirmForm()
    error, status = "", 200
    if request.method == "POST":
        if not confirm.validate_on_submit():
            error, status = _("The form expired. Save again."), 400
        else:
            form = request.form
            data: dict = {
                "complaint_id": case.id,
                "step": form.get("step", ""),
                "taken_at": dt.datetime.now(dt.UTC).isoformat(),
                "note": form.get("note", ""),
            }
            if data["step"] == "transferred":
                data["transferred_to"] = form.get("transferred_to", "")
            if data["step"] == "resolved":
                money = form.get("money_recovered", "").replace(".", "").replace(",", "").strip() or "0"
                data["money_recovered"] = int(money) if money.isdigit() else money
            record = {
                "id": str(uuid.uuid4()),
                "type": "complaint_step",
                "created_at": data["taken_at"],
                "data": data,
            }
            result = sync.ingest([record], actor_of_user(g.user), get_content())
            if result.accepted:
                flash(_("Step saved: %(step)s.", step=step_names().get(data["step"], data["step"])))
                return redirect(url_for("organiser.complaint_page", case_id=case.id))
            problem = result.rejected[0]
            error, status = _problem(problem), 400
        db.session.refresh(case)
    personal = complaints.sees_personal_data(g.user, case)
    return (
        render_template(
            "organiser/complaint.html",
            case=case,
            steps=complaints.steps_of(case.id),
            due=case.due_at,
            now=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            personal=personal,
            photos=complaints.photos_of(case) if personal else [],
            step_names=step_names(),
            transfer_names=transfer_names(),
            outcome_names=outcome_names(),
            next_steps=[s for s in COMPLAINT_STEPS[1:] if _may_follow(s, case)],
            transfer_to=TRANSFER_TO,
            confirm=confirm,
            error=error,
        ),
        status,
    )


def _may_follow(step: str, case: Complaint) -> bool:
    try:
        complaints.check_step(step, case.status_at, case.status, case.status_at)
    except complaints.RecordInvalid:
        return False
    return True


def _problem(item: dict) -> str:
    return problems.rejection(
        item,
        {
            "step_out_of_order": _("This step cannot follow the case's last step."),
            "step_before_previous": _("This step is dated before the case's last step."),
            "case_finished": _("The case is already resolved or closed: nothing follows."),
            "bad_choice": _("Choose a step (and where the case was transferred to)."),
        },
    )


@bp.get("/complaints/<case_id>/photos/<photo_id>")
@organiser_required
def complaint_photo(case_id: str, photo_id: str):
    case = _case(case_id)
    if not complaints.sees_personal_data(g.user, case) or photo_id not in [
        p["id"] for p in complaints.photos_of(case)
    ]:
        abort(404, description=_("There is no such photo."))
    photo = db.session.get(ComplaintPhoto, photo_id)
    if photo is None or not photo.complete:
        abort(404, description=_("This photo has not arrived yet."))
    return send_file(io.BytesIO(photo.data), mimetype=photo.mimetype, download_name=f"{photo_id}.img")
