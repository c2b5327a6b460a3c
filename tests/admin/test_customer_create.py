"""Entering a customer by hand (``/<shop>/admin/customers/new``) with its duplicate policy,
and the invitation to become a member sent from a customer's record. The admin client
speaks English here, so the tests read the texts as written in code."""

import re

import pytest
from sqlalchemy import func, select

from core.extensions import db
from models import Customer, CustomerEvent, CustomerEvents, CustomerStatus, OutboxMessage, Role
from tests.factories import make_guest, make_member, make_staff
from tests.mail import sent_link
from tests.storefront import event_types

NEW = "/{slug}/admin/customers/new"


@pytest.fixture(autouse=True)
def in_english(client):
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def signed_in(auth, owner):
    auth.login_staff(owner)
    return owner


def create(client, shop, **fields):
    return client.post(NEW.format(slug=shop.slug), data={"first_name": "Lan", **fields})


def customers_count(shop):
    return db.session.scalar(
        select(func.count()).select_from(Customer).where(Customer.shop_id == shop.id)
    )


def by_email(shop, email):
    return db.session.scalar(
        select(Customer).where(Customer.shop_id == shop.id, Customer.email == email)
    )


def sent(kind):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def created_id(response):
    match = re.search(r"/admin/customers/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


# --- Entering a customer --------------------------------------------------------------


def test_the_list_offers_to_add_a_customer(client, shop, signed_in):
    page = client.get(f"/{shop.slug}/admin/customers")
    assert f'href="/{shop.slug}/admin/customers/new"' in page.text
    assert "Add a customer" in page.text
    form = client.get(NEW.format(slug=shop.slug))
    assert form.status_code == 200
    for name in ("first_name", "last_name", "email", "phone", "status", "on_duplicate", "code"):
        assert f'name="{name}"' in form.text


def test_a_name_is_enough_and_the_code_is_the_next_one(app, client, shop, signed_in):
    response = create(client, shop, first_name="", last_name="Trần Thị Lan")

    assert response.status_code == 302
    customer_id = created_id(response)
    page = client.get(response.headers["Location"])
    assert "Trần Thị Lan" in page.text
    assert "was added" in page.text
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert customer.status == CustomerStatus.GUEST
        assert re.fullmatch(r"KH\d{6}", customer.code)
        assert customer.assigned_staff_id is None
        assert event_types(customer_id) == [CustomerEvents.CREATED_BY_STAFF]
        assert sent("member_invitation") == []


def test_every_field_is_written(app, client, shop, signed_in):
    response = create(
        client,
        shop,
        last_name="Nguyễn",
        first_name="Hoa",
        email="Hoa.Nguyen@Example.com",
        phone="0912 345 678",
        gender="female",
        birthday="1990-05-17",
        company="Công ty Hoa Mai",
        code="VIP-007",
        accepts_marketing="y",
        address_line1="12 Hàng Bạc",
        address_ward="Phường Hoàn Kiếm",
        address_province="Hà Nội",
    )

    with app.app_context():
        customer = db.session.get(Customer, created_id(response))
        assert (customer.email, customer.primary_phone) == (
            "hoa.nguyen@example.com",
            "+84912345678",
        )
        assert (customer.gender, str(customer.birthday)) == ("female", "1990-05-17")
        assert (customer.company, customer.code) == ("Công ty Hoa Mai", "VIP-007")
        assert customer.accepts_marketing
        assert customer.marketing_consent_source == "admin"
        [address] = customer.addresses
        assert address.is_default
        assert address.full_name == "Nguyễn Hoa"
        assert address.phone == "+84912345678"
        assert customer.province == address.province


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"first_name": "", "last_name": ""}, "Enter the customer&#39;s name."),
        ({"email": "not-an-email"}, "This email address is not valid."),
        ({"phone": "12345"}, "This phone number is not valid."),
        ({"birthday": "17/05/1990x"}, "Enter a date such as 20/11/1995."),
        ({"status": "cancelled"}, "Not a valid choice"),
        ({"on_duplicate": "merge"}, "Not a valid choice"),
        ({"address_line1": "12 Hàng Bạc"}, "Enter the ward or commune."),
        (
            {"address_line1": "1 Lê Lợi", "address_ward": "Bến Nghé", "address_province": "Xyz"},
            "Choose a province or city from the list.",
        ),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(
    app, client, shop, signed_in, fields, message
):
    response = create(client, shop, **fields)

    assert response.status_code == 200
    assert message in response.text
    assert "invalid-feedback" in response.text
    with app.app_context():
        assert customers_count(shop) == 0


