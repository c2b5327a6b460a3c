"""Changing a customer's record in the admin: the contact (with the group and the assigned
staff member), the phones and the address book. Whoever may see the customer may change
them; another shop's rows, another customer's phone or address, and a customer not assigned
to a ``staff`` role are 404; bad input is refused beside its field with nothing written.
The admin client speaks English here."""

from datetime import date

import pytest
from sqlalchemy import select

from core.extensions import db
from models import (
    Address,
    Customer,
    CustomerEvent,
    CustomerGroup,
    CustomerPhone,
    OutboxMessage,
    Shop,
    StaffUser,
    utcnow,
)
from services import customer_records as record_service
from tests.factories import add_address, make_guest, make_member


@pytest.fixture(autouse=True)
def in_english(client):
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def member(app, shop):
    return make_member(app, shop, "lan@example.com", phone="+84912345678", first_name="Lan")


def group_of(app, shop, name="Khách sỉ"):
    with app.app_context():
        group = CustomerGroup(shop_id=shop.id, name=name)
        db.session.add(group)
        db.session.commit()
        return group.id


def customer_row(app, customer_id):
    """(names, email, confirmed, gender, birthday, company, marketing, consent source, group,
    assigned staff) of the customer as stored."""
    with app.app_context():
        c = db.session.get(Customer, customer_id)
        return {
            "name": (c.last_name, c.first_name),
            "email": c.email,
            "confirmed": c.email_verified_at is not None,
            "gender": c.gender,
            "birthday": c.birthday,
            "company": c.company,
            "marketing": (c.accepts_marketing, c.marketing_consent_source),
            "group": c.group_id,
            "staff": c.assigned_staff_id,
            "phones": [(p.number, p.is_primary) for p in c.phones],
            "addresses": [(a.line1, a.province, a.is_default) for a in c.addresses],
            "province": c.province,
        }


def events_of(app, customer_id):
    with app.app_context():
        rows = db.session.scalars(
            select(CustomerEvent)
            .where(CustomerEvent.customer_id == customer_id)
            .order_by(CustomerEvent.id)
        ).all()
        return [(e.type, e.staff_id, e.data) for e in rows]


def mails(app):
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [(m.kind, m.to_address) for m in rows]


def record(client, shop, customer_id):
    response = client.get(f"/{shop.slug}/admin/customers/{customer_id}")
    assert response.status_code == 200
    return response.text


def contact(**changes):
    """A full post of the contact form, as the page sends it."""
    values = {
        "last_name": "Trần",
        "first_name": "Lan",
        "email": "lan@example.com",
        "gender": "",
        "birthday": "",
        "company": "",
        "group": "",
        "assigned_staff": "",
    }
    values.update(changes)
    return values


def edit(client, shop, customer_id, **changes):
    return client.post(f"/{shop.slug}/admin/customers/{customer_id}/edit", data=contact(**changes))


# --- The contact ----------------------------------------------------------------------


def test_the_record_offers_the_edit_page_with_the_contact_filled_in(
    app, client, auth, shop, owner, member
):
    auth.login_staff(owner)
    page = record(client, shop, member.id)
    assert f"/customers/{member.id}/edit" in page
    form = client.get(f"/{shop.slug}/admin/customers/{member.id}/edit")
    assert form.status_code == 200
    assert 'value="lan@example.com"' in form.text
    assert 'name="assigned_staff"' in form.text


