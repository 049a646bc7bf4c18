"""Login, logout, one's own password, accounts (create, disable, enable, reset) and devices.
Province organisers manage the accounts of their own province only (server/scope.py)."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import accounts, auth, communes, devices, scope
from ..extensions import db
from ..models import User
from ..strings import password_problems
from . import bp, organiser_required, pickers, problems
from .forms import ConfirmForm, LoginForm, PasswordForm, UserForm


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a login to another site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlparse(target).netloc:
        return target
    return url_for("organiser.home")


def too_many_attempts(seconds: int) -> str:
    return _("Too many attempts. Try again in %(seconds)s seconds.", seconds=seconds)


def password_problem(exc: accounts.PasswordRejected) -> str:
    """Why a password was refused, in the reader's language."""
    return password_problems()[f"password_{exc.code}"] % exc.params


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error, status, retry_after = None, 200, 0
    if form.validate_on_submit():
        username = form.username.data or ""
        outcome = auth.attempt_login(username, form.password.data or "", known=auth.known_here(username))
        if outcome.throttled:
            error, status, retry_after = too_many_attempts(outcome.retry_after), 429, outcome.retry_after
        elif outcome.user is None:
            error, status = _("Wrong username or password."), 401
        else:
            auth.start_session(outcome.user)
            target = _safe_next(request.args.get("next"))
            if outcome.user.must_change_password:
                target = url_for("organiser.change_password", next=target)
            return auth.remember_known(redirect(target), outcome.user.username)
    elif form.is_submitted():
        status = 400
    response = current_app.make_response(
        (render_template("organiser/login.html", form=form, error=error), status)
    )
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.post("/logout")
def logout():
    ConfirmForm().validate_on_submit() or abort(400, description="missing CSRF token")
    auth.end_session("logout")
    return redirect(url_for("organiser.login"))


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    """One's own new password: required after a reset, possible at any time."""
    user = auth.session_user()
    if user is None:
        return redirect(url_for("organiser.login", next=request.full_path))
    form = PasswordForm()
    error = None
    wait = auth.password_change_wait(user) if form.validate_on_submit() else 0
    if wait:
        error = too_many_attempts(wait)
    elif form.validate_on_submit():
        if form.new.data != form.repeat.data:
            error = password_problems()["password_mismatch"]
        else:
            try:
                changed = accounts.change_own_password(user, form.current.data or "", form.new.data or "")
            except accounts.PasswordRejected as exc:
                error = password_problem(exc)
            else:
                if not changed:
                    error = password_problems()["wrong_current_password"]
                else:  # every session ended, this one too: log in afresh with the new password
                    auth.start_session(user)
                    flash(_("Your password is changed. Every other login and phone must log in again."))
                    return redirect(_safe_next(request.args.get("next")))
    page = render_template(
        "organiser/password.html", form=form, error=error, forced=user.must_change_password
    )
    return page, (429 if wait else 400 if error or form.errors else 200)


@bp.route("/users", methods=["GET", "POST"])
@organiser_required
def users():
    form = UserForm()
    me = g.user
    pickers.fill_provinces(form.province, me)
    if not me.is_national:  # a province organiser makes accounts in their own province
        form.province.data = me.province_code
    error = None
    if form.validate_on_submit():
        try:
            scope.check_may_create(me, form.role.data, form.province.data)
            user = accounts.create_user(
                form.username.data,
                form.password.data,
                form.role.data,
                display_name=form.display_name.data or "",
                province_code=form.province.data,
                commune_codes=pickers.resolve_communes(form.communes.data, form.province.data),
            )
        except accounts.PasswordRejected as exc:
            error = password_problem(exc)
        except (accounts.AccountError, scope.OutOfScope, pickers.PickError) as exc:
            error = problems.say(exc)
        else:
            flash(_("Account %(name)s created.", name=user.username))
            return redirect(url_for("organiser.users"))
    return _users_page(form, error), (400 if error or form.errors else 200)


def _users_page(form: UserForm, error: str | None, temporary: tuple[str, str] | None = None) -> str:
    rows = db.session.execute(scope.users_query(g.user).order_by(User.role, User.username)).scalars().all()
    return render_template(
        "organiser/users.html",
        form=form,
        error=error,
        users=rows,
        confirm=ConfirmForm(),
        temporary=temporary,
        province_name=lambda c: communes.province_name(c) if c is not None else "-",
    )


def _managed_user(user_id: int) -> User:
    """The account, if the logged-in organiser may manage it: 404 otherwise (another province's
    accounts are not even said to exist)."""
    if not ConfirmForm().validate_on_submit():
        abort(400, description="missing CSRF token")
    user = db.session.get(User, user_id)
    if user is None or not scope.may_manage(g.user, user):
        abort(404, description="no such account")
    return user


@bp.post("/users/<int:user_id>/disable")
@organiser_required
def disable_user(user_id: int):
    user = _managed_user(user_id)
    if user.id == g.user.id:
        abort(400, description="you cannot disable your own account")
    accounts.disable(user)
    flash(_("Account %(name)s is disabled: its logins and phones are signed out.", name=user.username))
    return redirect(url_for("organiser.users"))


@bp.post("/users/<int:user_id>/enable")
@organiser_required
def enable_user(user_id: int):
    user = _managed_user(user_id)
    accounts.enable(user)
    flash(_("Account %(name)s can log in again.", name=user.username))
    return redirect(url_for("organiser.users"))


@bp.post("/users/<int:user_id>/reset")
@organiser_required
def reset_user_password(user_id: int):
    """A one-time password, shown once on this page, never stored in the clear."""
    user = _managed_user(user_id)
    temporary = accounts.reset_password(user)
    form = UserForm(formdata=None)
    pickers.fill_provinces(form.province, g.user)
    return _users_page(form, None, (user.username, temporary))


@bp.get("/devices")
@organiser_required
def devices_page():
    return render_template(
        "organiser/devices.html",
        devices=scope.visible_devices(g.user, devices.list_devices()),
        form=ConfirmForm(),
    )


@bp.post("/devices/<int:token_id>/revoke")
@organiser_required
def revoke_device(token_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400, description="missing CSRF token")
    token = devices.get(token_id)
    if token is None or not scope.visible_devices(g.user, [token]):
        abort(404, description="no such device")
    if devices.revoke(token_id):
        flash(
            _(
                "Device %(id)s can no longer send records. Its records stay on the phone until someone logs in.",
                id=token_id,
            )
        )
    return redirect(url_for("organiser.devices_page"))
