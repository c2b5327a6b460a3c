"""The customer list as a workspace: every filter of the contract narrows it (and a value that
means nothing is ignored), the sort orders, the page sizes, the chips that remove a filter,
the columns each staff member keeps, bulk actions on the ticked rows or on the whole filter,
saved segments, and a staff role that sees only their own customers."""

import re
from datetime import UTC, datetime

import pytest

from core.extensions import db
from models import (
    Customer,
    CustomerEvent,
    CustomerGroup,
    CustomerSegment,
    CustomerStatus,
    Shop,
    ShopMembership,
)
from services import tags as tag_service
from tests.factories import Line, add_address, make_guest, make_member, make_order

# Filters and a mix of customers to find with them.
PEOPLE = [
    # (first, last, status, gender, province, group, tag, spent, orders, marketing, joined)
    ("Lan", "Nguyễn", "official", "female", "Hà Nội", "Khách sỉ", "VIP", 2_000_000, 2, True, 3),
    ("Minh", "Trần", "official", "male", "Hồ Chí Minh", None, "VIP", 500_000, 1, False, 10),
    ("Hoa", "Lê", "temporary", "female", "Hà Nội", "Khách sỉ", None, 0, 0, True, 15),
    ("Tuấn", "Phạm", "guest", "male", "Đà Nẵng", None, "tiềm năng", 300_000, 1, False, 20),
    ("Mai", "Võ", "cancelled", "female", None, None, None, 0, 0, False, 25),
]


@pytest.fixture(autouse=True)
def english(client):
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def people(app, shop):
    """Each of ``PEOPLE`` as a customer of ``shop``: {first name: id}."""
    ids = {}
    with app.app_context():
        group = CustomerGroup(shop_id=shop.id, name="Khách sỉ")
        db.session.add(group)
        db.session.commit()
        group_id = group.id
    for i, (
        first,
        last,
        status,
        gender,
        province,
        group,
        tag,
        spent,
        orders,
        ads,
        day,
    ) in enumerate(PEOPLE):
        phone = f"09123450{i:02d}"
        if status == "guest":
            customer_id = make_guest(app, shop, first_name=first, last_name=last, phone=phone)
        else:
            customer_id = make_member(
                app, shop, f"{first.lower()}@example.com", phone=phone, status=status
            ).id
        if orders:
            for _ in range(orders):
                make_order(
                    app,
                    shop,
                    customer_id=customer_id,
                    lines=(Line(price=spent // orders),),
                    shipping_fee=0,
                    status="completed",
                )
        with app.app_context():
            customer = db.session.get(Customer, customer_id)
            customer.first_name, customer.last_name = first, last
            customer.gender = gender
            customer.accepts_marketing = ads
            customer.group_id = group_id if group else None
            customer.registered_at = None
            customer.created_at = datetime(2026, 11, day, 3, 0, tzinfo=UTC)
            if tag:
                shop_row = db.session.get(Shop, shop.id)
                tag_service.tag_customer(customer, tag_service.tag_named(shop_row, tag))
            db.session.commit()
        if province:
            add_address(app, customer_id, province=province)
        ids[first] = customer_id
    return ids


def names_in(page):
    """First names of the customers listed, in order."""
    found = re.findall(r'/admin/customers/\d+">([^<]+)</a>', page)
    return [name.split()[-1] if name.split() else name for name in found]


def listed(client, shop, **query):
    response = client.get(f"/{shop.slug}/admin/customers", query_string=query)
    assert response.status_code == 200
    return response.text


@pytest.fixture
def as_manager(auth, manager):
    auth.login_staff(manager)
    return manager


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "official"}, {"Lan", "Minh"}),
        ({"status": "guest"}, {"Tuấn"}),
        ({"gender": "female"}, {"Lan", "Hoa", "Mai"}),
        ({"province": "Hà Nội"}, {"Lan", "Hoa"}),
        ({"province": "ha noi"}, {"Lan", "Hoa"}),
        ({"tag": "VIP"}, {"Lan", "Minh"}),
        ({"tag": "vip"}, {"Lan", "Minh"}),
        ({"accepts_marketing": "yes"}, {"Lan", "Hoa"}),
        ({"accepts_marketing": "no"}, {"Minh", "Tuấn", "Mai"}),
        ({"created_from": "2026-11-10", "created_to": "2026-11-20"}, {"Minh", "Hoa", "Tuấn"}),
        ({"min_spent": "400000"}, {"Lan", "Minh"}),
        ({"max_spent": "400000"}, {"Hoa", "Tuấn", "Mai"}),
        ({"min_orders": "2"}, {"Lan"}),
        ({"q": "nguyen lan"}, {"Lan"}),
        ({"q": "0912 345 001"}, {"Minh"}),
        ({"status": "official", "tag": "VIP", "gender": "female"}, {"Lan"}),
    ],
)
def test_each_filter_narrows_the_list(app, client, shop, as_manager, people, query, expected):
    assert set(names_in(listed(client, shop, **query))) == expected


