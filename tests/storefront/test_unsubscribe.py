"""The unsubscribe link of a marketing email: its own for each customer, in the text, the HTML
and the List-Unsubscribe headers; opening it changes nothing, its button (or the mail app's
one-click post, without a login or a CSRF token) withdraws the consent and says so on the
timeline, and the page subscribes again. A link changed by hand, of another shop or of a
customer who is gone is a clear page, never an error, and changes nobody."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.extensions import db
from core.jobs import drain
from models import Customer, CustomerEvent, CustomerEvents, OutboxMessage, Shop
from services import campaigns as campaign_service
from services import unsubscribe as consent
from tests.conftest import csrf_token_of
from tests.factories import make_guest
from tests.mail import html_of, link_in, sent_message, text_of, token_of
from tests.storefront import make_member

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def emailed(app, shop, customer_id, kind="marketing"):
    """The customer's message of a campaign sent to them, as they got it."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        campaign = campaign_service.create_campaign(
            shop=shop_row,
            staff=None,
            recipients=campaign_service.for_customer(db.session.get(Customer, customer_id)),
            kind=kind,
            subject="Khuyến mãi cuối tuần",
            body="Chào {{ first_name }}, giảm 20% áo dài.",
        )
        campaign_service.send_now(shop=shop_row, campaign=campaign)
        db.session.commit()
        drain(app)
        message_id = db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.campaign_id == campaign.id)
        )
        return sent_message(message_id)


@pytest.fixture
def lan(app, shop):
    return make_guest(app, shop, first_name="Lan", email="lan@example.com", accepts_marketing=True)


@pytest.fixture
def link(app, shop, lan):
    """The path of Lan's unsubscribe link, from the email she got."""
    with app.app_context():
        return link_in(text_of(emailed(app, shop, lan)), "storefront.unsubscribe", shop.slug)


def consent_of(app, customer_id):
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        lines = db.session.scalars(
            select(CustomerEvent)
            .where(CustomerEvent.customer_id == customer_id)
            .where(CustomerEvent.type.in_([CustomerEvents.UNSUBSCRIBED, CustomerEvents.SUBSCRIBED]))
            .order_by(CustomerEvent.id)
        ).all()
        return SimpleNamespace(
            accepts=customer.accepts_marketing,
            source=customer.marketing_consent_source,
            lines=[(line.type, line.data["source"], line.actor) for line in lines],
        )


def test_each_marketing_email_carries_the_customers_own_link_and_headers(app, shop, lan):
    with app.app_context():
        message = emailed(app, shop, lan)
        text, html = text_of(message), html_of(message)
        path = link_in(text, "storefront.unsubscribe", shop.slug)
    assert f'href="http://shop.test{path}"' in html
    assert message["List-Unsubscribe"] == f"<http://shop.test{path}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with app.app_context():
        assert consent.customer_for(
            shop=db.session.get(Shop, shop.id), token=token_of(path)
        ).id == (lan)
        # The admin's email log never shows it
        row = db.session.scalars(select(OutboxMessage)).one()
        assert token_of(path) not in row.body_text
        assert token_of(path) not in (row.body_html or "")
        assert token_of(path) not in str(row.headers)


def test_a_service_email_has_no_unsubscribe_link(app, shop, lan):
    with app.app_context():
        message = emailed(app, shop, lan, kind="service")
    assert "List-Unsubscribe" not in message
    assert "/unsubscribe/" not in text_of(message)


def test_opening_the_link_changes_nothing_and_the_button_unsubscribes(app, client, shop, lan, link):
    page = client.get(link)
    assert page.status_code == 200
    assert "Stop the news and offers of Thời Trang Mai?" in page.text
    assert "la•••@example.com" in page.text
    assert "lan@example.com" not in page.text
    assert "no-store" in page.headers["Cache-Control"]
    assert consent_of(app, lan).accepts is True

    done = client.post(link, data={"action": "unsubscribe"}, follow_redirects=True)
    assert "Done: Thời Trang Mai will not send you news and offers any more." in done.text
    assert "You are unsubscribed" in done.text
    after = consent_of(app, lan)
    assert (after.accepts, after.source) == (False, "unsubscribe_link")
    assert after.lines == [("unsubscribed", "link", "customer")]
    # A second click writes no second line
    client.post(link, data={"action": "unsubscribe"})
    assert consent_of(app, lan).lines == [("unsubscribed", "link", "customer")]


def test_the_page_subscribes_again(app, client, shop, lan, link):
    client.post(link, data={"action": "unsubscribe"})
    done = client.post(link, data={"action": "subscribe"}, follow_redirects=True)
    assert "Welcome back" in done.text
    assert "Stop the news and offers" in done.text
    after = consent_of(app, lan)
    assert after.accepts is True
    assert after.lines == [("unsubscribed", "link", "customer"), ("subscribed", "link", "customer")]


