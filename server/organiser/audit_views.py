"""The audit log page and its CSV export: national organisers only."""

from __future__ import annotations

from flask import Response, abort, g, render_template, request
from flask_babel import lazy_gettext as _l

from .. import audit, scope
from . import bp, organiser_required

ACTION_NAMES = {
    audit.USER_CREATED: _l("Account created"),
    audit.USER_DISABLED: _l("Account disabled"),
    audit.USER_ENABLED: _l("Account enabled"),
    audit.PASSWORD_SET: _l("Password set"),
    audit.PASSWORD_RESET: _l("Password reset"),
    audit.PASSWORD_CHANGED: _l("Password changed by its owner"),
    audit.DEVICE_REVOKED: _l("Device revoked"),
    audit.DEVICE_QUARANTINED: _l("Device quarantined"),
    audit.DEVICE_RELEASED: _l("Device released"),
    audit.RECORD_VOIDED: _l("Record voided"),
    audit.EVENT_SAVED: _l("Event saved"),
    audit.CONTACTS_SAVED: _l("Province contacts saved"),
    audit.AREAS_SAVED: _l("Commune classification saved"),
    audit.TARGETS_SAVED: _l("Targets saved"),
    audit.PERIOD_SIGNED: _l("Report signed off"),
    audit.PERIOD_UNLOCKED: _l("Signed-off report unlocked"),
    audit.EVENT_DELETED: _l("Event deleted"),
    audit.CONTENT_PUBLISHED: _l("Content published"),
    audit.CONTENT_SAVED: _l("Content draft saved"),
    audit.CONTENT_ROLLED_BACK: _l("Content rolled back"),
    audit.CONTENT_ROLES_SET: _l("Content roles changed"),
}


def _national_only() -> str | None:
    if not scope.is_national(g.user):
        abort(403, description="the audit log is for national organisers")
    action = request.args.get("action") or None
    if action is not None and action not in audit.ACTIONS:
        abort(400, description=f"action '{action}' is not one of {', '.join(audit.ACTIONS)}")
    return action


@bp.get("/audit")
@organiser_required
def audit_page():
    action = _national_only()
    return render_template(
        "organiser/audit.html", entries=audit.entries(action), action=action, names=ACTION_NAMES
    )


@bp.get("/audit.csv")
@organiser_required
def audit_export():
    action = _national_only()
    return Response(
        audit.as_csv(audit.entries(action, limit=None)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=loa-audit-log.csv"},
    )