def test_the_group_and_staff_filters_take_this_shops_ids(
    app, client, shop, as_manager, people, staff_member
):
    with app.app_context():
        group_id = db.session.scalar(db.select(CustomerGroup.id))
        db.session.get(Customer, people["Minh"]).assigned_staff_id = staff_member.id
        db.session.commit()
    assert set(names_in(listed(client, shop, group=group_id))) == {"Lan", "Hoa"}
    assert set(names_in(listed(client, shop, staff=staff_member.id))) == {"Minh"}


@pytest.mark.parametrize(
    "query",
    [
        {"status": "vip"},
        {"gender": "robot"},
        {"group": "999999"},
        {"group": "abc"},
        {"group": "9" * 30},
        {"tag": "không có"},
        {"staff": "-1"},
        {"province": "Atlantis"},
        {"accepts_marketing": "maybe"},
        {"created_from": "2026-13-45"},
        {"min_spent": "-5"},
        {"min_orders": "lots"},
        {"sort": "password"},
        {"per_page": "100000"},
        {"page": "-3"},
    ],
)
def test_a_filter_value_that_means_nothing_is_ignored(client, shop, as_manager, people, query):
    page = listed(client, shop, **query)
    assert set(names_in(page)) == {"Lan", "Minh", "Hoa", "Tuấn", "Mai"}
    assert 'class="filter-chips' not in page or "filter-chip" not in page


def test_sorting_orders_the_list(client, shop, as_manager, people):
    assert names_in(listed(client, shop, sort="-total_spent"))[:2] == ["Lan", "Minh"]
    assert names_in(listed(client, shop, sort="-orders"))[0] == "Lan"
    assert names_in(listed(client, shop, sort="created")) == ["Lan", "Minh", "Hoa", "Tuấn", "Mai"]
    assert names_in(listed(client, shop))[0] == "Mai"  # newest first by default
    assert names_in(listed(client, shop, sort="name")) == ["Hoa", "Lan", "Mai", "Minh", "Tuấn"]


def test_the_page_size_is_chosen(app, client, shop, as_manager):
    for i in range(25):
        make_guest(app, shop, first_name=f"Khách {i:02d}", phone=f"0913{i:06d}")
    assert len(names_in(listed(client, shop, per_page=20))) == 20
    page = listed(client, shop, per_page=20, page=2)
    assert len(names_in(page)) == 5
    # The pager keeps the size
    assert "per_page=20" in listed(client, shop, per_page=20)


def test_chips_show_each_filter_and_remove_it(app, client, shop, as_manager, people):
    with app.app_context():
        group_id = db.session.scalar(db.select(CustomerGroup.id))
    page = listed(client, shop, status="official", tag="VIP", group=group_id, min_spent="400000")
    chips = re.findall(
        r'class="badge[^"]*filter-chip[^"]*" href="([^"]+)"[^>]*>(.*?)</a>', page, re.S
    )
    texts = [re.sub(r"<[^>]+>", "", text).split("(remove)")[0].strip() for _href, text in chips]
    assert "Tag: VIP" in texts
    assert "Group: Khách sỉ" in texts
    assert "Spent at least: ₫400,000" in texts
    # The status is the tab's, not a chip
    assert not any(text.startswith("Status") for text in texts)
    # Removing the tag keeps the rest
    tag_link = next(href for href, text in chips if "Tag:" in text)
    assert "tag=" not in tag_link
    assert "status=official" in tag_link
    assert f"group={group_id}" in tag_link.replace("&amp;", "&")


