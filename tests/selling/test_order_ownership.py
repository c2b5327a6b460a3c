"""A member sees only the orders they proved are theirs: placed while logged in, or with
their own email once a link sent to it was followed. Each test is an attack that worked
before: a phone claimed on a profile, a guest's email registered, an email changed."""

from sqlalchemy import select

from core.extensions import db
from models import Customer, CustomerStatus, Order, Shop
from tests.conftest import PASSWORD
from tests.mail import sent_link
from tests.selling import GUEST, Buyer
from tests.storefront import Shopper, make_member

VICTIM = {**GUEST, "email": "nan.nhan@example.com", "phone": "0903 999 888"}


def orders_page(client, shop):
    return client.get(f"/{shop.slug}/account/orders").text


def guest_checkout(app, shop, product, **contact):
    """A stranger's checkout in a browser of their own; the order's number and id."""
    buyer = Buyer(app.test_client(), shop)
    buyer.client.post("/language", data={"lang": "en"})
    buyer.add(product.id)
    response = buyer.checkout(**{**VICTIM, **contact})
    assert response.status_code == 302, response.text
    with app.app_context():
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        return order.number, order.id


def assert_cannot_reach(client, shop, number):
    assert f"#{number}" not in orders_page(client, shop)
    assert f"#{number}" not in client.get(f"/{shop.slug}/account/").text
    assert client.get(f"/{shop.slug}/account/orders/{number}").status_code == 404
    assert client.post(f"/{shop.slug}/account/orders/{number}/cancel").status_code == 404


def test_a_phone_added_to_a_profile_never_shows_a_strangers_order(
    app, client, shop, signed_in, ao_dai
):
    # Given a member who adds to their profile a number nobody has used yet
    client.post(f"/{shop.slug}/account/profile/phones/add", data={"new_phone": "0903 999 888"})
    # When a stranger checks out as a guest with a new email and that number
    number, order_id = guest_checkout(app, shop, ao_dai)
    # Then the order is not the member's: not on their record, not in their account
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.customer_id != signed_in.id
        assert order.customer.status == "guest"
    assert_cannot_reach(client, shop, number)
    with app.app_context():
        assert db.session.get(Order, order_id).status == "pending"


def test_a_phone_of_an_earlier_guest_order_shows_nothing_either(
    app, client, shop, signed_in, ao_dai
):
    # Given a stranger's guest order with their phone, and the member claiming that phone
    number, order_id = guest_checkout(app, shop, ao_dai)
    client.post(f"/{shop.slug}/account/profile/phones/add", data={"new_phone": "0903 999 888"})
    # When the stranger orders again with another email
    again, _ = guest_checkout(app, shop, ao_dai, email="khac.nua@example.com")
    # Then neither order reaches the member
    for n in (number, again):
        assert_cannot_reach(client, shop, n)


