from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import EqualTo, Optional

from admin.customer_filters import GENDER_LABELS
from core.forms import BirthdayField, Form, max_length, required
from models import Role
from services.notes import MAX_NOTE
from services.places import province_names


class StaffLoginForm(Form):
    email = EmailField(_l("Email"), validators=[required(), max_length(254)])
    password = PasswordField(_l("Password"), validators=[required(), max_length(200)])
    remember = BooleanField(_l("Remember me"))


class StaffInviteForm(Form):
    """An owner invites a person by email; they join by accepting the emailed link."""

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


class StaffRoleForm(Form):
    new_role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(Role.MANAGER.value, _l("Manager")),
            SelectChoice(Role.STAFF.value, _l("Staff")),
            SelectChoice(Role.OWNER.value, _l("Owner")),
        ],
    )


class InvitationLoginForm(Form):
    """The invited person's existing account: its password, to log in and accept."""

    password = PasswordField(
        _l("Password"),
        validators=[required(), max_length(200)],
        render_kw={"autocomplete": "current-password"},
    )


class InvitationJoinForm(Form):
    """A new person: the name the shop sees and the password of the new account."""

    name = StringField(
        _l("Your name"),
        validators=[required(), max_length(120)],
        render_kw={"autocomplete": "name"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[required(), max_length(200)],
        description=_l("At least 8 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            required(),
            EqualTo("password", message=_l("The two passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class CustomerCancelForm(Form):
    """Cancelling one member: the reason is told to them in the email and kept on the
    timeline."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), max_length(500)],
        description=_l("Optional. The customer reads it in the email that tells them."),
        render_kw={"rows": 3},
    )


class CustomerBulkForm(Form):
    """One action for the ticked customers; the ids come as ``customer_ids`` (read by the
    view, which loads only this shop's rows)."""

    action = SelectField(
        _l("Action"),
        choices=[
            SelectChoice("approve", _l("Approve")),
            SelectChoice("cancel", _l("Cancel the account")),
            SelectChoice("add_tag", _l("Add a tag")),
            SelectChoice("remove_tag", _l("Remove a tag")),
            SelectChoice("set_group", _l("Set the group")),
            SelectChoice("assign_staff", _l("Assign to a staff member")),
            SelectChoice("delete", _l("Delete")),
        ],
        validators=[required()],
    )
    # The ticked rows, or every customer matching the filter the form carries.
    scope = SelectField(
        _l("Customers"),
        choices=[
            SelectChoice("selected", _l("Selected")),
            SelectChoice("filter", _l("All matching")),
        ],
        default="selected",
        validate_choice=False,
    )
    reason = StringField(_l("Reason for cancelling"), validators=[Optional(), max_length(500)])
    target_tag = StringField(_l("Tag"), validators=[Optional(), max_length(60)])
    target_group = StringField(_l("Group"), validators=[Optional(), max_length(20)])
    target_staff = StringField(_l("Staff member"), validators=[Optional(), max_length(20)])


GENDER_CHOICES = [SelectChoice("", "—")] + [
    SelectChoice(value, label) for value, label in GENDER_LABELS.items()
]


class CustomerContactForm(Form):
    """A customer's contact as the shop's staff edit it. The service checks the email, the
    group and the staff member (choices are not checked here: the service says why one is
    refused); ``assigned_staff`` is taken out for a ``staff`` role, who may not change it."""

    last_name = StringField(_l("Last name"), validators=[Optional(), max_length(100)])
    first_name = StringField(_l("First name"), validators=[required(), max_length(100)])
    email = EmailField(
        _l("Email"),
        validators=[Optional(), max_length(254)],
        description=_l("A member's new address must be confirmed again: we email them a link."),
    )
    gender = SelectField(_l("Gender"), choices=GENDER_CHOICES, default="", validate_choice=False)
    birthday = BirthdayField(_l("Date of birth"), validators=[Optional()])
    company = StringField(_l("Company"), validators=[Optional(), max_length(200)])
    accepts_marketing = BooleanField(_l("Accepts marketing emails"))
    group = SelectField(_l("Group"), default="", validate_choice=False)
    assigned_staff = SelectField(_l("Assigned to"), default="", validate_choice=False)

    def __init__(self, *args, groups=(), staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = [SelectChoice("", _l("No group"))] + [
            SelectChoice(str(group.id), group.name) for group in groups
        ]
        self.assigned_staff.choices = [SelectChoice("", _l("Nobody"))] + [
            SelectChoice(str(person.id), person.display_name) for person in staff
        ]


class CustomerPhoneForm(Form):
    number = TelField(_l("Add a phone number"), validators=[required(), max_length(30)])


class CustomerAddressForm(Form):
    """One address of a customer's book; the service checks and normalises it."""

    full_name = StringField(_l("Recipient's name"), validators=[required(), max_length(200)])
    phone = TelField(_l("Phone number"), validators=[Optional(), max_length(30)])
    province = SelectField(_l("Province or city"), validators=[required()], validate_choice=False)
    ward = StringField(_l("Ward or commune"), validators=[required(), max_length(120)])
    line1 = StringField(_l("House number, street"), validators=[required(), max_length(255)])
    district = StringField(
        _l("District (old addresses only)"), validators=[Optional(), max_length(120)]
    )
    is_default = BooleanField(_l("Set as default"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province.choices = [SelectChoice("", _l("Choose a province or city"))] + [
            SelectChoice(name, name) for name in province_names()
        ]


class ShopSettingsForm(Form):
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
    # Amounts are text, read as 30000 or 30.000 by the view, which also says when one is
    # missing (WTForms' own number errors are English only); a field left out of the post
    # keeps the shop's value.
    shipping_fee = StringField(
        _l("Shipping fee (₫)"),
        validators=[Optional(), max_length(20)],
        description=_l("One flat fee per order. 0: shipping is always free."),
        render_kw={"inputmode": "numeric"},
    )
    free_shipping_threshold = StringField(
        _l("Free shipping from (₫)"),
        validators=[Optional(), max_length(20)],
        description=_l("Orders of at least this amount ship free. Leave empty: never free."),
        render_kw={"inputmode": "numeric"},
    )
    bank_details = TextAreaField(
        _l("Bank details for transfers"),
        validators=[Optional(), max_length(1000)],
        description=_l(
            "Bank, account number and account name, shown to shoppers who pay by transfer."
        ),
        render_kw={"rows": 3},
    )
    refusal_tag_threshold = StringField(
        _l("Tag “hay hoàn” after this many refused parcels"),
        validators=[Optional(), max_length(4)],
        description=_l("A customer who refused this many COD parcels is tagged. 0: never."),
        render_kw={"inputmode": "numeric"},
    )


class TagForm(Form):
    """A tag's new name; the name of another tag of the shop merges the two."""

    name = StringField(_l("Name"), validators=[required(), max_length(60)])


class CustomerTagsForm(Form):
    """A customer's whole list of tags, comma-separated (the page's script edits it as
    chips)."""

    tags = StringField(
        _l("Tags"),
        validators=[Optional(), max_length(2000)],
        description=_l("Separate the tags with commas."),
    )


class CustomerNoteForm(Form):
    """An internal note on a customer, new or edited: the shopper never sees it."""

    body = TextAreaField(_l("Note"), validators=[max_length(MAX_NOTE)], render_kw={"rows": 3})


class TagMergeForm(Form):
    target = StringField(_l("Merge into"), validators=[required(), max_length(60)])


class GroupForm(Form):
    name = StringField(_l("Group name"), validators=[required(), max_length(100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), max_length(2000)])


# The two records of a merge: ``a`` the one it was started from, ``b`` the other.
MERGE_SIDES = [SelectChoice("a", "a"), SelectChoice("b", "b")]


class MergeSideField(RadioField):
    """``a`` or ``b``; a detail left out (None) keeps the kept record's value."""

    def pre_validate(self, form):
        if self.data is not None:
            super().pre_validate(form)


def merge_side(label):
    return MergeSideField(label, choices=MERGE_SIDES)


class CustomerMergeForm(Form):
    """Which record is kept, and for each detail whose value wins (the names of the fields
    are those of ``services.customer_merge.FIELDS``)."""

    keep = RadioField(_l("Record to keep"), choices=MERGE_SIDES, validators=[required()])
    names = merge_side(_l("Name"))
    email = merge_side(_l("Email"))
    gender = merge_side(_l("Gender"))
    birthday = merge_side(_l("Birthday"))
    company = merge_side(_l("Company"))
    group = merge_side(_l("Group"))
    assigned_staff = merge_side(_l("Assigned to"))
    accepts_marketing = merge_side(_l("Marketing emails"))
    status = merge_side(_l("Status"))
