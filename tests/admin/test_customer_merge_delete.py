"""Possible duplicates, merging two records of one person, and deleting a customer while the
shop keeps its orders. The admin client speaks English here."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db
from models import (
    Address,
    Customer,
    CustomerEvent,
    CustomerEvents,
    CustomerNote,
    CustomerPhone,
    CustomerStatus,
    CustomerTag,
    Favourite,
    LoginSession,
    Order,
    OutboxMessage,
    RegistrationClaim,
    Role,
    Shop,
    StaffUser,
    utcnow,
)
from services import customer_merge, duplicates, events, personal_data
from services.tags import tag_customer, tag_named
from tests.factories import (
    PASSWORD,
    add_address,
    make_guest,
    make_member,
    make_order,
    make_product,
    make_staff,
)
from tests.sql import Statements

MEMBER_EMAIL = "minh.anh@example.com"
SHARED_PHONE = "+84912345678"


@pytest.fixture(autouse=True)
def in_english(client):
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def as_owner(auth, owner):
    auth.login_staff(owner)
    return owner


def flashes_of(page):
    pattern = r'<div class="alert alert-\w+[^"]*" role="alert">\s*(.*?)\s*<button'
    return " ".join(re.findall(pattern, page, re.S))


def follow(client, response):
    assert response.status_code == 302, response.text
    return client.get(response.headers["Location"]).text


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def customer_ids_of(app, model, *where):
    with app.app_context():
        return db.session.scalars(select(model.customer_id).where(*where)).all()


# --- What a record holds --------------------------------------------------------------


def fill_record(app, shop, customer_id, *, tags, products, phones=(), note=None, orders=0):
    """Give a record tags, favourites, more phones, a note, an event, orders, an email in the
    outbox and a waiting registration: every kind of row that points at a customer."""
    for _ in range(orders):
        make_order(app, shop, customer_id=customer_id, source="guest")
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        shop_row = db.session.get(Shop, shop.id)
        for name in tags:
            tag_customer(customer, tag_named(shop_row, name))
        for product_id in products:
            db.session.add(
                Favourite(shop_id=shop.id, customer_id=customer_id, product_id=product_id)
            )
        for number in phones:
            customer.phones.append(CustomerPhone(shop_id=shop.id, number=number))
        if note:
            customer.notes.append(CustomerNote(shop_id=shop.id, body=note))
        events.created_from_checkout(customer=customer)
        db.session.add(
            OutboxMessage(
                shop_id=shop.id,
                customer_id=customer_id,
                kind="order_placed",
                to_address=customer.email or "khach@example.com",
                subject="Đơn hàng",
                body_text="Cảm ơn",
            )
        )
        db.session.add(
            RegistrationClaim(shop_id=shop.id, customer=customer, password_hash="x" * 20)
        )
        db.session.commit()


def open_session(app, shop, customer_id):
    with app.app_context():
        row = LoginSession(
            token_hash=f"{customer_id:064d}",
            kind="customer",
            customer_id=customer_id,
            shop_id=shop.id,
            expires_at=utcnow() + timedelta(days=1),
        )
        db.session.add(row)
        db.session.commit()
        return row.id


@pytest.fixture
def products(app, shop):
    return [make_product(app, shop, name=f"Áo {n}").id for n in range(3)]


@pytest.fixture
def member(app, shop):
    member = make_member(app, shop, MEMBER_EMAIL, SHARED_PHONE)
    add_address(app, member.id, province="Hồ Chí Minh")
    return member


@pytest.fixture
def guest(app, shop):
    """The same person as ``member``, recorded by a checkout: a phone in common."""
    guest_id = make_guest(app, shop, phone=SHARED_PHONE)
    add_address(app, guest_id, province="Thành phố Hà Nội", line1="12 Hàng Bạc")
    with app.app_context():
        db.session.get(Customer, guest_id).company = "Công ty Mai"
        db.session.commit()
    return guest_id


@pytest.fixture
def foreign(app, other_shop):
    return make_guest(app, other_shop, phone=SHARED_PHONE)


# --- Possible duplicates --------------------------------------------------------------


def suggestions(app, shop, customer_id, assigned_to=None):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = db.session.get(Customer, customer_id)
        found = duplicates.possible_duplicates(
            shop=shop_row, customer=customer, assigned_to=assigned_to
        )
        return {s.customer.id: s.reasons for s in found}


def raw_customer(app, shop, **values):
    """A record written as an old import might have, without the services' clean-up."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        shop_row.customer_seq += 1
        customer = Customer(shop_id=shop.id, code=f"KH9{shop_row.customer_seq:05d}", **values)
        db.session.add(customer)
        db.session.commit()
        return customer.id


