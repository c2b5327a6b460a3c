"""The timeline's writers: each function of ``services.events`` writes its kind, the actor
and the data its line on the timeline reads, and every kind has its function."""

from types import SimpleNamespace

import pytest

from core.extensions import db
from models import (
    Address,
    Customer,
    CustomerEvent,
    CustomerEvents,
    CustomerGroup,
    CustomerNote,
    CustomerStatus,
    Order,
    OrderStatus,
    StaffUser,
)
from services import events
from tests.factories import add_address, make_member, make_order


def make_rows(app, shop, owner):
    """The ids of what events are about: a member, the owner, an order and an address."""
    member = make_member(app, shop, "an@example.com")
    with app.app_context():
        group = CustomerGroup(shop_id=shop.id, name="Khách sỉ")
        note = CustomerNote(
            shop_id=shop.id, customer_id=member.id, staff_id=owner.id, body="Gọi trước  khi giao"
        )
        db.session.add_all([group, note])
        db.session.commit()
        group_id, note_id = group.id, note.id
    return SimpleNamespace(
        customer=member.id,
        staff=owner.id,
        order=make_order(app, shop, customer_id=member.id).id,
        address=add_address(app, member.id),
        group=group_id,
        note=note_id,
    )


@pytest.fixture
def ids(app, shop, owner):
    return make_rows(app, shop, owner)


def rows(ids):
    return SimpleNamespace(
        customer=db.session.get(Customer, ids.customer),
        staff=db.session.get(StaffUser, ids.staff),
        order=db.session.get(Order, ids.order),
        address=db.session.get(Address, ids.address),
        group=db.session.get(CustomerGroup, ids.group),
        note=db.session.get(CustomerNote, ids.note),
    )


def status_is(status):
    """The member's status after the change the event records."""

    def change(w):
        w.customer.status = status

    return change


def order_status_is(status):
    def change(w):
        w.order.status = status

    return change


ADDRESS = "45 Lê Lợi, Phường Sài Gòn, Hồ Chí Minh"

