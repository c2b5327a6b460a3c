"""The shopper's member account, through the storefront's pages: what the shopper sees and
what the database then holds. Helpers shared by the tests of this package."""

import re

from sqlalchemy import func, select

from core.extensions import db
from models import CustomerEvent, OutboxMessage
from tests.factories import MEMBER_EMAIL, MEMBER_PHONE, MemberInfo, make_member  # noqa: F401
from tests.mail import link_in, sent_text  # noqa: F401 (link_in: where tests import it from)


class Shopper:
    """A visitor of the storefront, with the test client."""

    def __init__(self, client):
        self.client = client

    def login(self, member, login=None, password=None, shop_slug=None, **data):
        return self.client.post(
            f"/{shop_slug or member.shop_slug}/account/login",
            data={"login": login or member.email, "password": password or member.password, **data},
        )

    def logout(self, shop_slug):
        return self.client.post(f"/{shop_slug}/account/logout")


# --- Reading what the database holds --------------------------------------------------


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def outbox(kind=None):
    """(kind, to address) of every queued message, oldest first."""
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return [(m.kind, m.to_address) for m in db.session.scalars(query)]


def last_mail(kind):
    """The text of the last ``kind`` message, as its recipient got it (``tests.mail``)."""
    return sent_text(kind)


def event_types(customer_id):
    return db.session.scalars(
        select(CustomerEvent.type)
        .where(CustomerEvent.customer_id == customer_id)
        .order_by(CustomerEvent.id)
    ).all()


def without_tokens(html):
    """A page without its CSRF tokens, which carry a time and differ from one page to the next."""
    html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
    return re.sub(r'id="csrf_token" name="csrf_token" type="hidden" value="[^"]*"', "", html)
