"""Forgotten passwords, reset links and email confirmation links."""

import time

from itsdangerous import TimestampSigner

from core.extensions import db
from core.jobs import drain
from models import Customer, OutboxMessage, Shop
from services import customers as customer_service
from tests.mail import sent_link
from tests.sql import Statements
from tests.storefront import count, event_types, make_member, outbox

NEW_PASSWORD = "mat khau moi 2025"


def ask_for_reset(client, shop, email):
    return client.post(f"/{shop.slug}/account/password/forgot", data={"email": email})


def reset_link(app, client, shop, member):
    ask_for_reset(client, shop, member.email)
    with app.app_context():
        return sent_link("member_password_reset", "storefront.reset_password", shop.slug)


def choose(client, link, password=NEW_PASSWORD, confirm=None):
    return client.post(link, data={"password": password, "password_confirm": confirm or password})


def test_forgot_password_gives_the_same_answer_and_mails_only_a_member(
    app, client, shop, member, run_jobs
):
    known = ask_for_reset(client, shop, member.email.upper())
    unknown = ask_for_reset(client, shop, "ai.do@example.com")
    run_jobs()

    assert known.status_code == unknown.status_code == 200
    assert "Check your email" in known.text
    assert known.text == unknown.text
    with app.app_context():
        assert outbox() == [("member_password_reset", member.email)]
        assert "password_reset_requested" in event_types(member.id)


def test_a_reset_link_sets_a_new_password_once(app, client, shopper, shop, member):
    link = reset_link(app, client, shop, member)
    assert "Choose a new password" in client.get(link).text

    response = choose(client, link)

    assert response.headers["Location"] == f"/{shop.slug}/account/login"
    assert "Your new password is saved" in client.get(response.headers["Location"]).text
    assert "incorrect" in shopper.login(member).text
    assert shopper.login(member, password=NEW_PASSWORD).status_code == 302
    again = client.get(link)
    assert "already been used" in again.text
    assert f'href="/{shop.slug}/account/password/forgot"' in again.text
    assert "already been used" in choose(client, link, password="mot mat khau khac").text
    with app.app_context():
        assert db.session.get(Customer, member.id).check_password(NEW_PASSWORD)


def test_a_new_password_must_be_long_enough_and_repeated(app, client, shop, member):
    link = reset_link(app, client, shop, member)

    assert "at least 8" in choose(client, link, password="ngan").text
    assert "do not match" in choose(client, link, confirm="something else").text
    with app.app_context():
        assert db.session.get(Customer, member.id).check_password(member.password)


def test_an_expired_reset_link_is_refused(app, client, shop, member, monkeypatch):
    two_hours_ago = int(time.time()) - 2 * 60 * 60
    with app.test_request_context(), monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: two_hours_ago)
        token = customer_service.make_reset_token(db.session.get(Customer, member.id))

    page = client.get(f"/{shop.slug}/account/password/reset/{token}")

    assert "This link has expired" in page.text
    assert "password_confirm" not in page.text
    choose(client, f"/{shop.slug}/account/password/reset/{token}")
    with app.app_context():
        assert db.session.get(Customer, member.id).check_password(member.password)


def test_a_tampered_reset_link_is_refused(app, client, shop, member):
    link = reset_link(app, client, shop, member)
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")

    assert "This link is not valid" in client.get(tampered).text
    choose(client, tampered)
    with app.app_context():
        assert db.session.get(Customer, member.id).check_password(member.password)


def test_a_reset_link_of_another_shop_is_refused(app, client, shop, other_shop, member):
    elsewhere = make_member(app, other_shop, member.email, member.phone)
    link = reset_link(app, client, other_shop, elsewhere)
    token = link.rsplit("/", 1)[1]

    page = client.get(f"/{shop.slug}/account/password/reset/{token}")

    assert "This link is not valid" in page.text
    choose(client, f"/{shop.slug}/account/password/reset/{token}")
    with app.app_context():
        assert db.session.get(Customer, member.id).check_password(member.password)