def test_a_taken_code_is_refused_beside_the_field(app, client, shop, signed_in):
    taken = make_guest(app, shop)
    with app.app_context():
        code = db.session.get(Customer, taken).code

    response = create(client, shop, code=code)

    assert "Another customer already has this code." in response.text
    with app.app_context():
        assert customers_count(shop) == 1


def test_another_shops_code_and_email_are_free(app, client, shop, other_shop, signed_in):
    theirs = make_guest(app, other_shop, email="lan@example.com")
    with app.app_context():
        code = db.session.get(Customer, theirs).code

    response = create(client, shop, code=code, email="lan@example.com")

    assert response.status_code == 302
    with app.app_context():
        assert by_email(shop, "lan@example.com").code == code


# --- The duplicate policy -------------------------------------------------------------


@pytest.fixture
def existing(app, shop):
    return make_guest(
        app, shop, first_name="An", last_name="Lê", email="an@example.com", phone="+84912345678"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "AN@example.com"}, "Lê An ("),
        ({"phone": "0912345678"}, "already has this phone number."),
    ],
)
def test_a_duplicate_is_refused_by_default_with_a_link_to_the_existing_record(
    app, client, shop, signed_in, existing, fields, message
):
    response = create(client, shop, **fields)

    assert response.status_code == 200
    assert message in response.text
    assert f'href="/{shop.slug}/admin/customers/{existing}"' in response.text
    with app.app_context():
        assert customers_count(shop) == 1


def test_skip_writes_nothing_and_says_which_record_has_it(app, client, shop, signed_in, existing):
    response = create(client, shop, phone="+84 912 345 678", on_duplicate="skip", last_name="X")

    assert response.headers["Location"].endswith(f"/admin/customers/{existing}")
    page = client.get(response.headers["Location"])
    assert "Lê An (KH000001) already has this email or phone: nothing was added." in page.text
    with app.app_context():
        assert customers_count(shop) == 1
        assert db.session.get(Customer, existing).first_name == "An"
        assert event_types(existing) == []


def test_update_writes_the_given_fields_over_the_existing_record(
    app, client, shop, signed_in, existing
):
    response = create(
        client,
        shop,
        first_name="Bình An",
        phone="0987 654 321",
        email="an@example.com",
        company="Tạp hoá An",
        on_duplicate="update",
    )

    assert response.headers["Location"].endswith(f"/admin/customers/{existing}")
    assert "their record was updated" in client.get(response.headers["Location"]).text
    with app.app_context():
        customer = db.session.get(Customer, existing)
        assert customers_count(shop) == 1
        assert (customer.first_name, customer.last_name) == ("Bình An", "Lê")
        assert customer.company == "Tạp hoá An"
        assert [p.number for p in customer.phones] == ["+84912345678", "+84987654321"]
        assert customer.status == CustomerStatus.GUEST
        events = db.session.scalars(
            select(CustomerEvent).where(CustomerEvent.customer_id == existing)
        ).all()
        assert [(e.type, e.staff_id) for e in events] == [
            (CustomerEvents.PROFILE_UPDATED, signed_in.id),
            (CustomerEvents.PHONE_ADDED, signed_in.id),
        ]
        assert events[0].data == {"fields": ["first_name", "company"]}


def test_update_fills_an_email_the_existing_record_lacks(app, client, shop, signed_in):
    guest = make_guest(app, shop, phone="+84912345678")

    create(client, shop, phone="0912345678", email="moi@example.com", on_duplicate="update")

    with app.app_context():
        assert db.session.get(Customer, guest).email == "moi@example.com"


def test_create_anyway_makes_a_second_record_with_the_same_phone(
    app, client, shop, signed_in, existing
):
    response = create(client, shop, phone="0912345678", on_duplicate="create")

    assert response.status_code == 302
    new_id = created_id(response)
    assert new_id != existing
    with app.app_context():
        assert customers_count(shop) == 2
        assert db.session.get(Customer, new_id).primary_phone == "+84912345678"


def test_create_anyway_cannot_share_an_email(app, client, shop, signed_in, existing):
    response = create(client, shop, email="an@example.com", on_duplicate="create")

    assert response.status_code == 200
    assert "Each customer has their own email address" in response.text
    assert f'href="/{shop.slug}/admin/customers/{existing}"' in response.text
    with app.app_context():
        assert customers_count(shop) == 1


# --- Members entered by the shop ------------------------------------------------------


