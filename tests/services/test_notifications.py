"""The emails about a customer: each message to the customer is queued with its template,
to its address, and put on the customer's timeline; the managers' notice is not."""

import pytest
from sqlalchemy import select

from core.extensions import db
from models import (
    Customer,
    CustomerEvent,
    CustomerEvents,
    CustomerStatus,
    OutboxMessage,
    RegistrationClaim,
    Shop,
)
from services import notifications
from tests.factories import make_member

LINK = "https://example.com/a-secret-link"

# (function, its arguments but the shop and the customer, the member's status, the
#  template, the address it goes to)
MESSAGES = [
    ("send_member_registered", {"confirm_url": LINK}, "temporary", "member_registered", None),
    ("send_member_exists", {}, "official", "member_exists", None),
    ("send_member_invitation", {"accept_url": LINK}, "guest", "member_invitation", None),
    ("send_member_status", {"reason": "Bom hàng"}, "cancelled", "member_cancelled", None),
    ("send_member_status", {"reinstated": True}, "official", "member_approved", None),
    ("send_member_password_reset", {"reset_url": LINK}, "official", "member_password_reset", None),
    ("send_member_confirm_email", {"confirm_url": LINK}, "official", "member_confirm_email", None),
    (
        "send_member_email_changed",
        {"old": "old@example.com", "new": "an@example.com"},
        "official",
        "member_email_changed",
        "old@example.com",
    ),
]


def queued():
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def timeline(customer_id):
    return db.session.scalars(
        select(CustomerEvent).where(CustomerEvent.customer_id == customer_id)
    ).all()


@pytest.mark.parametrize("message", MESSAGES, ids=[m[3] for m in MESSAGES])
def test_an_email_to_the_customer_is_queued_and_on_their_timeline(app, shop, message):
    function, arguments, status, template, to = message
    member = make_member(app, shop, "an@example.com", status=status)
    with app.test_request_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = db.session.get(Customer, member.id)
        getattr(notifications, function)(shop=shop_row, customer=customer, **arguments)
        db.session.commit()
        [row] = queued()
        assert (row.kind, row.to_address, row.customer_id) == (
            template,
            to or "an@example.com",
            member.id,
        )
        [event] = timeline(member.id)
        assert (event.type, event.actor, event.data) == (
            CustomerEvents.EMAIL_SENT,
            "system",
            {"template": template},
        )


def test_the_link_to_finish_a_registration_goes_to_the_guest(app, shop):
    member = make_member(app, shop, "an@example.com", status=CustomerStatus.GUEST)
    with app.test_request_context():
        shop_row = db.session.get(Shop, shop.id)
        guest = db.session.get(Customer, member.id)
        claim = RegistrationClaim(
            shop_id=shop.id, customer=guest, first_name="An", last_name="", password_hash="x"
        )
        db.session.add(claim)
        db.session.flush()
        notifications.send_member_claim(shop=shop_row, customer=guest, claim=claim, claim_url=LINK)
        db.session.commit()
        assert [(row.kind, row.to_address) for row in queued()] == [
            ("member_claim", "an@example.com")
        ]
        assert [event.data for event in timeline(member.id)] == [{"template": "member_claim"}]


def test_the_managers_notice_of_a_new_member_is_not_on_the_members_timeline(
    app, shop, owner, manager
):
    member = make_member(app, shop, "an@example.com", status=CustomerStatus.TEMPORARY)
    with app.test_request_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = db.session.get(Customer, member.id)
        notifications.send_staff_new_member(shop=shop_row, customer=customer)
        db.session.commit()
        assert sorted((row.kind, row.to_address) for row in queued()) == sorted(
            [("staff_new_member", owner.email), ("staff_new_member", manager.email)]
        )
        assert timeline(member.id) == []
