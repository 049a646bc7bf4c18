"""Login, logout, accounts and devices."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from .. import accounts, communes, devices
from ..api.requests import limiter
from ..extensions import db
from ..models import User
from . import bp, organiser_required
from .forms import ConfirmForm, LoginForm, UserForm


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a login to another site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlparse(target).netloc:
        return target
    return url_for("organiser.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        allowed, wait = limiter("login", current_app.config["LOGIN_RATE_PER_MINUTE"]).allow(
            request.remote_addr or "-"
        )
        if not allowed:
            error = _("Too many attempts. Try again in %(seconds)s seconds.", seconds=wait)
        else:
            user = accounts.authenticate(form.username.data, form.password.data)
            if user is None:
                error = _("Wrong username or password.")
            else:
                session.clear()
                session.permanent = True
                session["user_id"] = user.id
                session["auth"] = user.password_hash[-16:]
                return redirect(_safe_next(request.args.get("next")))
    status = 429 if error and "seconds" in error else (401 if error else 200)
    return render_template("organiser/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    ConfirmForm().validate_on_submit() or abort(400, description="missing CSRF token")
    session.clear()
    return redirect(url_for("organiser.login"))


def _parse_codes(text: str) -> list[int]:
    codes = []
    for word in re.split(r"[\s,;]+", text or ""):
        if not word:
            continue
        if not communes.is_code(word):
            raise accounts.AccountError(f"commune code '{word}' is not a number")
        codes.append(int(word))
    return codes


@bp.route("/users", methods=["GET", "POST"])
@organiser_required
def users():
    form = UserForm()
    error = None
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.username.data,
                form.password.data,
                form.role.data,
                display_name=form.display_name.data or "",
                province_code=form.province.data,
                commune_codes=_parse_codes(form.communes.data),
            )
        except accounts.AccountError as exc:
            error = str(exc)
        else:
            flash(_("Account %(name)s created.", name=user.username))
            return redirect(url_for("organiser.users"))
    rows = db.session.execute(db.select(User).order_by(User.role, User.username)).scalars().all()
    return render_template(
        "organiser/users.html",
        form=form,
        error=error,
        users=rows,
        province_name=lambda c: communes.province_name(c) if c is not None else "-",
    ), (400 if error or form.errors else 200)


@bp.get("/devices")
@organiser_required
def devices_page():
    return render_template("organiser/devices.html", devices=devices.list_devices(), form=ConfirmForm())


@bp.post("/devices/<int:token_id>/revoke")
@organiser_required
def revoke_device(token_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400, description="missing CSRF token")
    if devices.revoke(token_id):
        flash(
            _(
                "Device %(id)s can no longer send records. Its records stay on the phone until someone logs in.",
                id=token_id,
            )
        )
    return redirect(url_for("organiser.devices_page"))