def test_changing_the_password_spends_the_reset_links(app, client, shopper, shop, member):
    link = reset_link(app, client, shop, member)
    shopper.login(member)
    client.post(
        f"/{shop.slug}/account/profile/password",
        data={
            "current_password": member.password,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    shopper.logout(shop.slug)

    assert "already been used" in choose(client, link, password="mat khau thu ba").text
    with app.app_context():
        assert db.session.get(Customer, member.id).check_password(NEW_PASSWORD)


def test_a_reset_link_sent_before_the_email_changed_no_longer_works(
    app, client, shopper, shop, member
):
    # Given a reset link mailed to the member's address, which they then change
    link = reset_link(app, client, shop, member)
    shopper.login(member)
    response = client.post(
        f"/{shop.slug}/account/profile/email",
        data={"email": "dia.chi.moi@example.com", "current_password": member.password},
    )
    assert response.status_code == 302
    shopper.logout(shop.slug)

    # When the link sent to the old address is followed
    page = client.get(link)
    choose(client, link)

    # Then it no longer works, and the password is unchanged
    assert "This link no longer works" in page.text
    assert "password_confirm" not in page.text
    with app.app_context():
        assert db.session.get(Customer, member.id).check_password(member.password)


def test_an_older_reset_link_no_longer_works_once_a_newer_one_is_sent(app, client, shop, member):
    # Given two reset links asked for one after the other
    older = reset_link(app, client, shop, member)
    newer = reset_link(app, client, shop, member)
    assert older != newer

    # When the older one is followed, then it no longer works; the newer one does
    assert "This link no longer works" in client.get(older).text
    choose(client, older)
    with app.app_context():
        assert db.session.get(Customer, member.id).check_password(member.password)
    assert choose(client, newer).status_code == 302
    with app.app_context():
        assert db.session.get(Customer, member.id).check_password(NEW_PASSWORD)


def test_a_used_reset_link_no_longer_works_even_with_the_same_password_chosen_again(
    app, client, shop, member
):
    link = reset_link(app, client, shop, member)
    assert choose(client, link, password=member.password).status_code == 302

    assert "already been used" in choose(client, link, password=NEW_PASSWORD).text
    with app.app_context():
        customer = db.session.get(Customer, member.id)
        assert customer.check_password(member.password)
        assert customer.reset_nonce is None


def test_forgot_password_does_the_same_work_for_a_member_and_a_stranger(app, client, shop, member):
    huey = app.extensions["huey"]
    client.get(f"/{shop.slug}/account/password/forgot")

    def ask(email):
        """The page, the SQL statements run and the tasks queued by one request."""
        with Statements(app) as statements:
            page = ask_for_reset(client, shop, email).text
        queued = [(task.name, task.args) for task in huey.pending()]
        huey.flush()
        return page, statements, queued

    known = ask(member.email)
    unknown = ask("ai.do@example.com")

    # The same answer, the same statements, and one task each that looks the address up
    assert known[0] == unknown[0]
    assert known[1] == unknown[1]
    assert known[2] == [("customers.password_reset", (shop.id, member.email))]
    assert unknown[2] == [("customers.password_reset", (shop.id, "ai.do@example.com"))]
    with app.app_context():
        assert outbox() == []


def test_too_many_reset_requests_for_one_address_get_a_429(make_app, shop, member):
    app = make_app(create_schema=False, LOGIN_ACCOUNT_RATE_LIMIT="2 per hour")
    statuses = []
    for n in range(3):
        client = app.test_client()
        response = client.post(
            f"/{shop.slug}/account/password/forgot",
            data={"email": member.email},
            environ_base={"REMOTE_ADDR": f"10.0.1.{n + 1}"},
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 429]
    drain(app)
    with app.app_context():
        assert count(OutboxMessage) == 2


# --- Confirming the email address -----------------------------------------------------


def registration_confirm_link(app, client, shop):
    with app.app_context():
        db.session.get(Shop, shop.id).notify_staff_of_registrations = False
        db.session.commit()
    client.post(
        f"/{shop.slug}/account/register",
        data={
            "first_name": "Lan",
            "last_name": "Bùi Ngọc",
            "email": "ngoc.lan@example.com",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    with app.app_context():
        return sent_link("member_registered", "storefront.confirm_email", shop.slug)


def test_the_link_in_the_welcome_email_confirms_the_address(app, client, shop):
    link = registration_confirm_link(app, client, shop)

    response = client.get(link)

    assert response.headers["Location"] == f"/{shop.slug}/account/login"
    assert "your email address is confirmed" in client.get(response.headers["Location"]).text
    with app.app_context():
        customer = db.session.scalars(db.select(Customer)).one()
        assert customer.email_verified_at is not None
        assert "email_confirmed" in event_types(customer.id)


def test_a_signed_in_member_who_confirms_goes_back_to_the_account(
    app, client, shopper, shop, member
):
    with app.test_request_context():
        token = customer_service.make_confirm_token(db.session.get(Customer, member.id))
    shopper.login(member)

    response = client.get(f"/{shop.slug}/account/confirm/{token}")

    assert response.headers["Location"] == f"/{shop.slug}/account/"
    with app.app_context():
        assert db.session.get(Customer, member.id).email_verified_at is not None


def test_a_bad_confirmation_link_says_so_and_changes_nothing(app, client, shop, member):
    response = client.get(f"/{shop.slug}/account/confirm/khong-hop-le")

    assert "This link is not valid" in client.get(response.headers["Location"]).text
    with app.app_context():
        assert db.session.get(Customer, member.id).email_verified_at is None


def test_a_member_can_ask_for_the_confirmation_link_again(app, client, shop, signed_in):
    page = client.get(f"/{shop.slug}/account/")
    assert "Please confirm your email address" in page.text

    response = client.post(f"/{shop.slug}/account/confirm/resend")

    assert response.headers["Location"] == f"/{shop.slug}/account/"
    with app.app_context():
        assert outbox() == [("member_confirm_email", signed_in.email)]
        link = sent_link("member_confirm_email", "storefront.confirm_email", shop.slug)
    client.get(link)
    assert "Please confirm your email address" not in client.get(f"/{shop.slug}/account/").text