def test_records_sharing_a_phone_are_possible_duplicates(app, shop, member, guest, foreign):
    assert suggestions(app, shop, member.id) == {guest: {"phone"}}
    assert suggestions(app, shop, guest) == {member.id: {"phone"}}


def test_an_email_written_otherwise_is_a_possible_duplicate_but_gmail_dots_count(app, shop, member):
    other = raw_customer(app, shop, first_name="M", email=" Minh.Anh@Example.COM")
    dotted = raw_customer(app, shop, first_name="M", email="minhanh@example.com")
    longer = raw_customer(app, shop, first_name="M", email="tminh.anh@example.com")
    found = suggestions(app, shop, member.id)
    assert found[other] == {"email"}
    assert dotted not in found
    assert longer not in found


def test_the_same_name_without_accents_in_the_same_province_is_a_possible_duplicate(
    app, shop, member
):
    # The member is Phạm Minh Anh, in Hồ Chí Minh
    same = make_guest(app, shop, last_name="PHAM", first_name="minh  anh")
    add_address(app, same, province="Hồ Chí Minh")
    elsewhere = make_guest(app, shop, last_name="Phạm", first_name="Minh Anh")
    add_address(app, elsewhere, province="Thành phố Hà Nội")
    nowhere = make_guest(app, shop, last_name="Phạm", first_name="Minh Anh")
    longer = make_guest(app, shop, last_name="Phạm", first_name="Minh Anhh")
    add_address(app, longer, province="Hồ Chí Minh")
    assert suggestions(app, shop, member.id) == {same: {"name"}}
    assert suggestions(app, shop, nowhere) == {}


def test_a_staff_role_is_shown_only_the_duplicates_assigned_to_them(app, shop, member, guest):
    staff = make_staff(app, shop, "nv@example.com", Role.STAFF)
    assert suggestions(app, shop, member.id, assigned_to=staff.id) == {}
    with app.app_context():
        db.session.get(Customer, guest).assigned_staff_id = staff.id
        db.session.commit()
    assert suggestions(app, shop, member.id, assigned_to=staff.id) == {guest: {"phone"}}


def test_the_list_flags_possible_duplicates_in_two_queries(
    app, client, shop, as_owner, member, guest
):
    alone = make_guest(app, shop, last_name="Lê", first_name="Hoa", phone="+84903000111")
    raw_customer(app, shop, first_name="Hoa", email="HOA@example.com")
    with app.app_context():
        db.session.get(Customer, alone).email = "hoa@example.com"
        db.session.commit()
    single = make_guest(app, shop, last_name="Trần", first_name="Bình", phone="+84903000222")
    page = client.get(f"/{shop.slug}/admin/customers").text
    flagged = re.findall(
        r'/admin/customers/(\d+)"[^<]*</a>\s*<div[^>]*customer-flags">.*?customer-duplicate-flag',
        page,
        re.S,
    )
    assert {int(i) for i in flagged} >= {member.id, guest, alone}
    assert str(single) not in flagged
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        customers = db.session.scalars(select(Customer).where(Customer.shop_id == shop.id)).all()
        with Statements(app) as seen:
            flags = duplicates.duplicate_flags(shop=shop_row, customers=customers)
    assert len(seen) <= 2
    assert single not in flags
    assert {member.id, guest, alone} <= flags


