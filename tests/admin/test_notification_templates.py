"""The notification emails a shop writes in its own words: the list of kinds (default or
edited), one kind's editor (the built-in text in the shop's language to start from, its
placeholders, a preview on a sample customer and order), saving, and reset to default. The
edited email is what the customer then gets (an order's status change, a password reset
whose secret link still hides in the admin's log); a text that cannot be used is refused and
nothing is saved. Managers and the owner may; a ``staff`` role and another shop may not."""

import pytest

from core.extensions import db
from models import NotificationTemplate, Order, OutboxMessage, Shop
from tests.factories import make_order
from tests.mail import delivered, html_of, link_in, text_of, token_of
from tests.selling import Buyer, make_product
from tests.storefront import MEMBER_EMAIL, Shopper, make_member

SUBJECT = "Đơn {{ order_number }} của {{ full_name }}: {{ order_status }}"
BODY = (
    "Chào **{{ first_name }}**,\n\n"
    "{{ shop_name }} báo: đơn {{ order_number }} ({{ order_total }}) giờ là {{ order_status }}.\n\n"
    "[Xem đơn]({{ order_url }})\n"
)
NEW_PASSWORD = "mat khau moi 2025"


@pytest.fixture(autouse=True)
def english(client):
    client.post("/language", data={"lang": "en"})


def admin(shop, path=""):
    return f"/{shop.slug}/admin/emails/notifications{path}"


def saved_rows(app, shop=None):
    with app.app_context():
        query = db.select(NotificationTemplate)
        if shop is not None:
            query = query.where(NotificationTemplate.shop_id == shop.id)
        return [(row.kind, row.subject, row.body) for row in db.session.scalars(query)]


def edit(client, shop, kind="order_status", subject=SUBJECT, body=BODY, **action):
    return client.post(
        admin(shop, f"/{kind}"),
        data={"subject": subject, "body": body, **(action or {"save": "1"})},
    )


def change_status(client, shop, order_id, status):
    return client.post(f"/{shop.slug}/admin/orders/{order_id}/status", data={"status": status})


# --- The list and the editor ------------------------------------------------------------


def test_the_list_shows_every_kind_default_then_edited(client, auth, shop, owner):
    auth.login_staff(owner)
    page = client.get(admin(shop))
    assert page.status_code == 200
    for label in (
        "Registration received",
        "Email confirmation",
        "Account approved",
        "Account cancelled",
        "Account reinstated",
        "Password reset",
        "Order placed",
        "Order status changed",
        "Member invitation",
    ):
        assert label in page.text
    assert page.text.count(">Default<") == 9

    assert edit(client, shop).status_code == 302

    page = client.get(admin(shop))
    assert page.text.count(">Default<") == 8
    assert page.text.count(">Edited<") == 1
    assert 'data-kind="order_status"' in page.text
    assert "Notification emails" in client.get(f"/{shop.slug}/admin/emails").text


def test_the_editor_starts_from_the_built_in_text_in_the_shops_language(
    app, client, auth, shop, owner
):
    auth.login_staff(owner)  # the page is in English, the shop's emails in Vietnamese
    page = client.get(admin(shop, "/member_password_reset"))
    assert page.status_code == 200
    assert "Xin chào {{ full_name }}," in page.text
    assert "({{ reset_url }})" in page.text
    assert "{{ shop_name }}" in page.text
    # The placeholders of this kind, and the preview on the sample customer
    assert 'data-insert="{{ reset_url }}"' in page.text
    assert 'data-insert="{{ order_number }}"' not in page.text
    assert "Xin chào Nguyễn Văn An," in page.text
    assert "Thời Trang Mai" in page.text

    with app.app_context():
        db.session.get(Shop, shop.id).locale = "en"
        db.session.commit()
    page = client.get(admin(shop, "/order_status"))
    assert "Hello {{ full_name }}," in page.text
    assert "Your order {{ order_number }} at {{ shop_name }}: {{ order_status }}" in page.text
    assert "Status: {{ order_status }}" in page.text


def test_preview_shows_the_posted_text_without_saving(app, client, auth, shop, manager):
    auth.login_staff(manager)
    page = edit(client, shop, preview="1")
    assert page.status_code == 200
    assert "Đơn #1024 của Nguyễn Văn An: " in page.text
    assert "Chào <strong>An</strong>," in page.text
    assert "Thời Trang Mai báo: đơn #1024" in page.text
    assert saved_rows(app) == []


