"""A shopper registers as a member of a shop."""

import re

import pytest
from sqlalchemy import select

from core.extensions import db
from models import Customer, CustomerStatus, Shop
from services import customers as customer_service
from tests.conftest import PASSWORD
from tests.mail import sent_link
from tests.storefront import count, event_types, outbox, without_tokens

FORM = {
    "last_name": "Phạm",
    "first_name": "Minh Anh",
    "email": "Minh.Anh@Example.com",
    "phone": "0912 345 678",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
}


def register(client, shop, **changes):
    return client.post(f"/{shop.slug}/account/register", data={**FORM, **changes})


def set_shop(app, shop, **settings):
    with app.app_context():
        row = db.session.get(Shop, shop.id)
        for name, value in settings.items():
            setattr(row, name, value)
        db.session.commit()


def test_registration_creates_a_temporary_member_and_says_to_wait_for_approval(
    app, client, shop, owner
):
    response = register(client, shop, accepts_marketing="y")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/{shop.slug}/account/register/done"
    page = client.get(response.headers["Location"])
    assert "Thank you for registering!" in page.text
    assert "as soon as your account is approved" in page.text
    with app.app_context():
        customer = db.session.scalars(select(Customer)).one()
        assert customer.shop_id == shop.id
        assert customer.code == "KH000001"
        assert customer.status == CustomerStatus.TEMPORARY
        assert customer.email == "minh.anh@example.com"
        assert (customer.last_name, customer.first_name) == ("Phạm", "Minh Anh")
        assert [p.number for p in customer.phones] == ["+84912345678"]
        assert customer.check_password(PASSWORD)
        assert customer.accepts_marketing is True
        assert "registered" in event_types(customer.id)
        # One email to the shopper, one to each manager (here the owner) to review it.
        assert outbox() == [
            ("member_registered", "minh.anh@example.com"),
            ("staff_new_member", owner.email),
        ]


def test_without_the_staff_notice_only_the_shopper_gets_an_email(app, client, shop):
    set_shop(app, shop, notify_staff_of_registrations=False)
    register(client, shop)
    with app.app_context():
        assert outbox() == [("member_registered", "minh.anh@example.com")]


def test_a_shop_that_approves_automatically_makes_an_official_member(app, client, shop):
    set_shop(app, shop, auto_approve_members=True)

    page = register(client, shop)
    page = client.get(page.headers["Location"])

    assert "then log in with your email or phone number" in page.text
    with app.app_context():
        customer = db.session.scalars(select(Customer)).one()
        assert customer.status == CustomerStatus.OFFICIAL
        assert outbox() == [("member_registered", "minh.anh@example.com")]
    login = client.post(
        f"/{shop.slug}/account/login", data={"login": "0912345678", "password": PASSWORD}
    )
    assert login.headers["Location"] == f"/{shop.slug}/account/"


def test_an_existing_members_email_gets_the_same_page_and_only_a_notice(app, shop, member):
    set_shop(app, shop, notify_staff_of_registrations=False)
    newcomer, again = app.test_client(), app.test_client()
    for client in (newcomer, again):
        client.post("/language", data={"lang": "en"})

    new = register(newcomer, shop, email="moi@example.com", phone="")
    existing = register(again, shop, email=member.email.upper(), phone="", first_name="Kẻ Lạ")

    assert new.status_code == existing.status_code == 302
    assert new.headers["Location"] == existing.headers["Location"]
    assert without_tokens(newcomer.get(new.headers["Location"]).text) == without_tokens(
        again.get(existing.headers["Location"]).text
    )
    with app.app_context():
        assert count(Customer, Customer.email == member.email) == 1
        kept = db.session.get(Customer, member.id)
        assert kept.first_name == "Minh Anh"
        assert kept.check_password(member.password)
        assert outbox() == [
            ("member_registered", "moi@example.com"),
            ("member_exists", member.email),
        ]