def test_the_record_suggests_its_duplicates_with_a_merge_button(
    app, client, shop, as_owner, member, guest
):
    page = client.get(f"/{shop.slug}/admin/customers/{member.id}").text
    card = page.split('class="card border-warning-subtle', 1)[1].split("</section>", 1)[0]
    assert "Possible duplicates" in card
    assert "same phone number" in card
    assert f"/admin/customers/{guest}" in card
    assert f"/admin/customers/{member.id}/merge/{guest}" in card


def test_a_staff_role_sees_no_merge_nor_delete_buttons(app, client, auth, shop, member, guest):
    staff = make_staff(app, shop, "nv@example.com", Role.STAFF)
    with app.app_context():
        for customer_id in (member.id, guest):
            db.session.get(Customer, customer_id).assigned_staff_id = staff.id
        db.session.commit()
    auth.login_staff(staff)
    page = client.get(f"/{shop.slug}/admin/customers/{member.id}").text
    assert "Possible duplicates" in page
    assert "/merge" not in page
    assert f"/customers/{member.id}/delete" not in page


# --- Merging --------------------------------------------------------------------------


def merge_url(shop, first, second):
    return f"/{shop.slug}/admin/customers/{first}/merge/{second}"


def test_the_merge_page_shows_both_and_keeps_the_member_by_default(
    app, client, shop, as_owner, member, guest
):
    page = client.get(merge_url(shop, guest, member.id)).text
    assert MEMBER_EMAIL in page
    assert "Công ty Mai" in page
    checked = dict(re.findall(r'name="(\w+)" value="(a|b)" id="[\w-]+" checked', page))
    # The member (b) is kept with its status and email; the guest's company fills a gap
    assert checked["keep"] == "b"
    assert checked["status"] == "b"
    assert checked["email"] == "b"
    assert checked["company"] == "a"
    assert checked["names"] == "b"


def test_merging_moves_every_kind_of_row_and_deduplicates(
    app, client, shop, as_owner, owner, member, guest, products
):
    p1, p2, _ = products
    fill_record(app, shop, member.id, tags=["VIP"], products=[p1])
    fill_record(
        app,
        shop,
        guest,
        tags=["VIP", "tiềm năng"],
        products=[p1, p2],
        phones=["+84987654321"],
        note="Giao giờ hành chính",
        orders=2,
    )
    response = client.post(
        merge_url(shop, guest, member.id),
        data={"keep": "b", "company": "a"},
    )
    assert "is merged into this record" in flashes_of(follow(client, response))
    assert response.headers["Location"].endswith(f"/admin/customers/{member.id}")
    with app.app_context():
        assert db.session.get(Customer, guest) is None
        kept = db.session.get(Customer, member.id)
        assert [(p.number, p.is_primary) for p in kept.phones] == [
            (SHARED_PHONE, True),
            ("+84987654321", False),
        ]
        assert sorted(kept.tag_names) == ["VIP", "tiềm năng"]
        assert [a.is_default for a in kept.addresses] == [True, False]
        assert kept.province == "Hồ Chí Minh"
        assert [n.body for n in kept.notes] == ["Giao giờ hành chính"]
        assert kept.company == "Công ty Mai"
        assert kept.status == CustomerStatus.OFFICIAL
        assert kept.email == MEMBER_EMAIL
        assert (kept.orders_count, kept.total_spent) == (2, 2 * 530_000)
        assert kept.last_order_at is not None
        assert "0987654321" in kept.search_text
        merged = kept.events[0]
        assert merged.type == CustomerEvents.MERGED
        assert merged.staff_id == owner.id
        assert merged.data["code"] == "KH000002"
        assert [e.type for e in kept.events].count(CustomerEvents.CREATED_FROM_CHECKOUT) == 2
    assert sorted(customer_ids_of(app, Favourite)) == [member.id, member.id]
    assert count(app, Favourite, Favourite.product_id == p1) == 1
    assert set(customer_ids_of(app, Order)) == {member.id}
    assert set(customer_ids_of(app, OutboxMessage)) == {member.id}
    assert set(customer_ids_of(app, RegistrationClaim)) == {member.id}
    assert count(app, CustomerTag) == 2
    assert set(customer_ids_of(app, CustomerEvent)) == {member.id}
    assert count(app, Customer, Customer.id == guest) == 0


