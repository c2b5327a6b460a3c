"""The voucher form of ``/<shop>/admin/vouchers``. The field names are the contract's
(``code``, ``kind``, ``value``, ``max_discount``, ``min_order_total``, ``starts_at``,
``ends_at``, ``usage_limit``, ``per_customer_limit``, ``customer_tags``, ``customer_ids``,
``free_shipping``, ``active``); every value is checked by ``services.vouchers``, which says
what is wrong beside the field it names."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectChoice, SelectMultipleField, StringField

from core.forms import Form
from models import VoucherKind


class VoucherForm(Form):
    code = StringField(
        _l("Code"),
        description=_l(
            "Letters, digits and hyphens, such as TET-2027. Leave it blank for one to be made."
        ),
        render_kw={"autocapitalize": "characters", "spellcheck": "false"},
    )
    kind = RadioField(
        _l("Discount"),
        choices=[
            SelectChoice(VoucherKind.AMOUNT.value, _l("An amount in đồng")),
            SelectChoice(VoucherKind.PERCENT.value, _l("A percent of the goods")),
        ],
        default=VoucherKind.AMOUNT.value,
        validate_choice=False,
    )
    value = StringField(
        _l("Value"),
        description=_l("đồng (such as 50.000) or a percent from 1 to 100."),
        render_kw={"inputmode": "numeric"},
    )
    max_discount = StringField(
        _l("Largest discount (for a percent)"),
        description=_l("Optional, in đồng."),
        render_kw={"inputmode": "numeric"},
    )
    min_order_total = StringField(
        _l("Minimum goods total"),
        description=_l("Before shipping. Blank: any order."),
        render_kw={"inputmode": "numeric"},
    )
    starts_at = StringField(_l("From"), render_kw={"type": "datetime-local"})
    ends_at = StringField(_l("Until"), render_kw={"type": "datetime-local"})
    usage_limit = StringField(
        _l("Uses in all"),
        description=_l("Blank: no limit."),
        render_kw={"inputmode": "numeric"},
    )
    per_customer_limit = StringField(
        _l("Uses per customer"), default="1", render_kw={"inputmode": "numeric"}
    )
    customer_tags = SelectMultipleField(
        _l("Only customers with one of these tags"),
        # Checked by the service against the shop's own tags.
        validate_choice=False,
    )
    customer_ids = StringField(
        _l("Only these customers"),
        description=_l("Customer codes (such as KH000123), separated by commas. Blank: everyone."),
    )
    free_shipping = BooleanField(_l("Free shipping"))
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.customer_tags.choices = [SelectChoice(str(tag.id), tag.name) for tag in tags]

    def values(self, customer_ids):
        """The service's keywords; ``customer_ids`` as posted (every value of the name)."""
        fields = (
            "code kind value max_discount min_order_total starts_at ends_at usage_limit "
            "per_customer_limit customer_tags free_shipping active"
        ).split()
        return {**{name: self[name].data for name in fields}, "customer_ids": customer_ids}
