"""The forms of exporting customers: the export itself, from the list (its filter, page and
ticked ids are read by the view, as the list's bulk form's are), and the templates a shop
saves (a name and columns in an order)."""

from flask import current_app
from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectChoice, SelectField, StringField
from wtforms.validators import ValidationError

from core.forms import Form, max_length, required
from services.customer_sheet import BY_KEY, COLUMNS
from services.export_templates import NAME_MAX, templates_of

BUILT_IN_TEMPLATES = [
    SelectChoice("default", _l("Our import template")),
    SelectChoice("shopify", _l("Shopify")),
]
# The most a position box takes: far more than there are columns.
MAX_POSITION = 999


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
        choices=BUILT_IN_TEMPLATES,
        default="default",
        validators=[required()],
        invalid_choice_message=_l(
            "This export template is not one of the shop's any more: choose another."
        ),
    )

    def __init__(self, *args, templates=(), **kwargs):
        """``templates``: the shop's saved ones, offered after ours (values are their ids)."""
        super().__init__(*args, **kwargs)
        saved = _l("Saved templates")
        self.template.choices = [
            *BUILT_IN_TEMPLATES,
            *(SelectChoice(str(t.id), t.name, optgroup=saved) for t in templates),
        ]


def export_form(shop, **kwargs):
    """The export form of ``shop``, with its saved templates among the choices."""
    return CustomerExportForm(templates=templates_of(shop), **kwargs)


def export_menu(shop):
    """What the customer list's export menu shows: its form, and from how many customers
    the file is emailed instead of downloaded."""
    return {
        "export_form": export_form(shop, formdata=None),
        "export_max_download": format_number(current_app.config["EXPORT_MAX_DOWNLOAD_ROWS"]),
    }


class ColumnOrderField(Field):
    """The columns a template writes: the ticked boxes (``columns``, a key each), in the
    order of the numbers typed beside them (``position-<key>``); a ticked column without a
    number comes after the numbered ones, in the order the page listed it. So the form
    works without JavaScript, and a client may also just post ``columns`` in order."""

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        self.positions = {}
        if formdata is None:
            self.data = list(data or [])
            self.positions = {key: n for n, key in enumerate(self.data, start=1)}
            return
        ticked = list(dict.fromkeys(formdata.getlist(self.name)))
        for key in BY_KEY:
            raw = (formdata.get(f"position-{key}") or "").strip()
            if not raw:
                continue
            readable = raw.isascii() and raw.isdigit() and len(raw) <= len(str(MAX_POSITION))
            if not readable or not 1 <= int(raw) <= MAX_POSITION:
                self.process_errors.append(_l("Number the columns with whole numbers: 1, 2, 3…"))
                break
            self.positions[key] = int(raw)
        unnumbered = MAX_POSITION + 1
        self.data = sorted(
            ticked, key=lambda key: (self.positions.get(key, unnumbered), ticked.index(key))
        )

    def pre_validate(self, form):
        if not self.data:
            raise ValidationError(_l("Tick at least one column."))
        if any(key not in BY_KEY for key in self.data):
            raise ValidationError(_l("Choose columns from the list."))

    def rows(self):
        """(column, ticked, position) for the page: the chosen columns first, in their
        order, then the others as ``COLUMNS`` lists them."""
        chosen = [BY_KEY[key] for key in self.data if key in BY_KEY]
        others = [column for column in COLUMNS if column.key not in self.data]
        return [(c, True, self.positions.get(c.key, "")) for c in chosen] + [
            (c, False, self.positions.get(c.key, "")) for c in others
        ]


class ExportTemplateForm(Form):
    name = StringField(_l("Template name"), validators=[required(), max_length(NAME_MAX)])
    columns = ColumnOrderField(_l("Columns of the file"))