def test_registering_with_a_guests_email_shows_nothing_until_the_mailbox_answers(
    app, client, shop, ao_dai
):
    # Given a guest's order
    number, _ = guest_checkout(app, shop, ao_dai)
    # When an attacker registers with the guest's email (auto-approval would let them in)
    with app.app_context():
        db.session.get(Shop, shop.id).auto_approve_members = True
        db.session.commit()
    client.post(
        f"/{shop.slug}/account/register",
        data={
            "last_name": "Kẻ",
            "first_name": "Gian",
            "email": VICTIM["email"],
            "phone": "0912 000 999",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    # Then they cannot log in to the guest's record, and so see nothing of it
    login = Shopper(client).client.post(
        f"/{shop.slug}/account/login", data={"login": "0912000999", "password": PASSWORD}
    )
    assert login.status_code == 200
    assert f"#{number}" not in client.get(f"/{shop.slug}/account/orders").text
    with app.app_context():
        guest = db.session.scalars(select(Customer).where(Customer.email == VICTIM["email"])).one()
        assert (guest.status, guest.password_hash) == ("guest", None)


def test_an_email_changed_and_confirmed_does_not_bring_the_old_emails_orders(
    app, client, shop, ao_dai
):
    # Given a member whose record holds guest orders placed with their first email, which
    # they never confirmed (say, they registered with somebody else's address and the
    # orders were placed with it)
    member = make_member(app, shop, "nguoi.khac@example.com", "+84912111222")
    number, order_id = guest_checkout(app, shop, ao_dai, email=member.email)
    Shopper(client).login(member)
    assert_cannot_reach(client, shop, number)
    # When they change the account's email to their own and confirm that one
    client.post(
        f"/{shop.slug}/account/profile/email",
        data={"email": "ke.gian@example.com", "current_password": PASSWORD},
    )
    with app.app_context():
        link = sent_link("member_confirm_email", "storefront.confirm_email", shop.slug)
    client.get(link)
    with app.app_context():
        assert db.session.get(Customer, member.id).email_verified_at is not None
    # Then the orders of the other address stay out of reach
    assert_cannot_reach(client, shop, number)


def test_the_members_own_confirmed_email_shows_its_guest_orders(app, client, shop, ao_dai):
    # Given guest orders placed with an email, which then registers and confirms
    member = make_member(app, shop, "that.su@example.com", "+84912333444")
    number, _ = guest_checkout(app, shop, ao_dai, email=member.email)
    Shopper(client).login(member)
    assert_cannot_reach(client, shop, number)
    client.post(f"/{shop.slug}/account/confirm/resend")
    with app.app_context():
        link = sent_link("member_confirm_email", "storefront.confirm_email", shop.slug)
    client.get(link)
    # Then they show, and the member can cancel one still pending
    assert f"#{number}" in orders_page(client, shop)
    assert client.get(f"/{shop.slug}/account/orders/{number}").status_code == 200
    cancelled = client.post(f"/{shop.slug}/account/orders/{number}/cancel")
    assert cancelled.status_code == 302


def test_an_order_placed_while_logged_in_shows_before_any_confirmation(
    app, client, shop, signed_in, ao_dai
):
    buyer = Buyer(client, shop)
    buyer.add(ao_dai.id)
    response = buyer.checkout(email=signed_in.email)
    assert response.status_code == 302
    with app.app_context():
        order = db.session.scalars(select(Order)).one()
        assert (order.source, order.customer_id) == ("member", signed_in.id)
        number = order.number
    assert f"#{number}" in orders_page(client, shop)


def test_a_guest_checkout_with_a_cancelled_members_email_is_taken_with_a_warning(
    app, shop, owner, ao_dai
):
    # Given a cancelled member
    cancelled = make_member(
        app, shop, "da.huy@example.com", "+84903123456", status=CustomerStatus.CANCELLED
    )
    # When someone checks out as a guest with that email, the checkout answers as for anyone
    number, order_id = guest_checkout(app, shop, ao_dai, email=cancelled.email)
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.cancelled_member_email is True
        assert order.customer_id == cancelled.id
    # And an ordinary guest order carries no warning
    plain, plain_id = guest_checkout(app, shop, ao_dai, email="binh.thuong@example.com")
    with app.app_context():
        assert db.session.get(Order, plain_id).cancelled_member_email is False
    # Then the manager sees the warning in the list and on the order
    manager = app.test_client()
    manager.post("/language", data={"lang": "en"})
    manager.post(
        f"/{shop.slug}/admin/login", data={"email": owner.email, "password": owner.password}
    )
    listing = manager.get(f"/{shop.slug}/admin/orders").text
    assert listing.count("order-warning") == 1
    assert "Cancelled account" in listing
    page = manager.get(f"/{shop.slug}/admin/orders/{order_id}").text
    assert "email of an account the shop has cancelled" in page
    assert (
        "email of an account the shop has cancelled"
        not in manager.get(f"/{shop.slug}/admin/orders/{plain_id}").text
    )


def test_a_strangers_checkout_with_a_members_email_writes_nothing_on_the_members_profile(
    app, client, shop, ao_dai
):
    # Given a member without a phone (say, one who registered with somebody else's address)
    member = make_member(app, shop, "chua.co.so@example.com")
    # When a stranger checks out as a guest with that email and their own phone
    number, order_id = guest_checkout(app, shop, ao_dai, email=member.email)
    # Then the stranger's phone is not on the member's profile
    with app.app_context():
        assert db.session.get(Customer, member.id).phones == []
    Shopper(client).login(member)
    assert "0903 999 888" not in client.get(f"/{shop.slug}/account/profile").text
    assert_cannot_reach(client, shop, number)