# (function, its arguments but the customer, what changed before it is called,
#  the kind, the actor it writes, whether the staff member is named, the data)
CASES = [
    (
        "registered",
        lambda w: {"from_guest": True},
        None,
        CustomerEvents.REGISTERED,
        "customer",
        False,
        {"from_guest": True},
    ),
    (
        "approved_automatically",
        lambda w: {},
        None,
        CustomerEvents.APPROVED,
        "system",
        False,
        {"automatic": True},
    ),
    (
        "approved",
        lambda w: {"staff": w.staff, "previous": CustomerStatus.TEMPORARY},
        status_is(CustomerStatus.OFFICIAL),
        CustomerEvents.APPROVED,
        "staff",
        True,
        {"from": "temporary", "to": "official"},
    ),
    (
        "cancelled",
        lambda w: {"staff": w.staff, "previous": CustomerStatus.OFFICIAL, "reason": "Bom hàng"},
        status_is(CustomerStatus.CANCELLED),
        CustomerEvents.CANCELLED,
        "staff",
        True,
        {"from": "official", "to": "cancelled", "reason": "Bom hàng"},
    ),
    (
        "reinstated",
        lambda w: {"staff": w.staff, "previous": CustomerStatus.CANCELLED},
        status_is(CustomerStatus.OFFICIAL),
        CustomerEvents.REINSTATED,
        "staff",
        True,
        {"from": "cancelled", "to": "official"},
    ),
    (
        "created_from_checkout",
        lambda w: {"actor": "customer"},
        None,
        CustomerEvents.CREATED_FROM_CHECKOUT,
        "customer",
        False,
        {},
    ),
    (
        "created_by_staff",
        lambda w: {"staff": w.staff},
        None,
        CustomerEvents.CREATED_BY_STAFF,
        "staff",
        True,
        {"status": "official"},
    ),
    (
        "invited",
        lambda w: {"staff": w.staff},
        None,
        CustomerEvents.INVITED,
        "staff",
        True,
        {},
    ),
    (
        "email_sent",
        lambda w: {"template": "member_approved"},
        None,
        CustomerEvents.EMAIL_SENT,
        "system",
        False,
        {"template": "member_approved"},
    ),
    (
        "email_confirmed",
        lambda w: {},
        None,
        CustomerEvents.EMAIL_CONFIRMED,
        "customer",
        False,
        {},
    ),
    (
        "email_changed",
        lambda w: {"old": "an@example.com", "new": "an@example.net"},
        None,
        CustomerEvents.EMAIL_CHANGED,
        "customer",
        False,
        {"old": "an@example.com", "new": "an@example.net"},
    ),
    (
        "password_reset_requested",
        lambda w: {},
        None,
        CustomerEvents.PASSWORD_RESET_REQUESTED,
        "customer",
        False,
        {},
    ),
    (
        "password_reset",
        lambda w: {},
        None,
        CustomerEvents.PASSWORD_RESET,
        "customer",
        False,
        {},
    ),
    (
        "password_changed",
        lambda w: {},
        None,
        CustomerEvents.PASSWORD_CHANGED,
        "customer",
        False,
        {},
    ),
    (
        "profile_updated",
        lambda w: {"fields": ["first_name", "birthday"], "staff": w.staff},
        None,
        CustomerEvents.PROFILE_UPDATED,
        "staff",
        True,
        {"fields": ["first_name", "birthday"]},
    ),
    (
        "phone_added",
        lambda w: {"number": "+84912345678"},
        None,
        CustomerEvents.PHONE_ADDED,
        "customer",
        False,
        {"number": "+84912345678"},
    ),
    (
        "phone_removed",
        lambda w: {"number": "+84912345678", "staff": w.staff},
        None,
        CustomerEvents.PHONE_REMOVED,
        "staff",
        True,
        {"number": "+84912345678"},
    ),
    (
        "primary_phone_changed",
        lambda w: {"number": "+84912345678"},
        None,
        CustomerEvents.PRIMARY_PHONE_CHANGED,
        "customer",
        False,
        {"number": "+84912345678"},
    ),
    (
        "address_added",
        lambda w: {"address": w.address},
        None,
        CustomerEvents.ADDRESS_ADDED,
        "customer",
        False,
        {"address": ADDRESS},
    ),
    (
        "address_updated",
        lambda w: {"address": w.address, "fields": ["line1"], "staff": w.staff},
        None,
        CustomerEvents.ADDRESS_UPDATED,
        "staff",
        True,
        {"address": ADDRESS, "fields": ["line1"]},
    ),
    (
        "address_removed",
        lambda w: {"address": w.address},
        None,
        CustomerEvents.ADDRESS_REMOVED,
        "customer",
        False,
        {"address": ADDRESS},
    ),
    (
        "default_address_changed",
        lambda w: {"address": w.address},
        None,
        CustomerEvents.DEFAULT_ADDRESS_CHANGED,
        "customer",
        False,
        {"address": ADDRESS},
    ),
    (
        "order_placed",
        lambda w: {"order": w.order},
        None,
        CustomerEvents.ORDER_PLACED,
        "customer",
        False,
        {"number": "#1001", "total": 530_000},
    ),
    (
        "order_status_changed",
        lambda w: {"order": w.order, "previous": OrderStatus.PENDING, "staff": w.staff},
        order_status_is(OrderStatus.CONFIRMED),
        CustomerEvents.ORDER_STATUS_CHANGED,
        "staff",
        True,
        {"order_id": None, "number": 1001, "from": "pending", "to": "confirmed"},
    ),
    (
        "order_paid",
        lambda w: {"order": w.order, "staff": w.staff},
        None,
        CustomerEvents.ORDER_PAID,
        "staff",
        True,
        {"order_id": None, "number": 1001},
    ),
    (
        "tag_added",
        lambda w: {"name": "hay hoàn", "refusals": 3},
        None,
        CustomerEvents.TAG_ADDED,
        "system",
        False,
        {"name": "hay hoàn", "refusals": 3},
    ),
    (
        "tag_removed",
        lambda w: {"name": "VIP", "staff": w.staff},
        None,
        CustomerEvents.TAG_REMOVED,
        "staff",
        True,
        {"name": "VIP"},
    ),
    (
        "group_changed",
        lambda w: {"group": w.group, "staff": w.staff},
        None,
        CustomerEvents.GROUP_CHANGED,
        "staff",
        True,
        {"group": "Khách sỉ"},
    ),
    (
        "staff_assigned",
        lambda w: {"assignee": w.staff, "staff": w.staff},
        None,
        CustomerEvents.STAFF_ASSIGNED,
        "staff",
        True,
        {"assignee": "Chủ Thời Trang Mai"},
    ),
    (
        "note_added",
        lambda w: {"note": w.note, "staff": w.staff},
        None,
        CustomerEvents.NOTE_ADDED,
        "staff",
        True,
        {"note_id": None, "text": "Gọi trước khi giao"},
    ),
    (
        "note_edited",
        lambda w: {"note": w.note, "staff": w.staff},
        None,
        CustomerEvents.NOTE_EDITED,
        "staff",
        True,
        {"note_id": None, "text": "Gọi trước khi giao"},
    ),
    (
        "note_deleted",
        lambda w: {"note": w.note, "staff": w.staff},
        None,
        CustomerEvents.NOTE_DELETED,
        "staff",
        True,
        {"note_id": None},
    ),
    (
        "merged",
        lambda w: {
            "other": SimpleNamespace(code="KH000042", display_name="Phạm Minh Anh"),
            "staff": w.staff,
        },
        None,
        CustomerEvents.MERGED,
        "staff",
        True,
        {"code": "KH000042", "name": "Phạm Minh Anh"},
    ),
    (
        "imported",
        lambda w: {"staff": w.staff, "file": "sapo.xlsx", "action": "create"},
        None,
        CustomerEvents.IMPORTED,
        "staff",
        True,
        {"file": "sapo.xlsx", "action": "create"},
    ),
    (
        "campaign_sent",
        lambda w: {
            "campaign": SimpleNamespace(id=7, kind="marketing"),
            "subject": "Chào An, áo dài mới về",
            "staff": w.staff,
        },
        None,
        CustomerEvents.CAMPAIGN_SENT,
        "staff",
        True,
        {"campaign_id": 7, "subject": "Chào An, áo dài mới về", "kind": "marketing"},
    ),
    (
        "unsubscribed",
        lambda w: {"source": "one_click"},
        None,
        CustomerEvents.UNSUBSCRIBED,
        "customer",
        False,
        {"source": "one_click"},
    ),
    (
        "subscribed",
        lambda w: {"source": "link"},
        None,
        CustomerEvents.SUBSCRIBED,
        "customer",
        False,
        {"source": "link"},
    ),
]


