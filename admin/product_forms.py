"""The catalog's admin forms. Amounts are text fields: the service reads ``1.250.000`` as
well as ``1250000`` and answers in the shop's language (WTForms' own number errors are
English only)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, MultipleFileField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional

from core.forms import Form, max_length, required


class ProductForm(Form):
    name = StringField(_l("Name"), validators=[required(), max_length(200)])
    slug = StringField(
        _l("Web address"),
        validators=[Optional(), max_length(80)],
        description=_l("Optional. Made from the name when left empty, e.g. ao-dai-lua."),
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), max_length(20000)], render_kw={"rows": 6}
    )
    price = StringField(
        _l("Price (₫)"), validators=[required()], render_kw={"inputmode": "numeric"}
    )
    compare_at_price = StringField(
        _l("Price before discount (₫)"),
        validators=[Optional()],
        description=_l("Optional. Shown struck through beside the price."),
        render_kw={"inputmode": "numeric"},
    )
    sku = StringField(_l("SKU"), validators=[Optional(), max_length(64)])
    track_stock = BooleanField(_l("Track stock"))
    stock = StringField(_l("Stock"), validators=[Optional()], render_kw={"inputmode": "numeric"})
    hidden = BooleanField(_l("Hidden from shoppers"))
    featured = BooleanField(_l("Featured on the home page"))
    # Choices are this shop's collections, set by the view; ids of any other are dropped.
    collections = SelectMultipleField(
        _l("Collections"), coerce=int, validate_choice=False, render_kw={"size": 4}
    )
    images = MultipleFileField(
        _l("Add images"),
        description=_l("JPEG, PNG or WebP, at most 5 MB each."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


class CollectionForm(Form):
    name = StringField(_l("Name"), validators=[required(), max_length(120)])
    slug = StringField(
        _l("Web address"),
        validators=[Optional(), max_length(80)],
        description=_l("Optional. Made from the name when left empty."),
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), max_length(5000)], render_kw={"rows": 3}
    )
