"""The admin's order forms: moving an order on, and marking it paid (CSRF only)."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField

from core.forms import Form, required
from services.order_status import STATUS_LABELS


class OrderStatusForm(Form):
    """The new status. Every status is a choice; the service refuses the moves the order's
    status does not allow, with a message that says why."""

    status = SelectField(
        _l("New status"),
        choices=[SelectChoice(str(value), label) for value, label in STATUS_LABELS.items()],
        validators=[required()],
    )


class OrderPaidForm(Form):
    """CSRF only: the money arrived."""