def test_the_kept_record_may_take_the_other_records_email_status_and_password(
    app, client, shop, as_owner, member, guest
):
    # Given the member is signed in on a phone
    phone = app.test_client()
    phone.post(f"/{shop.slug}/account/login", data={"login": MEMBER_EMAIL, "password": PASSWORD})
    assert phone.get(f"/{shop.slug}/account/").status_code == 200
    other_device = open_session(app, shop, member.id)
    # When the guest's record is kept with the member's email, names and status
    response = client.post(
        merge_url(shop, guest, member.id),
        data={"keep": "a", "email": "b", "status": "b", "names": "b"},
    )
    follow(client, response)
    with app.app_context():
        assert db.session.get(Customer, member.id) is None
        kept = db.session.get(Customer, guest)
        assert kept.email == MEMBER_EMAIL
        assert kept.status == CustomerStatus.OFFICIAL
        assert kept.check_password(PASSWORD)
        assert db.session.get(LoginSession, other_device) is None
    # Then the member's sessions ended, and they log in to the kept record
    assert phone.get(f"/{shop.slug}/account/").status_code == 302
    again = app.test_client()
    login = again.post(
        f"/{shop.slug}/account/login", data={"login": MEMBER_EMAIL, "password": PASSWORD}
    )
    assert login.status_code == 302
    assert again.get(f"/{shop.slug}/account/").status_code == 200


def test_a_record_is_not_merged_with_itself(app, client, shop, as_owner, member):
    response = client.post(merge_url(shop, member.id, member.id), data={"keep": "a"})
    assert "cannot be merged with itself" in flashes_of(follow(client, response))
    assert client.get(merge_url(shop, member.id, member.id)).status_code == 302
    assert count(app, Customer, Customer.id == member.id) == 1


def test_a_choice_that_is_neither_record_merges_nothing(app, client, shop, as_owner, member, guest):
    response = client.post(merge_url(shop, guest, member.id), data={"keep": "c"})
    assert response.status_code == 200
    assert "Choose one of the options." in response.text
    assert count(app, Customer, Customer.id.in_([member.id, guest])) == 2


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_shops_record_cannot_be_merged(
    app, client, shop, as_owner, member, foreign, method
):
    for first, second in ((member.id, foreign), (foreign, member.id), (10**25, member.id)):
        call = getattr(client, method)
        assert call(merge_url(shop, first, second), data={"keep": "a"}).status_code == 404
    assert count(app, Customer, Customer.id.in_([member.id, foreign])) == 2


def test_merge_by_code_finds_this_shops_record_only(
    app, client, shop, as_owner, member, guest, foreign
):
    with app.app_context():
        guest_code = db.session.get(Customer, guest).code
        db.session.get(Customer, foreign).code = "KH777777"
        db.session.commit()
    find = f"/{shop.slug}/admin/customers/{member.id}/merge"
    found = client.get(find, query_string={"code": f" {guest_code.lower()} "})
    assert found.headers["Location"].endswith(merge_url(shop, member.id, guest))
    other = client.get(find, query_string={"code": "KH777777"})
    assert "No customer has the code “KH777777”." in flashes_of(follow(client, other))


@pytest.mark.parametrize(
    "path",
    ["/merge/{b}", "/merge?code=KH000001", "/delete"],
)
def test_a_staff_role_may_neither_merge_nor_delete(
    app, client, auth, shop, staff_member, member, guest, path
):
    with app.app_context():
        for customer_id in (member.id, guest):
            db.session.get(Customer, customer_id).assigned_staff_id = staff_member.id
        db.session.commit()
    auth.login_staff(staff_member)
    url = f"/{shop.slug}/admin/customers/{member.id}" + path.format(b=guest)
    if path != "/delete":
        assert client.get(url).status_code == 403
    assert client.post(url, data={"keep": "a"}).status_code in (403, 405)
    assert count(app, Customer, Customer.id.in_([member.id, guest])) == 2