def test_a_temporary_member_with_an_email_is_sent_the_invitation(app, client, shop, signed_in):
    response = create(client, shop, email="mai@example.net", status="temporary")

    customer_id = created_id(response)
    assert (
        "We emailed them a link to choose their password"
        in client.get(response.headers["Location"]).text
    )
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert customer.status == CustomerStatus.TEMPORARY
        assert customer.password_hash is None
        assert event_types(customer_id) == [
            CustomerEvents.CREATED_BY_STAFF,
            CustomerEvents.EMAIL_SENT,
            CustomerEvents.INVITED,
        ]
        link = sent_link("member_invitation", "storefront.accept_invitation", shop.slug)
    assert link.startswith(f"/{shop.slug}/account/invitation/")


def test_an_official_member_without_an_email_is_not_invited(app, client, shop, signed_in):
    response = create(client, shop, phone="0912345678", status="official")

    with app.app_context():
        assert db.session.get(Customer, created_id(response)).status == CustomerStatus.OFFICIAL
        assert sent("member_invitation") == []


# --- A staff role ---------------------------------------------------------------------


@pytest.fixture
def staff_signed_in(app, auth, shop):
    staff = make_staff(app, shop, "nhanvien@example.com", Role.STAFF)
    auth.login_staff(staff)
    return staff


def test_a_customer_a_staff_role_enters_is_assigned_to_them(app, client, shop, staff_signed_in):
    response = create(client, shop, email="lan@example.com")

    assert client.get(response.headers["Location"]).status_code == 200
    with app.app_context():
        assert by_email(shop, "lan@example.com").assigned_staff_id == staff_signed_in.id


def test_a_staff_role_is_not_told_whose_record_is_not_theirs(
    app, client, shop, staff_signed_in, existing
):
    refused = create(client, shop, email="an@example.com")
    assert "A customer of the shop already has this email address." in refused.text
    assert "Lê An" not in refused.text
    assert f"/admin/customers/{existing}" not in refused.text

    # Nor may they update it, or learn which it is by skipping.
    updated = create(client, shop, email="an@example.com", on_duplicate="update")
    assert "A customer of the shop already has this email address." in updated.text
    skipped = create(client, shop, phone="0912345678", on_duplicate="skip")
    assert skipped.headers["Location"].endswith("/admin/customers")
    with app.app_context():
        assert customers_count(shop) == 1
        assert db.session.get(Customer, existing).first_name == "An"


# --- Inviting from the record ---------------------------------------------------------


def invite(client, shop, customer_id):
    return client.post(f"/{shop.slug}/admin/customers/{customer_id}/invite")


def test_a_guest_with_an_email_is_invited_from_their_record(app, client, shop, signed_in, existing):
    record = client.get(f"/{shop.slug}/admin/customers/{existing}")
    assert "Invite to become a member" in record.text

    response = invite(client, shop, existing)

    assert response.headers["Location"].endswith(f"/admin/customers/{existing}")
    assert "We emailed an@example.com a link" in client.get(response.headers["Location"]).text
    with app.app_context():
        [message] = sent("member_invitation")
        assert message.to_address == "an@example.com"
        assert event_types(existing)[-1] == CustomerEvents.INVITED
        assert db.session.get(Customer, existing).status == CustomerStatus.GUEST


def test_only_a_customer_with_an_email_and_no_password_is_invited(app, client, shop, signed_in):
    no_email = make_guest(app, shop, phone="+84912345678")
    member = make_member(app, shop, "thanh.vien@example.com")

    for customer_id in (no_email, member.id):
        assert (
            "Invite to become a member"
            not in client.get(f"/{shop.slug}/admin/customers/{customer_id}").text
        )
        page = client.get(invite(client, shop, customer_id).headers["Location"])
        assert "Only a customer with an email address and no password can be invited." in page.text
    with app.app_context():
        assert sent("member_invitation") == []


def test_another_shops_customer_cannot_be_invited(app, client, shop, other_shop, signed_in):
    theirs = make_guest(app, other_shop, email="an@example.com")

    assert invite(client, shop, theirs).status_code == 404
    assert invite(client, other_shop, theirs).status_code in (302, 403, 404)
    assert invite(client, shop, 10**30).status_code == 404
    with app.app_context():
        assert sent("member_invitation") == []


def test_a_staff_role_invites_only_their_own_customers(
    app, client, shop, staff_signed_in, existing
):
    assert invite(client, shop, existing).status_code == 404
    with app.app_context():
        db.session.get(Customer, existing).assigned_staff_id = staff_signed_in.id
        db.session.commit()

    assert invite(client, shop, existing).status_code == 302
    with app.app_context():
        assert len(sent("member_invitation")) == 1
