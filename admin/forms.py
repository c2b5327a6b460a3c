from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
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


class CustomerCancelForm(FlaskForm):
    """Cancelling one member: the reason is told to them in the email and kept on the
    timeline."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), max_length(500)],
        description=_l("Optional. The customer reads it in the email that tells them."),
        render_kw={"rows": 3},
    )


class CustomerBulkForm(FlaskForm):
    """One action for the ticked customers; the ids come as ``customer_ids`` (read by the
    view, which loads only this shop's rows)."""

    action = SelectField(
        _l("Action"),
        choices=[
            SelectChoice("approve", _l("Approve")),
            SelectChoice("cancel", _l("Cancel the account")),
        ],
        validators=[required()],
    )
    reason = StringField(_l("Reason for cancelling"), validators=[Optional(), max_length(500)])


class ShopSettingsForm(FlaskForm):
    name = StringField(_l("Shop name"), validators=[required(), max_length(120)])
    contact_email = EmailField(
        _l("Contact email"),
        validators=[required(), max_length(254)],
        description=_l("Shown to shoppers, and where they reply to the shop's emails."),
    )
    locale = SelectField(
        _l("Default language"),
        choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")],
        description=_l("The language of the storefront and of the emails the shop sends."),
    )
    auto_approve_members = BooleanField(_l("Approve new members automatically"))
    notify_staff_of_registrations = BooleanField(
        _l("Email the managers when a new member registers")
    )