def test_the_merge_service_refuses_another_shops_record(app, shop, member, foreign):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        with pytest.raises(customer_merge.MergeRefused):
            customer_merge.merge_customers(
                shop=shop_row,
                keep=db.session.get(Customer, member.id),
                other=db.session.get(Customer, foreign),
                from_other=set(),
                staff=None,
            )


# --- Deleting -------------------------------------------------------------------------


def test_the_delete_button_says_how_many_orders_are_kept(app, client, shop, as_owner, member):
    make_order(app, shop, customer_id=member.id)
    make_order(app, shop, customer_id=member.id, status="cancelled")
    page = client.get(f"/{shop.slug}/admin/customers/{member.id}").text
    form = page.split('class="customer-delete"', 1)[1].split(">", 1)[0]
    assert "Their 2 orders stay with the shop" in form.replace("&#39;", "'")


def test_deleting_a_customer_removes_the_person_and_keeps_the_orders(
    app, client, shop, as_owner, member, products
):
    fill_record(
        app, shop, member.id, tags=["VIP"], products=products[:2], note="Khách quen", orders=2
    )
    session_id = open_session(app, shop, member.id)
    orders_before = count(app, Order)
    response = client.post(f"/{shop.slug}/admin/customers/{member.id}/delete")
    assert response.headers["Location"].endswith("/admin/customers")
    assert "Their 2 orders stay with the shop." in flashes_of(follow(client, response))
    assert count(app, Customer, Customer.id == member.id) == 0
    for model in (CustomerPhone, Address, CustomerTag, CustomerNote, CustomerEvent, Favourite):
        assert count(app, model) == 0, model
    assert count(app, RegistrationClaim) == 0
    with app.app_context():
        assert db.session.get(LoginSession, session_id) is None
        orders = db.session.scalars(select(Order)).all()
        assert len(orders) == orders_before == 2
        assert {o.customer_id for o in orders} == {None}
        assert {o.full_name for o in orders} == {"Phạm Minh Anh"}
        assert {o.total for o in orders} == {530_000}
        mail = db.session.scalars(select(OutboxMessage)).one()
        assert mail.customer_id is None
        assert mail.to_address == MEMBER_EMAIL
        order_id = orders[0].id
    assert client.get(f"/{shop.slug}/admin/orders/{order_id}").status_code == 200
    assert client.get(f"/{shop.slug}/admin/customers/{member.id}").status_code == 404


def test_another_shops_customer_cannot_be_deleted(app, client, shop, as_owner, foreign):
    assert client.post(f"/{shop.slug}/admin/customers/{foreign}/delete").status_code == 404
    assert client.get(f"/{shop.slug}/admin/customers/{foreign}/delete").status_code == 405
    assert count(app, Customer, Customer.id == foreign) == 1


def test_a_bulk_delete_deletes_this_shops_ticked_customers_only(
    app, client, shop, as_owner, member, guest, foreign
):
    make_order(app, shop, customer_id=guest)
    response = client.post(
        f"/{shop.slug}/admin/customers/bulk",
        data={"action": "delete", "customer_ids": [member.id, guest, foreign]},
    )
    message = flashes_of(follow(client, response))
    assert "2 customers deleted. Orders kept for the shop: 1." in message
    assert count(app, Customer, Customer.id.in_([member.id, guest])) == 0
    assert count(app, Customer, Customer.id == foreign) == 1
    assert count(app, Order) == 1


def test_the_bulk_select_offers_delete_with_its_own_question(client, shop, as_owner, member):
    page = client.get(f"/{shop.slug}/admin/customers").text
    option = re.search(r'<option value="delete"[^>]*>', page).group(0)
    assert "data-bulk-question" in option
    assert "{n}" in option


def test_the_delete_service_counts_the_orders_it_keeps(app, shop, member):
    make_order(app, shop, customer_id=member.id)
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = db.session.get(Customer, member.id)
        assert personal_data.order_count(customer) == 1
        assert personal_data.delete_customer(shop=shop_row, customer=customer) == 1
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(StaffUser)) >= 1
