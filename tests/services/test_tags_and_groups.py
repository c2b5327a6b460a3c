"""A shop's tags and groups managed as a whole: counts, rename, merge and delete, and the
groups' names unique per shop. Another shop's tag or group is refused."""

import pytest

from core.extensions import db
from models import Customer, CustomerGroup, CustomerTag, Shop, StaffUser, Tag
from services import ServiceError
from services import groups as group_service
from services import tags as tag_service
from tests.factories import make_guest


def tagged(app, shop, *names, count=1):
    """``count`` guests of ``shop`` carrying ``names``; their ids."""
    ids = []
    for i in range(count):
        guest = make_guest(app, shop, first_name=f"Khách {i}", phone=f"09123400{i:02d}")
        with app.app_context():
            shop_row = db.session.get(Shop, shop.id)
            customer = db.session.get(Customer, guest)
            for name in names:
                tag_service.tag_customer(customer, tag_service.tag_named(shop_row, name))
            db.session.commit()
        ids.append(guest)
    return ids


def counts(shop_row):
    return {tag.name: n for tag, n in tag_service.tags_with_counts(shop_row)}


def test_the_tags_page_counts_each_tag_of_the_shop_only(app, shop, other_shop):
    tagged(app, shop, "VIP", count=3)
    tagged(app, shop, "VIP", "khách sỉ")
    tagged(app, other_shop, "VIP", count=2)
    with app.app_context():
        assert counts(db.session.get(Shop, shop.id)) == {
            "VIP": 4,
            "hay hoàn": 0,
            "khách sỉ": 1,
            "tiềm năng": 0,
        }


def test_renaming_a_tag_renames_it_on_every_customer(app, shop):
    ids = tagged(app, shop, "vip", count=2)
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        tag = tag_service.find_tag(shop_row, "vip")
        tag_service.rename_tag(shop=shop_row, tag=tag, name="Khách VIP")
        db.session.commit()
        assert [db.session.get(Customer, i).tag_names for i in ids] == [["Khách VIP"]] * 2


def test_renaming_to_an_existing_name_merges_the_two(app, shop):
    both = tagged(app, shop, "VIP", "Vip khách")
    only_old = tagged(app, shop, "Vip khách")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        old = tag_service.find_tag(shop_row, "Vip khách")
        kept = tag_service.rename_tag(shop=shop_row, tag=old, name="vip")
        db.session.commit()
        assert kept.name == "VIP"
        assert db.session.get(Customer, both[0]).tag_names == ["VIP"]
        assert db.session.get(Customer, only_old[0]).tag_names == ["VIP"]
        assert counts(shop_row)["VIP"] == 2
        assert "Vip khách" not in counts(shop_row)


def test_merging_tags_puts_the_target_once_on_each_customer(app, shop):
    a = tagged(app, shop, "sỉ", "buôn")
    b = tagged(app, shop, "buôn")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        target = tag_service.tag_named(shop_row, "Khách sỉ")
        sources = [tag_service.find_tag(shop_row, "sỉ"), tag_service.find_tag(shop_row, "buôn")]
        gained = tag_service.merge_tags(shop=shop_row, sources=sources, target=target)
        db.session.commit()
        assert gained == 2
        assert db.session.get(Customer, a[0]).tag_names == ["Khách sỉ"]
        assert db.session.get(Customer, b[0]).tag_names == ["Khách sỉ"]
        assert db.session.scalar(db.select(db.func.count(CustomerTag.id))) == 2


def test_deleting_a_tag_takes_it_off_every_customer(app, shop):
    ids = tagged(app, shop, "VIP", "tiềm năng", count=2)
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        removed = tag_service.delete_tag(shop=shop_row, tag=tag_service.find_tag(shop_row, "VIP"))
        db.session.commit()
        assert removed == 2
        assert [db.session.get(Customer, i).tag_names for i in ids] == [["tiềm năng"]] * 2
        assert tag_service.find_tag(shop_row, "VIP") is None


def test_another_shops_tag_is_refused(app, shop, other_shop):
    tagged(app, other_shop, "VIP")
    with app.app_context():
        mine = db.session.get(Shop, shop.id)
        theirs = tag_service.find_tag(db.session.get(Shop, other_shop.id), "VIP")
        for change in (
            lambda: tag_service.rename_tag(shop=mine, tag=theirs, name="x"),
            lambda: tag_service.delete_tag(shop=mine, tag=theirs),
            lambda: tag_service.merge_tags(
                shop=mine, sources=[theirs], target=tag_service.tag_named(mine, "y")
            ),
        ):
            with pytest.raises(ServiceError):
                change()
        db.session.rollback()
        assert db.session.get(Tag, theirs.id).name == "VIP"


def test_a_tag_name_must_say_something_and_not_too_much(app, shop):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        for name in ("", "   ", "x" * 61):
            with pytest.raises(ServiceError):
                tag_service.tag_named(shop_row, name)


def test_set_tags_makes_the_list_whole_and_says_what_changed(app, shop, other_shop, owner):
    (guest,) = tagged(app, shop, "VIP", "tiềm năng")
    (theirs,) = tagged(app, other_shop, "VIP")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        staff = db.session.get(StaffUser, owner.id)
        customer = db.session.get(Customer, guest)
        added, removed = tag_service.set_tags(
            shop=shop_row,
            customer=customer,
            names=["vip", " Khách  sỉ ", "", "khách sỉ"],
            staff=staff,
        )
        db.session.commit()
        assert (added, removed) == (["Khách sỉ"], ["tiềm năng"])
        assert customer.tag_names == ["VIP", "Khách sỉ"]
        assert [(e.type, e.data["name"], e.staff_id) for e in customer.events] == [
            ("tag_added", "Khách sỉ", owner.id),
            ("tag_removed", "tiềm năng", owner.id),
        ]
        assert tag_service.set_tags(
            shop=shop_row, customer=customer, names=["Khách sỉ", "VIP"], staff=staff
        ) == ([], [])
        with pytest.raises(ServiceError):
            tag_service.set_tags(
                shop=shop_row, customer=db.session.get(Customer, theirs), names=[], staff=staff
            )
        for names in (["x" * 61], [f"thẻ {i}" for i in range(21)]):
            with pytest.raises(ServiceError) as refused:
                tag_service.set_tags(shop=shop_row, customer=customer, names=names, staff=staff)
            assert refused.value.field == "tags"
        db.session.rollback()
        assert customer.tag_names == ["VIP", "Khách sỉ"]


def test_groups_are_named_once_per_shop_and_deleting_one_frees_its_customers(app, shop, other_shop):
    guest = make_guest(app, shop, phone="0912345600")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        wholesale = group_service.create_group(shop=shop_row, name="Khách sỉ")
        db.session.get(Customer, guest).group = wholesale
        # The same name in another shop is another group
        group_service.create_group(shop=db.session.get(Shop, other_shop.id), name="Khách sỉ")
        db.session.commit()
        with pytest.raises(ServiceError) as refused:
            group_service.create_group(shop=shop_row, name="KHÁCH SỈ")
        assert refused.value.field == "name"
        assert [(g.name, n) for g, n in group_service.groups_of(shop_row)] == [("Khách sỉ", 1)]

        assert group_service.delete_group(shop=shop_row, group=wholesale) == 1
        db.session.commit()
        assert db.session.get(Customer, guest).group_id is None
        assert group_service.groups_of(shop_row) == []
        assert db.session.scalar(db.select(db.func.count(CustomerGroup.id))) == 1