def test_a_staff_role_cannot_see_nor_change_the_notification_emails(
    app, client, auth, shop, staff_member
):
    auth.login_staff(staff_member)
    assert client.get(admin(shop)).status_code == 403
    assert client.get(admin(shop, "/order_status")).status_code == 403
    assert edit(client, shop).status_code == 403
    assert edit(client, shop, reset="1").status_code == 403
    assert saved_rows(app) == []
    assert "Notification emails" not in client.get(f"/{shop.slug}/admin/emails").text


def test_another_shops_manager_cannot_see_nor_change_them(
    app, client, auth, shop, owner, other_shop, other_owner
):
    auth.login_staff(owner)
    assert edit(client, shop).status_code == 302
    client.post(f"/{shop.slug}/admin/logout")
    auth.login_staff(other_owner)
    assert client.get(admin(shop)).status_code == 404
    assert client.get(admin(shop, "/order_status")).status_code == 404
    assert edit(client, shop, subject="Bị đổi").status_code == 404
    assert edit(client, shop, reset="1").status_code == 404
    # Their own shop's list shows the default: the other shop's version is not theirs
    assert client.get(admin(other_shop)).text.count(">Default<") == 9
    assert saved_rows(app) == [("order_status", SUBJECT, BODY.strip())]


def test_a_logged_out_visitor_goes_to_the_login(app, client, shop):
    page = client.get(admin(shop, "/order_status"))
    assert page.status_code == 302
    assert "/admin/login" in page.location
    assert edit(client, shop).status_code == 302
    assert saved_rows(app) == []


def test_an_unknown_kind_is_a_404(client, auth, shop, owner):
    auth.login_staff(owner)
    assert client.get(admin(shop, "/staff_invitation")).status_code == 404
    assert edit(client, shop, kind="member_exists").status_code == 404


@pytest.mark.parametrize(
    ("subject", "body", "field", "message"),
    [
        (SUBJECT, "Chào {{ first_name", "body", "cannot be read as a template"),
        (SUBJECT, "Mã {{ reset_url }}", "body", "{{ reset_url }} is not a placeholder we know"),
        (SUBJECT, "{% for x in y %}{% endfor %}", "body", "no {% … %}"),
        (SUBJECT, "{{ shop.owner.password }}", "body", "Only the placeholders listed"),
        ("Đơn {{ order_url }}", BODY, "subject", "{{ order_url }} is not a placeholder we know"),
        ("", BODY, "subject", "Please write a subject."),
        (SUBJECT, "   ", "body", "Please write the message."),
    ],
)
def test_a_template_that_cannot_be_used_is_refused_and_nothing_saved(
    app, client, auth, shop, owner, subject, body, field, message
):
    auth.login_staff(owner)
    page = edit(client, shop, subject=subject, body=body)
    assert page.status_code == 400
    assert message in page.text
    assert f'id="{field}-error"' in page.text
    assert saved_rows(app) == []


def test_a_refused_change_keeps_the_saved_version(app, client, auth, shop, owner):
    auth.login_staff(owner)
    edit(client, shop)
    assert edit(client, shop, body="{{ nope }}").status_code == 400
    assert saved_rows(app) == [("order_status", SUBJECT, BODY.strip())]


def test_a_refusal_is_in_vietnamese(client, auth, shop, owner):
    client.post("/language", data={"lang": "vi"})
    auth.login_staff(owner)
    page = edit(client, shop, body="{{ nope }}")
    assert page.status_code == 400
    assert "{{ nope }} không phải là biến có sẵn" in page.text
    assert "is not a placeholder we know" not in page.text


# --- What the customer gets -------------------------------------------------------------


def test_an_order_status_change_sends_the_edited_email(app, client, auth, shop, manager):
    # Given a manager who wrote the shop's own status email, and a guest's order
    auth.login_staff(manager)
    assert edit(client, shop).status_code == 302
    order = make_order(app, shop, full_name="Trần Thị Hoa", email="hoa@example.com")

    # When the manager confirms the order
    assert change_status(client, shop, order.id, "confirmed").status_code == 302

    # Then the buyer gets the shop's text with the order's values
    with app.app_context():
        message = delivered("order_status", to="hoa@example.com")
        number = db.session.get(Order, order.id).display_number
        assert message["Subject"] == f"Đơn {number} của Trần Thị Hoa: Đã xác nhận"
        text = text_of(message)
        assert f"Thời Trang Mai báo: đơn {number} (" in text
        assert "Đã xác nhận." in text
        assert "<strong>Trần Thị Hoa" not in html_of(message)
        assert link_in(text, "storefront.order", shop.slug)
        assert 'href="http://shop.test/' in html_of(message)


