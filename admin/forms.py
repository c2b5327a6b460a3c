from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from models import Role


class StaffLoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Remember me"))


class StaffAddForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(Role.MANAGER.value, _l("Manager")),
            SelectChoice(Role.STAFF.value, _l("Staff")),
            SelectChoice(Role.OWNER.value, _l("Owner")),
        ],
        default=Role.STAFF.value,
    )
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(min=8, max=200)],
        description=_l("Needed only for a person who has no account yet."),
    )


class EmptyForm(FlaskForm):
    """CSRF only: logout and other one-button actions."""