def test_a_manager_changes_the_contact_group_and_assigned_staff(
    app, client, auth, shop, manager, staff_member, member
):
    group = group_of(app, shop)
    auth.login_staff(manager)
    response = edit(
        client,
        shop,
        member.id,
        first_name="Ngọc Lan",
        gender="female",
        birthday="1995-11-20",
        company="Công ty May Việt",
        accepts_marketing="y",
        group=str(group),
        assigned_staff=str(staff_member.id),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/customers/{member.id}")

    row = customer_row(app, member.id)
    assert row["name"] == ("Trần", "Ngọc Lan")
    assert (row["gender"], row["birthday"]) == ("female", date(1995, 11, 20))
    assert row["company"] == "Công ty May Việt"
    assert row["marketing"] == (True, "admin")
    assert (row["group"], row["staff"]) == (group, staff_member.id)
    # The email did not change: it stays as it was, and nobody is emailed
    assert row["email"] == "lan@example.com"
    assert mails(app) == []

    kinds = [(kind, staff) for kind, staff, _ in events_of(app, member.id)]
    assert kinds == [
        ("profile_updated", manager.id),
        ("group_changed", manager.id),
        ("staff_assigned", manager.id),
    ]
    profile = events_of(app, member.id)[0][2]
    assert set(profile["fields"]) == {
        "last_name",
        "first_name",
        "gender",
        "birthday",
        "company",
        "accepts_marketing",
    }

    page = record(client, shop, member.id)
    assert "Công ty May Việt" in page
    assert "Khách sỉ" in page
    assert "nhanvien@example.com" in page
    assert "Profile updated: last name, first name, gender, birthday, company" in page
    assert "Moved to the group “Khách sỉ”" in page
    assert "Assigned to nhanvien@example.com" in page


def test_saving_an_unchanged_contact_writes_nothing(app, client, auth, shop, owner, member):
    auth.login_staff(owner)
    edit(client, shop, member.id, last_name="Phạm")
    assert events_of(app, member.id) == []


def test_a_members_new_email_must_be_confirmed_again(app, client, auth, shop, owner, member):
    with app.app_context():
        db.session.get(Customer, member.id).email_verified_at = utcnow()
        db.session.commit()
    auth.login_staff(owner)
    response = edit(client, shop, member.id, last_name="Phạm", email="  Lan.Tran@Example.COM ")
    assert response.status_code == 302

    row = customer_row(app, member.id)
    assert row["email"] == "lan.tran@example.com"
    assert row["confirmed"] is False
    assert events_of(app, member.id)[0] == (
        "email_changed",
        owner.id,
        {"old": "lan@example.com", "new": "lan.tran@example.com"},
    )
    # A link to confirm the new address, and a notice at the old one
    assert mails(app) == [
        ("member_confirm_email", "lan.tran@example.com"),
        ("member_email_changed", "lan@example.com"),
    ]
    page = record(client, shop, member.id)
    assert "Email address changed from lan@example.com to lan.tran@example.com" in page
    assert "Not confirmed yet" in page


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-email", "This email address is not valid."),
        ("Mai@Example.com", "This email address is already used by another account."),
        ("", "A member&#39;s account needs an email address."),
    ],
)
def test_a_bad_or_taken_email_is_refused_and_nothing_is_written(
    app, client, auth, shop, owner, member, email, message
):
    make_guest(app, shop, email="mai@example.com", first_name="Mai")
    group = group_of(app, shop)
    auth.login_staff(owner)
    before = customer_row(app, member.id)
    response = edit(client, shop, member.id, email=email, first_name="Khác", group=str(group))
    assert response.status_code == 200
    assert message in response.text
    assert 'id="email-error"' in response.text
    assert customer_row(app, member.id) == before
    assert events_of(app, member.id) == []
    assert mails(app) == []


def test_each_refusal_shows_beside_its_field(app, client, auth, shop, owner, other_shop, member):
    foreign_group = group_of(app, other_shop)
    auth.login_staff(owner)
    before = customer_row(app, member.id)
    response = edit(
        client,
        shop,
        member.id,
        email="lan@",
        birthday="2999-01-01",
        group=str(foreign_group),
    )
    assert response.status_code == 200
    for field in ("email", "birthday", "group"):
        assert f'id="{field}-error"' in response.text, field
    assert "Enter a real date of birth." in response.text
    assert customer_row(app, member.id) == before


def test_a_guests_email_may_be_taken_away(app, client, auth, shop, owner):
    guest = make_guest(app, shop, email="khach@example.com", first_name="Lan")
    auth.login_staff(owner)
    assert edit(client, shop, guest, email="").status_code == 302
    assert customer_row(app, guest)["email"] is None
    assert mails(app) == []  # a guest has no account to be told about


def test_another_shops_staff_member_cannot_be_assigned(
    app, client, auth, shop, owner, other_owner, member
):
    auth.login_staff(owner)
    response = edit(client, shop, member.id, assigned_staff=str(other_owner.id))
    assert response.status_code == 200
    assert "Choose one of the shop&#39;s staff." in response.text
    assert customer_row(app, member.id)["staff"] is None


# --- A staff role ---------------------------------------------------------------------


def assign(app, customer_id, staff_id):
    with app.app_context():
        db.session.get(Customer, customer_id).assigned_staff_id = staff_id
        db.session.commit()


def record_routes(shop, customer_id, phone_id, address_id):
    base = f"/{shop.slug}/admin/customers/{customer_id}"
    return [
        ("GET", f"{base}/edit"),
        ("POST", f"{base}/edit"),
        ("POST", f"{base}/phones"),
        ("POST", f"{base}/phones/{phone_id}/primary"),
        ("POST", f"{base}/phones/{phone_id}/delete"),
        ("GET", f"{base}/addresses/new"),
        ("POST", f"{base}/addresses/new"),
        ("GET", f"{base}/addresses/{address_id}/edit"),
        ("POST", f"{base}/addresses/{address_id}/edit"),
        ("POST", f"{base}/addresses/{address_id}/delete"),
        ("POST", f"{base}/addresses/{address_id}/default"),
    ]


def first_phone(app, customer_id):
    with app.app_context():
        return db.session.scalar(
            select(CustomerPhone.id).where(CustomerPhone.customer_id == customer_id)
        )