def add_guest(app, shop, email="minh.anh@example.com", phone=None):
    """A guest record as a checkout leaves it."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        guest = Customer(
            shop_id=shop.id,
            shop=shop_row,
            code=customer_service.next_customer_code(shop_row),
            email=email,
            first_name="Anh",
            status=CustomerStatus.GUEST,
        )
        db.session.add(guest)
        if phone:
            customer_service.add_phone(customer=guest, number=phone)
        db.session.commit()
        return guest.id, guest.code


def test_registering_with_a_guests_email_gets_the_same_page_and_changes_nothing(app, shop, member):
    # Given a guest known by their checkout, and a member
    set_shop(app, shop, notify_staff_of_registrations=False)
    guest_id, _ = add_guest(app, shop, email="khach@example.com")
    clients = [app.test_client() for _ in range(3)]
    for client in clients:
        client.post("/language", data={"lang": "en"})

    # When three people register: with a new email, the member's and the guest's
    emails = ["moi@example.com", member.email, "khach@example.com"]
    answers = [
        register(client, shop, email=email, phone="")
        for client, email in zip(clients, emails, strict=True)
    ]

    # Then each gets the same answer and the same page
    assert {a.status_code for a in answers} == {302}
    assert {a.headers["Location"] for a in answers} == {f"/{shop.slug}/account/register/done"}
    pages = {
        without_tokens(client.get(a.headers["Location"]).text)
        for client, a in zip(clients, answers, strict=True)
    }
    assert len(pages) == 1
    # And the guest's record is untouched: no password, no membership, nothing to log in to
    with app.app_context():
        guest = db.session.get(Customer, guest_id)
        assert (guest.status, guest.first_name, guest.password_hash) == ("guest", "Anh", None)
        assert [kind for kind, _ in outbox()] == [
            "member_registered",
            "member_exists",
            "member_claim",
        ]
    login = clients[2].post(
        f"/{shop.slug}/account/login",
        data={"login": "khach@example.com", "password": PASSWORD},
    )
    assert login.status_code == 200
    assert "incorrect" in login.text


def test_a_guests_mailbox_finishes_the_registration_with_its_password(app, client, shop):
    # Given someone registered with a guest's email, at a shop that approves automatically
    set_shop(app, shop, notify_staff_of_registrations=False, auto_approve_members=True)
    guest_id, guest_code = add_guest(app, shop)
    register(client, shop)
    with app.app_context():
        link = sent_link("member_claim", "storefront.confirm_registration", shop.slug)

    # When the mailbox's owner opens the link, the page asks for the registration's password
    page = client.get(link)
    assert page.status_code == 200
    assert 'name="password"' in page.text
    assert "minh.anh@example.com" in page.text
    wrong = client.post(link, data={"password": "not the one 99"})
    assert wrong.status_code == 200
    assert "not the password you chose" in wrong.text
    with app.app_context():
        assert db.session.get(Customer, guest_id).status == CustomerStatus.GUEST

    # And with the right one, the guest's record becomes the member, who can log in
    done = client.post(link, data={"password": PASSWORD})
    assert done.headers["Location"] == f"/{shop.slug}/account/login"
    with app.app_context():
        customer = db.session.scalars(select(Customer)).one()
        assert (customer.id, customer.code) == (guest_id, guest_code)
        assert customer.status == CustomerStatus.OFFICIAL
        assert customer.first_name == "Minh Anh"
        assert customer.email_verified_at is not None
    login = client.post(
        f"/{shop.slug}/account/login", data={"login": "0912345678", "password": PASSWORD}
    )
    assert login.headers["Location"] == f"/{shop.slug}/account/"
    # The link is spent
    assert "cannot be used" in client.get(link).text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"password_confirm": "something else"}, "password_confirm", "do not match"),
        ({"password": "short", "password_confirm": "short"}, "password", "at least 8"),
        ({"email": "not-an-email"}, "email", "not valid"),
        ({"email": ""}, "email", "Please fill in this field."),
        ({"phone": "12345"}, "phone", "not valid"),
        ({"first_name": "  "}, "first_name", "Please fill in this field."),
    ],
)
def test_a_form_mistake_is_shown_beside_its_field_and_nothing_is_written(
    app, client, shop, changes, field, message
):
    response = register(client, shop, **changes)

    assert response.status_code == 200
    html = response.text
    field_at = html.index(f'name="{field}"')
    error_at = html.index("invalid-feedback", field_at)
    assert message in html[error_at : html.index("</div>", error_at)]
    with app.app_context():
        assert count(Customer) == 0
        assert outbox() == []


def test_a_phone_another_customer_has_is_taken_like_any_other(app, client, shop, member):
    response = register(client, shop, email="khac@example.com", phone="0912.345.678")

    assert response.headers["Location"] == f"/{shop.slug}/account/register/done"
    with app.app_context():
        newcomer = db.session.scalars(
            select(Customer).where(Customer.email == "khac@example.com")
        ).one()
        assert [p.number for p in newcomer.phones] == ["+84912345678"]
        assert [p.number for p in db.session.get(Customer, member.id).phones] == ["+84912345678"]


def test_the_same_person_can_be_a_member_of_two_shops(app, client, shop, other_shop, member):
    set_shop(app, other_shop, notify_staff_of_registrations=False)
    response = register(client, other_shop, email=member.email)

    assert response.status_code == 302
    with app.app_context():
        assert count(Customer, Customer.email == member.email) == 2
        assert outbox() == [("member_registered", member.email)]


def test_the_form_asks_for_the_family_name_before_the_given_name(client, shop):
    html = client.get(f"/{shop.slug}/account/register").text
    assert html.index('name="last_name"') < html.index('name="first_name"')
    for name in FORM:
        assert f'<label class="form-label" for="{name}"' in html, name
    assert html.count("<h1") == 1


def test_a_signed_in_member_is_sent_to_their_account(client, shop, signed_in):
    response = client.get(f"/{shop.slug}/account/register")
    assert response.headers["Location"] == f"/{shop.slug}/account/"


def test_a_field_in_error_says_so_to_screen_readers(client, shop):
    html = register(client, shop, email="not-an-email").text
    field = re.search(r'<input[^>]*name="email"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="email-error"' in field
    assert re.search(r'<div id="email-error" class="invalid-feedback">[^<]*not valid', html)
    # A field without an error is not marked
    first_name = re.search(r'<input[^>]*name="first_name"[^>]*>', html).group(0)
    assert "aria-invalid" not in first_name
