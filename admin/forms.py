from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import Optional

from core.forms import max_length, required
from models import Role


class StaffLoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[required(), max_length(254)])
    password = PasswordField(_l("Password"), validators=[required(), max_length(200)])
    remember = BooleanField(_l("Remember me"))


class StaffAddForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[required(), max_length(254)])
    name = StringField(_l("Name"), validators=[Optional(), max_length(120)])
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
        validators=[Optional(), max_length(200)],
        description=_l("Needed only for a person who has no account yet."),
    )


class EmptyForm(FlaskForm):
    """CSRF only: logout and other one-button actions."""
