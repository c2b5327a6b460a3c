"""The link a shop emails a customer it invites to become a member: choosing a password
makes the account theirs, waiting for approval or official as the shop's setting says; a
used, replaced, expired or tampered link changes nothing."""

import time

import pytest
from itsdangerous import TimestampSigner

from core.extensions import db
from models import Customer, CustomerEvents, CustomerStatus, Shop, StaffUser
from services import customers as customer_service
from tests.factories import make_guest
from tests.mail import sent_link
from tests.storefront import event_types, outbox
from tests.storefront.test_register import set_shop

NEW_PASSWORD = "mat khau moi 2025"
EMAIL = "lan@example.com"


@pytest.fixture
def guest(app, shop):
    return make_guest(app, shop, first_name="Lan", last_name="Trần", email=EMAIL)


def send_invitation(app, shop, customer_id):
    """The invitation a manager sends from the record; the link as the customer gets it."""
    with app.test_request_context():
        customer_service.invite_customer(
            shop=db.session.get(Shop, shop.id),
            customer=db.session.get(Customer, customer_id),
            actor=db.session.scalars(db.select(StaffUser)).first(),
        )
        db.session.commit()
        return sent_link("member_invitation", "storefront.accept_invitation", shop.slug)


def choose(client, link, password=NEW_PASSWORD, confirm=None):
    return client.post(link, data={"password": password, "password_confirm": confirm or password})


def test_the_link_shows_a_form_to_choose_a_password(app, client, shop, owner, guest):
    link = send_invitation(app, shop, guest)

    page = client.get(link)

    assert page.status_code == 200
    assert EMAIL in page.text
    assert 'name="password_confirm"' in page.text


def test_a_guest_who_chooses_a_password_waits_for_approval(app, client, shop, owner, guest):
    link = send_invitation(app, shop, guest)

    response = choose(client, link)

    assert response.headers["Location"].endswith(f"/{shop.slug}/account/login")
    assert "will check your account" in client.get(response.headers["Location"]).text
    assert client.get(f"/{shop.slug}/account/").status_code == 302  # not logged in
    with app.app_context():
        customer = db.session.get(Customer, guest)
        assert customer.status == CustomerStatus.TEMPORARY
        assert customer.check_password(NEW_PASSWORD)
        assert customer.registered_at is not None
        assert customer.email_verified_at is not None
        assert event_types(guest)[-2:] == [
            CustomerEvents.REGISTERED,
            CustomerEvents.EMAIL_CONFIRMED,
        ]
        # The managers are told a member waits, as after a registration.
        assert ("staff_new_member", owner.email) in outbox("staff_new_member")


def test_when_the_shop_approves_members_the_guest_is_official_and_logged_in(
    app, client, shop, owner, guest
):
    set_shop(app, shop, auto_approve_members=True)
    link = send_invitation(app, shop, guest)

    response = choose(client, link)

    assert response.headers["Location"].endswith(f"/{shop.slug}/account/")
    assert client.get(f"/{shop.slug}/account/").status_code == 200
    with app.app_context():
        customer = db.session.get(Customer, guest)
        assert customer.status == CustomerStatus.OFFICIAL
        assert customer.last_login_at is not None
        assert CustomerEvents.APPROVED in event_types(guest)


def test_a_member_the_shop_entered_keeps_the_status_it_was_given(app, client, shop, owner):
    member = make_guest(app, shop, email=EMAIL, status=CustomerStatus.OFFICIAL)
    link = send_invitation(app, shop, member)

    choose(client, link)

    assert client.get(f"/{shop.slug}/account/").status_code == 200
    with app.app_context():
        assert db.session.get(Customer, member).status == CustomerStatus.OFFICIAL


def test_a_used_link_is_refused(app, client, shop, owner, guest):
    link = send_invitation(app, shop, guest)
    choose(client, link)

    page = client.get(link)
    assert "This invitation has already been used" in page.text
    assert "password_confirm" not in page.text
    choose(client, link, password="mot mat khau khac")
    with app.app_context():
        assert db.session.get(Customer, guest).check_password(NEW_PASSWORD)


def test_a_newer_invitation_spends_the_older_link(app, client, shop, owner, guest):
    older = send_invitation(app, shop, guest)
    newer = send_invitation(app, shop, guest)

    assert "This link no longer works" in client.get(older).text
    choose(client, older)
    with app.app_context():
        assert db.session.get(Customer, guest).password_hash is None
    assert choose(client, newer).status_code == 302


def test_a_short_or_unrepeated_password_is_refused(app, client, shop, owner, guest):
    link = send_invitation(app, shop, guest)

    assert "at least 8" in choose(client, link, password="ngan").text
    assert "do not match" in choose(client, link, confirm="something else").text
    with app.app_context():
        assert db.session.get(Customer, guest).password_hash is None


def test_an_expired_link_is_refused(app, client, shop, guest, monkeypatch):
    eight_days_ago = int(time.time()) - 8 * 24 * 60 * 60
    with app.test_request_context(), monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: eight_days_ago)
        token = customer_service.make_invite_token(db.session.get(Customer, guest))
        db.session.commit()
    link = f"/{shop.slug}/account/invitation/{token}"

    assert "This link has expired" in client.get(link).text
    choose(client, link)
    with app.app_context():
        assert db.session.get(Customer, guest).password_hash is None


def test_a_tampered_or_another_shops_link_is_refused(app, client, shop, other_shop, owner, guest):
    link = send_invitation(app, shop, guest)
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    elsewhere = link.replace(f"/{shop.slug}/", f"/{other_shop.slug}/", 1)

    for bad in (tampered, elsewhere):
        assert "This link is not valid" in client.get(bad).text
        choose(client, bad)
    with app.app_context():
        customer = db.session.get(Customer, guest)
        assert customer.password_hash is None
        assert customer.status == CustomerStatus.GUEST


def test_a_changed_email_or_a_cancelled_account_spends_the_link(app, client, shop, owner, guest):
    link = send_invitation(app, shop, guest)
    with app.app_context():
        db.session.get(Customer, guest).email = "khac@example.com"
        db.session.commit()
    assert "This link no longer works" in client.get(link).text

    with app.app_context():
        customer = db.session.get(Customer, guest)
        customer.email = EMAIL
        customer.status = CustomerStatus.CANCELLED
        db.session.commit()
    assert "This link no longer works" in client.get(link).text
    choose(client, link)
    with app.app_context():
        assert db.session.get(Customer, guest).password_hash is None