def test_the_record_shows_the_unsubscription(app, client, auth, shop, owner, lan, link):
    client.post(link, data=ONE_CLICK)
    auth.login_staff(owner)
    record = client.get(f"/{shop.slug}/admin/customers/{lan}").text
    assert "Unsubscribed from marketing emails with one click in their mail app" in record
    assert "Does not accept" in record
    assert "with the link in an email" in record


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_the_mail_apps_one_click_post_needs_no_login_nor_token(csrf_app, shop, lan):
    app = csrf_app
    with app.app_context():
        path = link_in(text_of(emailed(app, shop, lan)), "storefront.unsubscribe", shop.slug)
    client = app.test_client()
    response = client.post(path, data=ONE_CLICK)
    assert response.status_code == 200
    after = consent_of(app, lan)
    assert after.accepts is False
    assert after.lines == [("unsubscribed", "one_click", "customer")]

    # The page's own buttons need the page's token
    assert client.post(path, data={"action": "subscribe"}).status_code == 400
    assert consent_of(app, lan).accepts is False
    page = client.get(path).text
    client.post(path, data={"action": "subscribe", "csrf_token": csrf_token_of(page)})
    assert consent_of(app, lan).accepts is True


@pytest.mark.parametrize(
    "token",
    ["x", "eyJzIjoxLCJjIjoxfQ.bm90LWEtc2lnbmF0dXJl", "A" * 500, "%E1%BA%A1", "test2"],
)
def test_a_made_up_link_is_a_clear_page_and_changes_nobody(app, client, shop, lan, link, token):
    for method in (client.get, lambda p: client.post(p, data=ONE_CLICK)):
        response = method(f"/{shop.slug}/unsubscribe/{token}")
        assert response.status_code == 404
        assert "This unsubscribe link is not valid." in response.text
    assert consent_of(app, lan).accepts is True


@pytest.mark.parametrize("token", ["%00", "..%2F..%2Fadmin", "a%0Db"])
def test_a_hostile_link_is_not_found_and_changes_nobody(app, client, shop, lan, link, token):
    for method in (client.get, lambda p: client.post(p, data=ONE_CLICK)):
        assert method(f"/{shop.slug}/unsubscribe/{token}").status_code == 404
    assert consent_of(app, lan).accepts is True


def test_a_link_changed_by_one_letter_changes_nobody(app, client, shop, lan, link):
    token = token_of(link)
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.post(f"/{shop.slug}/unsubscribe/{changed}", data=ONE_CLICK)
    assert response.status_code == 404
    assert consent_of(app, lan).accepts is True


def test_a_link_of_another_shop_changes_nobody(app, client, shop, other_shop, lan, link):
    # Lan's link used at another shop's address names nobody there
    response = client.post(f"/{other_shop.slug}/unsubscribe/{token_of(link)}", data=ONE_CLICK)
    assert response.status_code == 404
    assert "This unsubscribe link is not valid." in response.text
    assert consent_of(app, lan).accepts is True
    # And a link made for another shop's customer does not work here
    other = make_guest(app, other_shop, email="binh@example.com", accepts_marketing=True)
    with app.app_context():
        token = consent.make_token(db.session.get(Customer, other))
    assert client.post(f"/{shop.slug}/unsubscribe/{token}", data=ONE_CLICK).status_code == 404
    assert consent_of(app, other).accepts is True


def test_the_link_of_a_deleted_customer_is_a_clear_page(app, client, shop, lan, link):
    with app.app_context():
        db.session.delete(db.session.get(Customer, lan))
        db.session.commit()
    response = client.get(link)
    assert response.status_code == 404
    assert "This unsubscribe link is not valid." in response.text


def test_the_test_emails_link_says_what_it_is(app, client, shop, lan):
    response = client.get(f"/{shop.slug}/unsubscribe/test")
    assert response.status_code == 200
    assert "The unsubscribe link of a test email" in response.text
    client.post(f"/{shop.slug}/unsubscribe/test", data=ONE_CLICK)
    assert consent_of(app, lan).accepts is True


def test_a_member_manages_the_consent_on_their_profile(app, client, shop, link):
    member = make_member(app, shop, "thanh.vien@example.com", accepts_marketing=True)
    with app.app_context():
        token = consent.make_token(db.session.get(Customer, member.id))
    client.post(f"/{shop.slug}/unsubscribe/{token}", data=ONE_CLICK)
    client.post(
        f"/{shop.slug}/account/login", data={"login": member.email, "password": member.password}
    )
    profile = client.get(f"/{shop.slug}/account/profile").text
    assert 'name="accepts_marketing" type="checkbox" value="y">' in profile
    client.post(
        f"/{shop.slug}/account/profile",
        data={"last_name": "Phạm", "first_name": "Minh Anh", "accepts_marketing": "y"},
    )
    with app.app_context():
        customer = db.session.get(Customer, member.id)
        assert (customer.accepts_marketing, customer.marketing_consent_source) == (
            True,
            "account",
        )
