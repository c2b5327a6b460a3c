"""The timeline's lines: every kind of event has one, and each reads as it always has, from
the data its function in ``services.events`` writes."""

import pytest
from flask_babel import force_locale

from admin.timeline import LINES, timeline_line
from core.extensions import db
from models import CustomerEvent, CustomerEvents
from tests.services.test_events import CASES, make_rows, rows, write

ADDRESS = "45 Lê Lợi, Phường Sài Gòn, Hồ Chí Minh"
STAFF = "{staff}"  # the acting staff member's name
CUSTOMER = "the customer"

# The kind's line for its case in ``CASES``: (icon, sentence, who acted when it does not say)
LINES_EXPECTED = {
    "registered": ("bi-person-plus", "Registered an account (was a guest before)", CUSTOMER),
    "approved_automatically": ("bi-check-circle", "Approved automatically (shop setting)", None),
    "approved": ("bi-check-circle", "Approved by {staff}", None),
    "cancelled": ("bi-x-circle", "Cancelled by {staff} — reason: Bom hàng", None),
    "reinstated": ("bi-arrow-counterclockwise", "Reinstated by {staff}", None),
    "created_from_checkout": ("bi-cart", "Became a customer with a guest checkout", CUSTOMER),
    "created_by_staff": ("bi-person-plus", "Added by {staff}", None),
    "invited": ("bi-envelope-plus", "Invited to become a member by {staff}", None),
    "email_sent": ("bi-envelope", "Email sent: account approved", None),
    "email_confirmed": ("bi-patch-check", "Confirmed the email address", CUSTOMER),
    "email_changed": (
        "bi-at",
        "Email address changed from an@example.com to an@example.net",
        CUSTOMER,
    ),
    "password_reset_requested": ("bi-key", "Asked for a password reset link", CUSTOMER),
    "password_reset": ("bi-key", "Set a new password with a reset link", CUSTOMER),
    "password_changed": ("bi-key", "Changed the password", CUSTOMER),
    "profile_updated": ("bi-pencil", "Profile updated: first name, birthday", STAFF),
    "phone_added": ("bi-telephone", "Phone number added: 0912 345 678", CUSTOMER),
    "phone_removed": ("bi-telephone", "Phone number removed: 0912 345 678", STAFF),
    "primary_phone_changed": ("bi-telephone", "Main phone number is now 0912 345 678", CUSTOMER),
    "address_added": ("bi-geo-alt", f"Address added: {ADDRESS}", CUSTOMER),
    "address_updated": ("bi-geo-alt", f"Address changed: {ADDRESS}", STAFF),
    "address_removed": ("bi-geo-alt", f"Address removed: {ADDRESS}", CUSTOMER),
    "default_address_changed": ("bi-geo-alt", f"Default address is now {ADDRESS}", CUSTOMER),
    "order_placed": ("bi-bag-plus", "Placed order #1001 (₫530,000)", CUSTOMER),
    "order_status_changed": ("bi-bag", "Order #1001: Pending → Confirmed", STAFF),
    "order_paid": ("bi-cash-coin", "Order #1001 marked as paid", STAFF),
    "tag_added": ("bi-tag", "Tagged “hay hoàn” after 3 refused parcels", None),
    "tag_removed": ("bi-tag", "Tag “VIP” removed", STAFF),
    "group_changed": ("bi-people", "Moved to the group “Khách sỉ”", STAFF),
    "staff_assigned": ("bi-person-badge", "Assigned to Chủ Thời Trang Mai", STAFF),
    "note_added": ("bi-chat-left-text", "Note: Gọi trước khi giao", STAFF),
    "note_edited": ("bi-chat-left-text", "Note edited: Gọi trước khi giao", STAFF),
    "note_deleted": ("bi-chat-left-text", "A note was deleted", STAFF),
    "merged": ("bi-union", "Merged with the record KH000042 (Phạm Minh Anh)", STAFF),
    "imported": ("bi-file-earmark-arrow-up", "Created by the import of sapo.xlsx", STAFF),
    "campaign_sent": ("bi-megaphone", "Marketing email sent: “Chào An, áo dài mới về”", STAFF),
    "unsubscribed": (
        "bi-envelope-slash",
        "Unsubscribed from marketing emails with one click in their mail app",
        CUSTOMER,
    ),
    "subscribed": (
        "bi-envelope-check",
        "Subscribed to marketing emails again with the link in an email",
        CUSTOMER,
    ),
}


def test_every_kind_of_event_has_a_line():
    assert set(LINES) == set(CustomerEvents)
    assert {case[0] for case in CASES} == set(LINES_EXPECTED)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_each_event_reads_as_its_line(app, shop, owner, case):
    ids = make_rows(app, shop, owner)
    with app.app_context():
        w = rows(ids)
        event = write(case, w)
        staff = w.staff.display_name
        with app.test_request_context(), force_locale("en"):
            line = timeline_line(event)
    icon, text, actor = LINES_EXPECTED[case[0]]
    assert line == (
        event,
        icon,
        text.format(staff=staff),
        actor.format(staff=staff) if actor else None,
    )


def test_a_kind_this_version_does_not_know_shows_its_name(app, shop, owner):
    ids = make_rows(app, shop, owner)
    with app.app_context():
        w = rows(ids)
        event = CustomerEvent(
            shop_id=w.customer.shop_id, customer=w.customer, type="split_in_two", actor="system"
        )
        db.session.add(event)
        db.session.commit()
        with app.test_request_context(), force_locale("en"):
            assert timeline_line(event) == (event, "bi-dot", "split_in_two", None)
