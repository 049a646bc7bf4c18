"""Organiser forms (Flask-WTF: CSRF token on every one)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..models import ORGANISER, STAFF
from .pickers import communes_field, province_field


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
    province = province_field()
    communes = communes_field(
        _l("Communes, by name or code (separated by commas or new lines; empty: the whole province)")
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
