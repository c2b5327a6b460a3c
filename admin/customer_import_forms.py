"""The forms of an import: the upload, then the mapping of each column and the options.

A column's field is posted as ``column_<index>`` (blank: ignore the column); the columns are
as many as the file has, so they are read from the posted data beside the form's fields."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectChoice, SelectField, StringField

from core.forms import Form, max_length, required
from models import CustomerStatus

# What each field is called in the mapping's lists.
FIELD_LABELS = {
    "code": _l("Customer code"),
    "full_name": _l("Full name (split into last and first name)"),
    "last_name": _l("Last name"),
    "first_name": _l("First name"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "other_phones": _l("Other phones"),
    "gender": _l("Gender"),
    "birthday": _l("Birthday"),
    "company": _l("Company"),
    "group": _l("Customer group"),
    "tags": _l("Tags"),
    "accepts_marketing": _l("Accepts marketing emails"),
    "address": _l("Address"),
    "ward": _l("Ward"),
    "district": _l("District (old address)"),
    "province": _l("Province"),
    "country_code": _l("Country code"),
    "country": _l("Country"),
    "note": _l("Note (kept as an internal note)"),
    "total_spent": _l("Total spent"),
    "orders_count": _l("Total orders"),
}


class ImportUploadForm(Form):
    file = FileField(
        _l("Customer file (.xlsx or .csv)"),
        validators=[FileRequired(message=_l("Please choose a file."))],
    )


class ImportOptionsForm(Form):
    on_duplicate = SelectField(
        _l("A customer already in the shop (same code, email or phone)"),
        choices=[
            SelectChoice("skip", _l("Skip the row")),
            SelectChoice("update", _l("Overwrite the existing customer")),
            SelectChoice("create", _l("Add as a new customer (same phone only)")),
        ],
        default="skip",
        validators=[required()],
    )
    status = SelectField(
        _l("Status of new customers"),
        choices=[
            SelectChoice(CustomerStatus.GUEST, _l("Guest")),
            SelectChoice(CustomerStatus.TEMPORARY, _l("Temporary member")),
            SelectChoice(CustomerStatus.OFFICIAL, _l("Official member")),
        ],
        default=CustomerStatus.GUEST,
        validators=[required()],
    )
    tags = StringField(
        _l("Tags for every imported customer"),
        description=_l("Comma separated, e.g. Nhập từ Sapo, VIP."),
        validators=[max_length(300)],
    )
    keep_totals = BooleanField(
        _l("Keep total spent and total orders from the file"),
        description=_l("For moving from another system; otherwise totals come from orders."),
    )


def posted_mapping(data, columns):
    """``{column index: field}`` from the posted ``column_<index>`` values."""
    mapping = {}
    for index in range(columns):
        key = data.get(f"column_{index}", "")
        if key:
            mapping[index] = key
    return mapping
