"""The form that exports customers from the list (its filter, page and ticked ids are read by
the view, as the list's bulk form's are)."""

from flask import current_app
from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField

from core.forms import Form, required


class CustomerExportForm(Form):
    scope = SelectField(
        _l("Which customers"),
        choices=[
            SelectChoice("page", _l("This page")),
            SelectChoice("filter", _l("All matching the filter")),
            SelectChoice("selected", _l("The selected customers")),
            SelectChoice("all", _l("All customers")),
        ],
        default="page",
        validators=[required()],
    )
    format = SelectField(
        _l("File"),
        choices=[
            SelectChoice("xlsx", _l("Excel (.xlsx)")),
            SelectChoice("csv", _l("CSV (.csv)")),
            SelectChoice("txt", _l("Text, tab-separated (.txt)")),
        ],
        default="xlsx",
        validators=[required()],
    )
    template = SelectField(
        _l("File template"),
        choices=[
            SelectChoice("default", _l("Our import template")),
            SelectChoice("shopify", _l("Shopify")),
        ],
        default="default",
        validators=[required()],
    )


def export_menu(shop):
    """What the customer list's export menu shows: its form, and from how many customers
    the file is emailed instead of downloaded."""
    return {
        "export_form": CustomerExportForm(formdata=None),
        "export_max_download": format_number(current_app.config["EXPORT_MAX_DOWNLOAD_ROWS"]),
    }
