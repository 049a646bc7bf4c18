"""Organiser forms (Flask-WTF: CSRF token on every one)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..models import ORGANISER, STAFF


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=64)])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(STAFF, _l("Commune staff")), SelectChoice(ORGANISER, _l("Organiser"))],
    )
    province = IntegerField(_l("Province code"), validators=[Optional()])
    communes = TextAreaField(
        _l("Commune codes (separated by spaces or commas; empty: the whole province)"),
        validators=[Optional(), Length(max=20000)],
    )
    password = PasswordField(
        _l("Password (staff at least 10 characters, organisers 12)"),
        validators=[DataRequired(), Length(max=200)],
    )


class PasswordForm(FlaskForm):
    """Choosing one's own new password (after a reset, or at any time)."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    repeat = PasswordField(_l("New password again"), validators=[DataRequired(), Length(max=200)])


class ConfirmForm(FlaskForm):
    """An empty form: a button that needs the CSRF token."""