def test_reset_brings_back_the_default_email(app, client, auth, shop, owner):
    auth.login_staff(owner)
    edit(client, shop)
    assert edit(client, shop, reset="1").status_code == 302
    assert saved_rows(app) == []
    page = client.get(admin(shop, "/order_status"))
    assert "Xin chào {{ full_name }}," in page.text
    assert 'name="reset"' not in page.text

    order = make_order(app, shop, email="hoa@example.com")
    change_status(client, shop, order.id, "confirmed")
    with app.app_context():
        message = delivered("order_status", to="hoa@example.com")
        number = db.session.get(Order, order.id).display_number
        assert message["Subject"] == f"Đơn hàng {number} tại Thời Trang Mai đã được xác nhận"


def test_an_edited_password_reset_link_is_hidden_in_the_log_and_works(
    app, client, auth, shop, owner
):
    # Given the shop's own password-reset email
    auth.login_staff(owner)
    body = "Chào {{ full_name }}, bấm vào đây: {{ reset_url }}\n\n[Đổi mật khẩu]({{ reset_url }})"
    assert (
        edit(client, shop, kind="member_password_reset", subject="Mật khẩu", body=body).status_code
        == 302
    )
    member = make_member(app, shop, MEMBER_EMAIL)

    # When the member asks for a new password
    shopper = app.test_client()
    shopper.post(f"/{shop.slug}/account/password/forgot", data={"email": member.email})

    # Then the email sent carries the working link, in the text and the HTML
    with app.app_context():
        message = delivered("member_password_reset")
        assert message["Subject"] == "Mật khẩu"
        link = link_in(text_of(message), "storefront.reset_password", shop.slug)
        assert html_of(message).count(f'href="http://shop.test{link}"') == 2
        message_id = db.session.scalars(
            db.select(OutboxMessage.id).where(OutboxMessage.kind == "member_password_reset")
        ).one()
    # And the admin's log shows it hidden
    for path in (f"/emails/{message_id}", f"/emails/{message_id}/preview"):
        page = client.get(f"/{shop.slug}/admin{path}")
        assert page.status_code == 200
        assert token_of(link) not in page.text
        assert "link hidden: password reset link" in page.text
    # And the link sets the new password
    shopper.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert Shopper(shopper).login(member, password=NEW_PASSWORD).status_code == 302


def test_the_pages_are_in_vietnamese(client, auth, shop, owner):
    client.post("/language", data={"lang": "vi"})
    auth.login_staff(owner)
    page = client.get(admin(shop))
    for text in ("Email thông báo", "Đổi trạng thái đơn hàng", "Mặc định", "Đặt lại mật khẩu"):
        assert text in page.text
    page = client.get(admin(shop, "/order_status"))
    for text in (
        "Biến cá nhân hoá",
        "trạng thái mới của đơn hàng",
        "với khách hàng và đơn hàng mẫu",
    ):
        assert text in page.text
    assert "the order's new status" not in page.text


def test_a_guests_order_gets_the_edited_order_placed_email(app, client, auth, shop, owner):
    # Given the shop's own order confirmation
    auth.login_staff(owner)
    body = (
        "Cảm ơn {{ full_name }}! Đơn {{ order_number }}:\n\n{{ order_lines }}\n\n"
        "Tổng: {{ order_total }}\n\nGiao tới: {{ delivery_address }}\n\n"
        "{{ payment_instructions }}\n\n{{ order_url }}"
    )
    subject = "Đã nhận đơn {{ order_number }}"
    assert edit(client, shop, kind="order_placed", subject=subject, body=body).status_code == 302

    # When a guest buys
    product = make_product(app, shop, "Áo dài lụa", 250_000)
    buyer = Buyer(app.test_client(), shop)
    buyer.add(product.id, quantity=2)
    assert buyer.checkout().status_code == 302

    # Then the email has the order's values, and the link to its page works
    with app.app_context():
        order = db.session.scalars(db.select(Order)).one()
        message = delivered("order_placed")
        assert message["Subject"] == f"Đã nhận đơn {order.display_number}"
        text = text_of(message)
        assert f"Cảm ơn {order.full_name}! Đơn {order.display_number}:" in text
        assert "Áo dài lụa × 2: 500.000" in text
        assert f"Giao tới: {order.full_name}, {order.phone}" in text
        assert "tiền mặt" in text
        link = link_in(text, "storefront.order", shop.slug)
    assert order.display_number in buyer.client.get(link).text