def test_the_tabs_count_within_the_other_filters(client, shop, as_manager, people):
    page = listed(client, shop, gender="female")
    tabs = dict(
        re.findall(r'status=(\w+)[^"]*"[^>]*>[^<]+<span class="badge[^"]*">(\d+)</span>', page)
    )
    assert tabs == {"temporary": "1", "official": "1", "cancelled": "1", "guest": "0"}


def test_the_columns_a_staff_member_chose_are_kept(app, client, shop, as_manager, people):
    client.post(
        f"/{shop.slug}/admin/customers/columns",
        data={"columns": ["group", "province", "staff", "nonsense"]},
    )
    page = listed(client, shop)
    heads = re.findall(r'<th scope="col" class="text-nowrap[^"]*">\s*([^<]+?)\s*</th>', page)
    assert heads == ["Group", "Province", "Assigned to"]
    assert "Khách sỉ" in page
    with app.app_context():
        membership = db.session.scalar(
            db.select(ShopMembership).where(ShopMembership.staff_id == as_manager.id)
        )
        assert membership.customer_columns == ["group", "province", "staff"]


# --- Bulk actions ---------------------------------------------------------------------


def bulk(client, shop, **data):
    return client.post(f"/{shop.slug}/admin/customers/bulk", data=data)


def tags_of(app, customer_id):
    with app.app_context():
        return db.session.get(Customer, customer_id).tag_names


def test_bulk_tag_on_the_whole_filter_tags_every_match(app, client, shop, as_manager, people):
    # 37 more customers of Hà Nội, beyond the first page of 20
    for i in range(37):
        guest = make_guest(app, shop, first_name=f"Khách {i:02d}", phone=f"0914{i:06d}")
        add_address(app, guest, province="Hà Nội")
    reply = bulk(
        client,
        shop,
        scope="filter",
        province="Hà Nội",
        status="guest",
        action="add_tag",
        target_tag="Hà Nội sỉ",
        per_page="20",
    )
    assert reply.status_code == 302
    with app.app_context():
        tagged = db.session.scalars(db.select(Customer).where(Customer.shop_id == shop.id)).all()
        carrying = {c.id for c in tagged if "Hà Nội sỉ" in c.tag_names}
    assert len(carrying) == 37
    assert people["Lan"] not in carrying  # Hà Nội, but not a guest
    page = client.get(reply.headers["Location"]).text
    assert "37 customers changed, 0 already so." in page
    # Each of them has it on their timeline, by whom
    with app.app_context():
        lines = db.session.scalars(
            db.select(CustomerEvent).where(CustomerEvent.type == "tag_added")
        ).all()
        assert len(lines) == 37
        assert {line.staff_id for line in lines} == {as_manager.id}


def test_bulk_on_ticked_rows_ignores_another_shops_ids(
    app, client, shop, other_shop, as_manager, people
):
    theirs = make_guest(app, other_shop, phone="0912999999")
    reply = bulk(
        client,
        shop,
        action="add_tag",
        target_tag="VIP",
        customer_ids=[people["Hoa"], people["Lan"], theirs],
    )
    assert "1 customer changed, 1 already so." in client.get(reply.headers["Location"]).text
    assert tags_of(app, theirs) == []
    assert tags_of(app, people["Hoa"]) == ["VIP"]


def test_bulk_group_staff_and_untag(app, client, shop, as_manager, people, staff_member):
    with app.app_context():
        group_id = db.session.scalar(db.select(CustomerGroup.id))
    ids = [people["Minh"], people["Tuấn"]]
    bulk(client, shop, action="set_group", target_group=group_id, customer_ids=ids)
    bulk(client, shop, action="assign_staff", target_staff=staff_member.id, customer_ids=ids)
    bulk(client, shop, action="remove_tag", target_tag="VIP", scope="filter", tag="VIP")
    with app.app_context():
        for customer_id in ids:
            customer = db.session.get(Customer, customer_id)
            assert customer.group_id == group_id
            assert customer.assigned_staff_id == staff_member.id
    assert tags_of(app, people["Lan"]) == []
    assert tags_of(app, people["Minh"]) == []


