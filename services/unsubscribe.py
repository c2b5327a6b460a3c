"""A customer's consent to marketing email, changed by the link every marketing email carries.

The link's token names one customer of one shop, signed with the app's secret: nobody can
make one for another customer, and it needs no row of its own. It does not expire, as the
unsubscribe link of an email read a year later must still work (a new ``SECRET_KEY`` turns
every old link into "not valid"). Whoever holds the link may unsubscribe and subscribe again,
without logging in, which is what the link is for; it shows nothing but the shop's name and
a masked address."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from core.extensions import db
from core.tenancy import for_shop
from core.urls import external_url
from models import Customer
from services import ServiceError, events
from services.customers import set_marketing

# Where the change came from, as ``marketing_consent_source`` and the timeline keep it.
ONE_CLICK = "one_click"  # the mail app's own button (List-Unsubscribe-Post, RFC 8058)
LINK = "link"  # the page the link in the email opens
CONSENT_SOURCE = "unsubscribe_link"
MAX_TOKEN = 200


class BadUnsubscribeToken(ServiceError):
    pass


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="customer-unsubscribe")


def make_token(customer):
    return _serializer().dumps({"s": customer.shop_id, "c": customer.id})


def unsubscribe_url(shop, customer):
    """The customer's own unsubscribe link, for a marketing email to them."""
    return external_url("storefront.unsubscribe", shop=shop.slug, token=make_token(customer))


def customer_for(*, shop, token):
    """The customer of ``shop`` the token names; ``BadUnsubscribeToken`` for a token changed
    by hand, of another shop, or of a customer who is gone."""
    invalid = BadUnsubscribeToken(
        _l(
            "This unsubscribe link is not valid. Copy the whole link from the email, or log in "
            "to your account to choose which emails you receive."
        )
    )
    if not token or len(token) > MAX_TOKEN:
        raise invalid
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise invalid from None
    if not isinstance(data, dict) or data.get("s") != shop.id or not isinstance(data.get("c"), int):
        raise invalid
    customer = db.session.scalar(for_shop(Customer, shop).where(Customer.id == data["c"]))
    if customer is None:
        raise invalid
    return customer


def unsubscribe(*, customer, source):
    """Withdraw the customer's consent; True when it was given until now (a second click
    changes nothing and writes no second line)."""
    if not customer.accepts_marketing:
        return False
    set_marketing(customer, False, CONSENT_SOURCE)
    events.unsubscribed(customer=customer, source=source)
    return True


def subscribe(*, customer, source):
    """Give the consent again, from the same page; True when it was not given."""
    if customer.accepts_marketing:
        return False
    set_marketing(customer, True, CONSENT_SOURCE)
    events.subscribed(customer=customer, source=source)
    return True


def masked(email):
    """``minh.anh@example.com`` as ``mi•••@example.com``: enough for the owner of the address
    to recognise it, not enough to give it away to whoever the link was forwarded to."""
    if not email or "@" not in email:
        return ""
    name, _, domain = email.partition("@")
    return f"{name[:2]}•••@{domain}"