def test_a_staff_role_cannot_change_a_customer_not_assigned_to_them(
    app, client, auth, shop, staff_member, manager, member
):
    address = add_address(app, member.id)
    assign(app, member.id, manager.id)
    before = customer_row(app, member.id)
    auth.login_staff(staff_member)
    for method, path in record_routes(shop, member.id, first_phone(app, member.id), address):
        data = contact(number="0987654321", full_name="X", ward="Y", line1="Z")
        response = client.open(path, method=method, data=data)
        assert response.status_code == 404, (method, path)
    assert customer_row(app, member.id) == before
    assert events_of(app, member.id) == []


def test_a_staff_role_edits_their_customer_but_not_the_assignment(
    app, client, auth, shop, staff_member, manager, member
):
    assign(app, member.id, staff_member.id)
    auth.login_staff(staff_member)
    form = client.get(f"/{shop.slug}/admin/customers/{member.id}/edit")
    assert form.status_code == 200
    assert 'name="assigned_staff"' not in form.text
    assert "Only the owner or a manager can choose who looks after a customer." in form.text

    # A crafted post that gives the customer to someone else changes the rest only
    response = edit(client, shop, member.id, company="Nhà may Lan", assigned_staff=str(manager.id))
    assert response.status_code == 302
    row = customer_row(app, member.id)
    assert (row["company"], row["staff"]) == ("Nhà may Lan", staff_member.id)
    assert [kind for kind, _, _ in events_of(app, member.id)] == ["profile_updated"]


def test_the_service_refuses_a_staff_role_that_changes_the_assignment(
    app, shop, staff_member, manager, member
):
    assign(app, member.id, staff_member.id)
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = db.session.get(Customer, member.id)
        with pytest.raises(record_service.RecordRefused) as refused:
            record_service.update_contact(
                shop=shop_row,
                customer=customer,
                staff=db.session.get(StaffUser, staff_member.id),
                first_name="Lan",
                last_name="Phạm",
                email="lan@example.com",
                assignee_id=manager.id,
            )
        assert set(refused.value.refusals) == {"assigned_staff"}
        db.session.rollback()
    assert customer_row(app, member.id)["staff"] == staff_member.id


def test_another_shops_customer_and_rows_are_not_found(app, client, auth, shop, other_shop, owner):
    theirs = make_member(app, other_shop, "khach@example.com", phone="+84912000111")
    address = add_address(app, theirs.id)
    auth.login_staff(owner)
    for method, path in record_routes(shop, theirs.id, first_phone(app, theirs.id), address):
        response = client.open(path, method=method, data=contact(number="0987654321"))
        assert response.status_code == 404, (method, path)
    assert events_of(app, theirs.id) == []


def test_another_customers_phone_or_address_is_not_found(app, client, auth, shop, owner, member):
    other = make_member(app, shop, "binh@example.com", phone="+84912000222").id
    phone, address = first_phone(app, other), add_address(app, other)
    auth.login_staff(owner)
    for method, path in record_routes(shop, member.id, phone, address):
        if "/phones/" not in path and "/addresses/" not in path:
            continue
        if path.endswith("/addresses/new"):
            continue
        response = client.open(path, method=method, data={"full_name": "X"})
        assert response.status_code == 404, (method, path)
    assert customer_row(app, other)["phones"] == [("+84912000222", True)]
    assert len(customer_row(app, other)["addresses"]) == 1


# --- Phones ---------------------------------------------------------------------------


def add_phone(client, shop, customer_id, number):
    return client.post(
        f"/{shop.slug}/admin/customers/{customer_id}/phones",
        data={"number": number},
        follow_redirects=True,
    )


def test_a_second_phone_is_added_made_main_and_removed(app, client, auth, shop, owner, member):
    # The number is another customer's too (a family's phone): that is allowed
    make_guest(app, shop, phone="+84987654321", first_name="Bố")
    auth.login_staff(owner)
    page = add_phone(client, shop, member.id, "0987 654 321")
    assert "Phone number added." in page.text
    assert customer_row(app, member.id)["phones"] == [
        ("+84912345678", True),
        ("+84987654321", False),
    ]

    second = next(
        phone_id for phone_id, number in phones_of(app, member.id) if number == "+84987654321"
    )
    base = f"/{shop.slug}/admin/customers/{member.id}/phones/{second}"
    page = client.post(f"{base}/primary", follow_redirects=True)
    assert "0987 654 321 is now the main phone number." in page.text
    assert customer_row(app, member.id)["phones"][0] == ("+84987654321", True)

    page = client.post(f"{base}/delete", follow_redirects=True)
    assert "Phone number removed." in page.text
    assert customer_row(app, member.id)["phones"] == [("+84912345678", True)]

    assert [(kind, staff) for kind, staff, _ in events_of(app, member.id)] == [
        ("phone_added", owner.id),
        ("primary_phone_changed", owner.id),
        ("phone_removed", owner.id),
    ]
    assert "Phone number added: 0987 654 321" in page.text
    assert "Main phone number is now 0987 654 321" in page.text
    assert "Phone number removed: 0987 654 321" in page.text


