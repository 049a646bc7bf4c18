"""The data quality panel: devices and what became of their records; quarantine and release a
device; void one record with a reason."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import amendments, data_quality, provenance, quiz_tallies, scope
from ..sync import RecordInvalid
from ..web import get_content
from . import bp, organiser_required
from .forms import ConfirmForm


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400, description="missing CSRF token")


def _reason() -> str:
    return (request.form.get("reason") or "").strip()[:300]


def _names() -> dict[str, str]:
    """Quizzes' titles and languages' names in the organiser's language, by id."""
    content = get_content()
    names = {code: lang.name for code, lang in content.languages.items()}
    for quiz_id in content.quiz_ids():
        found = content.quiz(g.lang, quiz_id)
        if found is not None:
            names[quiz_id] = found.value.title
    return names


def _visible_device(device_id: str):
    """The device, if the organiser may see it (a province organiser: its accounts' phones
    only); 404 otherwise."""
    device = provenance.known_device(device_id)
    mine = scope.province_of(g.user)
    if device is not None and mine is not None and device.user_id not in scope.user_ids_of_province(mine):
        device = None
    if device is None:
        abort(404, description="no such device")
    return device


@bp.get("/data-quality")
@organiser_required
def data_quality_page():
    national = scope.is_national(g.user)
    quality = data_quality.device_quality(scope.province_of(g.user))
    return render_template(
        "organiser/quality.html",
        quality=quality,
        summary=data_quality.summary(quality),
        web_clients=data_quality.web_clients() if national else [],
        over_attendance=quiz_tallies.over_attendance(scope.province_of(g.user)),
        names=_names(),
        form=ConfirmForm(),
        late_days=data_quality.LATE_DAYS,
    )


@bp.get("/data-quality/<device_id>")
@organiser_required
def device_records_page(device_id: str):
    device = _visible_device(device_id)
    return render_template(
        "organiser/device_records.html",
        device=device,
        receipt=provenance.receipt(device_id),
        records=data_quality.device_records(device_id, _names()),
        form=ConfirmForm(),
    )


@bp.post("/data-quality/<device_id>/quarantine")
@organiser_required
def quarantine_device(device_id: str):
    _confirmed()
    if not device_id.startswith(provenance.WEB_PREFIX) or not scope.is_national(g.user):
        _visible_device(device_id)
    reason = _reason()
    if not reason:
        flash(_("Say why the device is quarantined."))
    elif provenance.quarantine(device_id, reason, g.user.id):
        flash(
            _(
                "Everything device %(device)s sent is now left out of the figures. It is kept: you can release it.",
                device=device_id[:13],
            )
        )
    return redirect(url_for("organiser.data_quality_page"))


@bp.post("/data-quality/<device_id>/release")
@organiser_required
def release_device(device_id: str):
    _confirmed()
    _visible_device(device_id)
    if provenance.release(device_id):
        flash(_("Device %(device)s counts again.", device=device_id[:13]))
    return redirect(url_for("organiser.data_quality_page"))


def void_error(exc: RecordInvalid) -> str:
    messages = {
        "unknown_record": _("There is no record with this id."),
        "cannot_amend_amendment": _("A correction or a void cannot be voided."),
        "no_reason": _("Say why the record is voided."),
    }
    return messages.get(exc.code, _("This record cannot be voided."))


@bp.post("/records/<record_id>/void")
@organiser_required
def void_record(record_id: str):
    _confirmed()
    try:
        scope.check_province(g.user, scope.record_province(record_id))
    except scope.OutOfScope:
        abort(404, description="no such record")
    try:
        amendments.void_by_organiser(record_id, _reason(), g.user)
    except RecordInvalid as exc:
        flash(void_error(exc))
    else:
        flash(
            _(
                "Record %(record)s is voided: it is kept, with your reason, and no longer counted.",
                record=record_id[:8],
            )
        )
    if request.form.get("back") == "activities":
        return redirect(url_for("organiser.activities_page"))
    if request.form.get("back") == "complaints":
        return redirect(url_for("organiser.complaints_page"))
    back = request.form.get("device")
    if back and provenance.known_device(back):
        return redirect(url_for("organiser.device_records_page", device_id=back))
    return redirect(url_for("organiser.data_quality_page"))
