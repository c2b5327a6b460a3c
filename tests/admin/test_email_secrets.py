"""Secret links in the shop's email log: a member's password-reset link, an email
confirmation link or a guest's order link opens something to whoever holds it, so no staff
page shows one, whatever the staff member's role. The admin shows that a link was sent; the
recipient gets the working link."""

from core.extensions import db
from models import Customer, MailStatus, Order, OutboxMessage, Shop, StaffUser
from services import order_status as order_service
from tests.conftest import AuthActions
from tests.mail import delivered, html_of, link_in, text_of, token_of
from tests.selling import Buyer, make_product
from tests.storefront import MEMBER_EMAIL, Shopper, make_member

NEW_PASSWORD = "mat khau moi 2025"


def last_message_id(app, kind):
    with app.app_context():
        return db.session.scalars(
            db.select(OutboxMessage.id)
            .where(OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id.desc())
        ).first()


def staff_pages(app, shop, staff, message_id):
    """What a staff member is shown of a message: the log, the message and its preview."""
    client = app.test_client()
    client.post("/language", data={"lang": "en"})
    assert AuthActions(client).login_staff(staff).status_code == 302
    paths = [
        f"/{shop.slug}/admin/emails/log",
        f"/{shop.slug}/admin/emails/{message_id}",
        f"/{shop.slug}/admin/emails/{message_id}/preview",
    ]
    pages = {path: client.get(path) for path in paths}
    assert [page.status_code for page in pages.values()] == [200, 200, 200]
    return [page.text for page in pages.values()]


def sent_link_of(app, kind, endpoint, shop):
    """The link as the recipient gets it, in the text and the HTML of the message sent."""
    with app.app_context():
        message = delivered(kind)
        link = link_in(text_of(message), endpoint, shop.slug)
        assert f'href="http://shop.test{link}"' in html_of(message)
        return link


def assert_hidden(app, pages, message_id, token, label):
    """No page and no column of the row holds the token; the pages say a link was hidden."""
    _log, detail, preview = pages
    for page in pages:
        assert token not in page
    assert f"🔒 link hidden: {label}" in detail
    assert f"🔒 link hidden: {label}" in preview
    with app.app_context():
        row = db.session.get(OutboxMessage, message_id)
        assert row.status == MailStatus.SENT
        assert token not in row.body_text
        assert token not in row.body_html
        assert row.secret_urls is None


def test_staff_see_no_working_link_in_a_password_reset_email(app, client, shop, staff_member):
    # Given a member who asked for a new password, and the email sent to them
    member = make_member(app, shop, MEMBER_EMAIL)
    client.post(f"/{shop.slug}/account/password/forgot", data={"email": member.email})
    link = sent_link_of(app, "member_password_reset", "storefront.reset_password", shop)
    message_id = last_message_id(app, "member_password_reset")

    # When a staff member of the lowest role reads the message
    pages = staff_pages(app, shop, staff_member, message_id)

    # Then no page shows the link, only that one was sent
    assert_hidden(app, pages, message_id, token_of(link), "password reset link")
    # And the member's link really sets a new password
    client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert Shopper(client).login(member, password=NEW_PASSWORD).status_code == 302


def test_staff_see_no_working_link_in_an_email_confirmation(app, client, shop, staff_member):
    # Given a shopper who registered: the welcome email asks to confirm the address
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
    message_id = last_message_id(app, "member_registered")

    # When a staff member of the lowest role reads it, while it waits and once it is sent
    before = staff_pages(app, shop, staff_member, message_id)
    link = sent_link_of(app, "member_registered", "storefront.confirm_email", shop)
    after = staff_pages(app, shop, staff_member, message_id)

    # Then no page shows the link
    for page in before:
        assert token_of(link) not in page
    assert_hidden(app, after, message_id, token_of(link), "email confirmation link")
    # And the shopper's link confirms the address
    client.get(link)
    with app.app_context():
        customer = db.session.scalars(
            db.select(Customer).where(Customer.email == "ngoc.lan@example.com")
        ).one()
        assert customer.email_verified_at is not None


def test_staff_see_no_working_link_in_a_guests_order_emails(app, client, shop, owner, staff_member):
    # Given a guest's order: its confirmation, then the email when the shop confirms it
    product = make_product(app, shop, "Áo dài lụa", 250_000)
    buyer = Buyer(client, shop)
    buyer.add(product.id)
    assert buyer.checkout().status_code == 302
    placed_id = last_message_id(app, "order_placed")
    placed_link = sent_link_of(app, "order_placed", "storefront.order", shop)
    with app.app_context():
        order = db.session.scalars(db.select(Order)).one()
        order_service.change_order_status(
            shop=db.session.get(Shop, shop.id),
            order=order,
            actor=db.session.get(StaffUser, owner.id),
            status="confirmed",
        )
        db.session.commit()
    status_id = last_message_id(app, "order_status")
    status_link = sent_link_of(app, "order_status", "storefront.order", shop)
    assert status_link == placed_link

    # When a staff member of the lowest role reads both
    # Then neither shows the order's link
    for message_id in (placed_id, status_id):
        pages = staff_pages(app, shop, staff_member, message_id)
        assert_hidden(app, pages, message_id, token_of(placed_link), "order link")
    # And the guest's link opens the order
    page = app.test_client().get(placed_link)
    assert page.status_code == 200
    assert "#1001" in page.text