def phones_of(app, customer_id):
    with app.app_context():
        return db.session.execute(
            select(CustomerPhone.id, CustomerPhone.number).where(
                CustomerPhone.customer_id == customer_id
            )
        ).all()


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("12345", "This phone number is not valid."),
        ("abc", "This phone number is not valid."),
        ("", "Please fill in this field."),
        ("+84 912 345 678", "This phone number is already on this account."),
    ],
)
def test_a_bad_phone_is_refused_and_nothing_is_written(
    app, client, auth, shop, owner, member, number, message
):
    auth.login_staff(owner)
    page = add_phone(client, shop, member.id, number)
    assert message in page.text
    assert customer_row(app, member.id)["phones"] == [("+84912345678", True)]
    assert events_of(app, member.id) == []


# --- Addresses ------------------------------------------------------------------------


def address_form(**changes):
    values = {
        "full_name": "Trần Ngọc Lan",
        "phone": "0912 345 678",
        "province": "Hà Nội",
        "ward": "Phường Hoàn Kiếm",
        "line1": "12 Hàng Bài",
        "district": "",
    }
    values.update(changes)
    return values


def test_the_address_book_is_kept_from_the_record(app, client, auth, shop, manager, member):
    auth.login_staff(manager)
    base = f"/{shop.slug}/admin/customers/{member.id}/addresses"
    form = client.get(f"{base}/new")
    assert form.status_code == 200
    assert "Hồ Chí Minh" in form.text  # the province select
    assert 'value="Phạm Lan"' in form.text  # the customer's name, to start from

    response = client.post(f"{base}/new", data=address_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/customers/{member.id}#addresses")
    client.post(
        f"{base}/new",
        data=address_form(province="TP HCM", ward="Phường Sài Gòn", line1="45 Lê Lợi"),
    )
    row = customer_row(app, member.id)
    # The first address is the default; an old way of writing a province is stored as it is now
    assert row["addresses"] == [
        ("12 Hàng Bài", "Hà Nội", True),
        ("45 Lê Lợi", "Hồ Chí Minh", False),
    ]
    assert row["province"] == "Hà Nội"

    with app.app_context():
        first, second = db.session.scalars(
            select(Address.id).where(Address.customer_id == member.id).order_by(Address.id)
        ).all()
    edit_form = client.get(f"{base}/{second}/edit")
    assert 'value="45 Lê Lợi"' in edit_form.text
    client.post(
        f"{base}/{second}/edit",
        data=address_form(line1="47 Lê Lợi", province="Hồ Chí Minh", ward="Phường Sài Gòn"),
    )
    client.post(f"{base}/{second}/default")
    row = customer_row(app, member.id)
    assert row["addresses"] == [
        ("47 Lê Lợi", "Hồ Chí Minh", True),
        ("12 Hàng Bài", "Hà Nội", False),
    ]
    assert row["province"] == "Hồ Chí Minh"

    page = client.post(f"{base}/{second}/delete", follow_redirects=True)
    assert "Address deleted." in page.text
    row = customer_row(app, member.id)
    assert row["addresses"] == [("12 Hàng Bài", "Hà Nội", True)]
    assert row["province"] == "Hà Nội"

    assert [(kind, staff) for kind, staff, _ in events_of(app, member.id)] == [
        ("address_added", manager.id),
        ("address_added", manager.id),
        ("address_updated", manager.id),
        ("default_address_changed", manager.id),
        ("address_removed", manager.id),
    ]
    for line in (
        "Address added: 12 Hàng Bài, Phường Hoàn Kiếm, Hà Nội",
        "Address changed: 47 Lê Lợi, Phường Sài Gòn, Hồ Chí Minh",
        "Default address is now 47 Lê Lợi, Phường Sài Gòn, Hồ Chí Minh",
        "Address removed: 47 Lê Lợi, Phường Sài Gòn, Hồ Chí Minh",
    ):
        assert line in page.text, line


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ward": ""}, "ward", "Please fill in this field."),
        ({"phone": "12345"}, "phone", "This phone number is not valid."),
        ({"province": "Atlantis"}, "province", "Choose a province or city from the list."),
    ],
)
def test_a_bad_address_is_refused_beside_its_field(
    app, client, auth, shop, owner, member, changes, field, message
):
    auth.login_staff(owner)
    response = client.post(
        f"/{shop.slug}/admin/customers/{member.id}/addresses/new", data=address_form(**changes)
    )
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    assert customer_row(app, member.id)["addresses"] == []
    assert events_of(app, member.id) == []