def write(case, w):
    """Call the case's function on the rows ``w`` and return the row it wrote, read back."""
    function, arguments, before = case[0], case[1], case[2]
    if before is not None:
        before(w)
    event = getattr(events, function)(customer=w.customer, **arguments(w))
    db.session.commit()
    db.session.expire_all()
    return db.session.get(CustomerEvent, event.id)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_each_event_function_writes_what_its_timeline_line_reads(app, ids, case):
    _function, _arguments, _before, kind, actor, by_staff, data = case
    with app.app_context():
        w = rows(ids)
        event = write(case, w)
        assert event.type == kind
        assert event.customer_id == ids.customer
        assert event.shop_id == w.customer.shop_id
        assert event.actor == actor
        assert event.staff_id == (ids.staff if by_staff else None)
        if "order_id" in data:
            data = {**data, "order_id": ids.order}
        if "note_id" in data:
            data = {**data, "note_id": ids.note}
        assert event.data == data


def test_every_kind_of_event_has_its_function():
    assert {case[3] for case in CASES} == set(CustomerEvents)


def test_an_address_removed_keeps_the_address_as_it_read(app, ids):
    with app.app_context():
        w = rows(ids)
        event = events.address_removed(customer=w.customer, address=w.address)
        w.customer.addresses.remove(w.address)
        db.session.commit()
        assert db.session.get(Address, ids.address) is None
        assert db.session.get(CustomerEvent, event.id).data == {"address": ADDRESS}
