"""Notes on a customer (only their author changes them) and the changes made to many
customers at once (tags, group, assigned staff), each a line on every changed timeline."""

import pytest

from core.extensions import db
from models import Customer, CustomerEvent, CustomerGroup, CustomerNote, Shop, StaffUser
from services import ServiceError
from services import customer_bulk as bulk
from services import notes as note_service
from tests.factories import make_guest, make_staff


def kinds(customer_id):
    return [
        e.type
        for e in db.session.scalars(
            db.select(CustomerEvent)
            .where(CustomerEvent.customer_id == customer_id)
            .order_by(CustomerEvent.id)
        )
    ]


def test_a_note_is_changed_only_by_its_author(app, shop, owner):
    manager = make_staff(app, shop, "hung@example.com", "manager")
    guest = make_guest(app, shop, phone="0912345678")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        author = db.session.get(StaffUser, owner.id)
        customer = db.session.get(Customer, guest)
        note = note_service.add_note(
            shop=shop_row, customer=customer, staff=author, body="  Khách quen,\ngọi trước "
        )
        db.session.commit()
        assert note.body == "Khách quen,\ngọi trước"
        assert note.staff_id == owner.id

        other = db.session.get(StaffUser, manager.id)
        for change in (
            lambda: note_service.edit_note(shop=shop_row, note=note, staff=other, body="x"),
            lambda: note_service.delete_note(shop=shop_row, note=note, staff=other),
        ):
            with pytest.raises(ServiceError):
                change()
        db.session.rollback()

        note_service.edit_note(shop=shop_row, note=note, staff=author, body="Khách VIP")
        db.session.commit()
        note_service.delete_note(shop=shop_row, note=note, staff=author)
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(CustomerNote.id))) == 0
        assert kinds(guest) == ["note_added", "note_edited", "note_deleted"]


def test_an_empty_or_overlong_note_is_refused(app, shop, owner):
    guest = make_guest(app, shop, phone="0912345678")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        author = db.session.get(StaffUser, owner.id)
        customer = db.session.get(Customer, guest)
        for body in ("", "  \n ", "x" * 5001):
            with pytest.raises(ServiceError) as refused:
                note_service.add_note(shop=shop_row, customer=customer, staff=author, body=body)
            assert refused.value.field == "body"


def test_bulk_tags_group_and_staff_count_what_changed(app, shop, owner, other_shop):
    nhan_vien = make_staff(app, shop, "ha@example.com", "staff")
    outsider = make_staff(app, other_shop, "binh.staff@example.com", "staff")
    ids = [
        make_guest(app, shop, first_name=f"Khách {i}", phone=f"09123456{i:02d}") for i in range(3)
    ]
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        actor = db.session.get(StaffUser, owner.id)
        customers = [db.session.get(Customer, i) for i in ids]
        assert bulk.add_tag(shop=shop_row, customers=customers[:2], name="VIP", staff=actor) == (
            2,
            0,
        )
        assert bulk.add_tag(shop=shop_row, customers=customers, name="vip", staff=actor) == (1, 2)
        assert bulk.remove_tag(shop=shop_row, customers=customers[:1], name="VIP", staff=actor) == (
            1,
            0,
        )
        group = CustomerGroup(shop_id=shop.id, name="Khách sỉ")
        db.session.add(group)
        db.session.flush()
        assert bulk.set_group(shop=shop_row, customers=customers, group=group, staff=actor) == (
            3,
            0,
        )
        assignee = db.session.get(StaffUser, nhan_vien.id)
        assert bulk.assign_staff(
            shop=shop_row, customers=customers, assignee=assignee, staff=actor
        ) == (3, 0)
        # Someone of another shop cannot be given this shop's customers
        with pytest.raises(ServiceError):
            bulk.assign_staff(
                shop=shop_row,
                customers=customers,
                assignee=db.session.get(StaffUser, outsider.id),
                staff=actor,
            )
        db.session.commit()
        first = db.session.get(Customer, ids[0])
        assert first.tag_names == []
        assert db.session.get(Customer, ids[2]).tag_names == ["VIP"]
        assert first.group.name == "Khách sỉ"
        assert first.assigned_staff_id == nhan_vien.id
        assert kinds(ids[0]) == [
            "tag_added",
            "tag_removed",
            "group_changed",
            "staff_assigned",
        ]


def test_bulk_changes_refuse_another_shops_customers(app, shop, owner, other_shop):
    theirs = make_guest(app, other_shop, phone="0912345678")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        actor = db.session.get(StaffUser, owner.id)
        with pytest.raises(ServiceError):
            bulk.add_tag(
                shop=shop_row,
                customers=[db.session.get(Customer, theirs)],
                name="VIP",
                staff=actor,
            )