def test_bulk_refuses_another_shops_group_and_staff(
    app, client, shop, other_shop, other_owner, as_manager, people
):
    with app.app_context():
        theirs = CustomerGroup(shop_id=other_shop.id, name="Của họ")
        db.session.add(theirs)
        db.session.commit()
        theirs_id = theirs.id
    for data in (
        {"action": "set_group", "target_group": theirs_id},
        {"action": "assign_staff", "target_staff": other_owner.id},
    ):
        reply = bulk(client, shop, customer_ids=[people["Minh"]], **data)
        assert "Choose one of the options." in client.get(reply.headers["Location"]).text
    with app.app_context():
        customer = db.session.get(Customer, people["Minh"])
        assert customer.group_id is None
        assert customer.assigned_staff_id is None


def test_bulk_on_an_empty_filter_says_so(client, shop, as_manager, people):
    reply = bulk(
        client, shop, scope="filter", q="không ai tên này", action="add_tag", target_tag="x"
    )
    assert "No customer matches this filter." in client.get(reply.headers["Location"]).text


def test_staff_cannot_bulk_change(app, client, auth, shop, staff_member, people):
    auth.login_staff(staff_member)
    reply = bulk(client, shop, action="add_tag", target_tag="VIP", customer_ids=[people["Hoa"]])
    assert reply.status_code == 403
    assert tags_of(app, people["Hoa"]) == []


# --- Staff see their own customers ----------------------------------------------------


def test_a_staff_role_sees_only_the_customers_assigned_to_them(
    app, client, auth, shop, staff_member, people
):
    with app.app_context():
        db.session.get(Customer, people["Lan"]).assigned_staff_id = staff_member.id
        db.session.commit()
    auth.login_staff(staff_member)
    page = listed(client, shop)
    assert names_in(page) == ["Lan"]
    # The tab counts are theirs too
    assert re.search(r">All <span class=\"badge[^\"]*\">1</span>", page)
    assert client.get(f"/{shop.slug}/admin/customers/{people['Lan']}").status_code == 200
    assert client.get(f"/{shop.slug}/admin/customers/{people['Minh']}").status_code == 404
    # A search does not reach the others either
    assert names_in(listed(client, shop, q="Minh")) == []


# --- Segments -------------------------------------------------------------------------


def test_a_filter_saved_as_a_segment_opens_again(app, client, shop, as_manager, people):
    reply = client.post(
        f"/{shop.slug}/admin/segments",
        data={"name": "Khách VIP nữ", "query": "tag=VIP&gender=female&bogus=1&page=3"},
    )
    assert reply.status_code == 302
    page = client.get(f"/{shop.slug}/admin/segments").text
    assert "Khách VIP nữ" in page
    assert "1 customer" in page
    with app.app_context():
        segment = db.session.scalar(db.select(CustomerSegment))
        assert segment.query == "gender=female&tag=VIP"
    link = re.search(r'href="([^"]*admin/customers\?[^"]*)">Khách VIP nữ', page).group(1)
    assert names_in(client.get(link.replace("&amp;", "&")).text) == ["Lan"]


def test_a_segment_needs_a_filter_and_a_new_name(app, client, shop, as_manager, people):
    base = f"/{shop.slug}/admin/segments"
    client.post(base, data={"name": "Tất cả", "query": "bogus=1"})
    client.post(base, data={"name": "VIP", "query": "tag=VIP"})
    reply = client.post(base, data={"name": "vip", "query": "gender=male"})
    assert (
        "The shop already has a segment of this name." in client.get(reply.headers["Location"]).text
    )
    with app.app_context():
        assert [s.name for s in db.session.scalars(db.select(CustomerSegment))] == ["VIP"]


def test_another_shops_segment_is_not_found(app, client, shop, other_shop, as_manager):
    with app.app_context():
        theirs = CustomerSegment(shop_id=other_shop.id, name="Của họ", query="tag=VIP")
        db.session.add(theirs)
        db.session.commit()
        theirs_id = theirs.id
    assert client.post(f"/{shop.slug}/admin/segments/{theirs_id}/delete").status_code == 404
    with app.app_context():
        assert db.session.get(CustomerSegment, theirs_id) is not None


def test_statuses_are_tabs_not_chips(client, shop, as_manager, people):
    page = listed(client, shop, status=CustomerStatus.OFFICIAL)
    assert "filter-chip" not in page
