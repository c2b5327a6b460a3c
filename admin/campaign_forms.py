"""The forms of the shop's emails: writing one, and the time to send it. The checks that say
what is wrong (an empty subject, a placeholder we do not know) are the service's, shown
beside the field they name."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, StringField, TextAreaField

from core.forms import Form
from models import CampaignKind

KIND_CHOICES = [
    SelectChoice(
        CampaignKind.MARKETING.value,
        _l("Care and marketing: news, offers, greetings"),
    ),
    SelectChoice(CampaignKind.SERVICE.value, _l("Service: about an order or the account")),
]


class CampaignForm(Form):
    kind = RadioField(
        _l("Kind of email"),
        choices=KIND_CHOICES,
        default=CampaignKind.MARKETING.value,
        validate_choice=False,
    )
    subject = StringField(_l("Subject"))
    body = TextAreaField(_l("Message"))


class CampaignScheduleForm(Form):
    # A ``datetime-local`` input: the shop's own time, read by ``services.campaigns``.
    send_at = StringField(_l("Send on"))
