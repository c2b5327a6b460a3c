"""The notification emails as a shop edits them: each kind's built-in text, written with its
placeholders in the shop's language, reads as a template of that kind; the shop's version of
a kind is what that kind sends (the reinstated member gets the reinstated one, not the
approved one), with every value filled in; a shop's version that does not render (which the
check at saving keeps from happening) never stops the email: the built-in one goes."""

import pytest

from core.extensions import db
from core.outbox import text_for_staff
from models import Customer, NotificationTemplate, OutboxMessage, Shop
from services import notification_templates as notices
from services import notifications
from tests.factories import make_member
from tests.mail import delivered, text_of

LINK = "https://shop.test/thoi-trang-mai/a-secret-link"


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("kind", list(notices.KINDS))
def test_each_default_reads_with_its_kinds_placeholders(app, shop, kind, locale):
    with app.test_request_context():
        shop_row = db.session.get(Shop, shop.id)
        shop_row.locale = locale
        text = notices.default_text(shop_row, notices.KINDS[kind])
        notices.check_text(notices.KINDS[kind], subject=text.subject, body=text.body)
        email = notices.preview(shop_row, notices.KINDS[kind], subject=text.subject, body=text.body)
    assert "{{" not in email.subject + email.text
    assert "Nguyễn Văn An" in email.text
    if locale == "vi":
        assert text.body.startswith("Xin chào {{ full_name }},")
        assert "Hello" not in text.body
    else:
        assert text.body.startswith("Hello {{ full_name }},")


def save(app, shop, kind, subject, body):
    with app.app_context():
        db.session.add(NotificationTemplate(shop_id=shop.id, kind=kind, subject=subject, body=body))
        db.session.commit()


def send_status(app, shop, member_id, **arguments):
    with app.test_request_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = db.session.get(Customer, member_id)
        notifications.send_member_status(shop=shop_row, customer=customer, **arguments)
        db.session.commit()


def test_a_reinstated_member_gets_the_reinstated_version(app, shop):
    member = make_member(app, shop, "an@example.com", first_name="An", last_name="Lê")
    save(
        app, shop, "member_reinstated", "Chào lại {{ first_name }}", "{{ reason }} {{ login_url }}"
    )
    save(app, shop, "member_approved", "Duyệt {{ first_name }}", "Đã duyệt.")

    send_status(app, shop, member.id, reinstated=True, reason="Đã xác minh")
    send_status(app, shop, member.id)

    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [(row.kind, row.subject) for row in rows] == [
            ("member_approved", "Chào lại An"),
            ("member_approved", "Duyệt An"),
        ]
        assert "Lời nhắn từ cửa hàng: Đã xác minh" in rows[0].body_text
        assert "/thoi-trang-mai/account/login" in rows[0].body_text


def test_an_invitation_link_in_the_shops_version_is_secret(app, shop):
    member = make_member(app, shop, "an@example.com", status="guest", first_name="An")
    save(app, shop, "member_invitation", "Mời {{ first_name }}", "Bấm: {{ accept_url }}")
    with app.test_request_context():
        notifications.send_member_invitation(
            shop=db.session.get(Shop, shop.id),
            customer=db.session.get(Customer, member.id),
            accept_url=LINK,
        )
        db.session.commit()
        row = db.session.scalars(db.select(OutboxMessage)).one()
        assert LINK not in row.body_text + row.body_html
        assert "🔒" in text_for_staff(row.body_text)
        assert f"Bấm: {LINK}" in text_of(delivered("member_invitation"))


def test_a_version_that_does_not_render_sends_the_built_in_email(app, shop):
    member = make_member(app, shop, "an@example.com", first_name="An", last_name="Lê")
    save(app, shop, "member_cancelled", "Hủy {{ password }}", "{% if x %}{% endif %}")
    with app.test_request_context():
        customer = db.session.get(Customer, member.id)
        customer.status = "cancelled"
        notifications.send_member_status(
            shop=db.session.get(Shop, shop.id), customer=customer, reason="Bom hàng"
        )
        db.session.commit()
        row = db.session.scalars(db.select(OutboxMessage)).one()
        assert row.subject == "Tài khoản của bạn tại Thời Trang Mai đã bị huỷ"
        assert "Lý do cửa hàng đưa ra: Bom hàng" in row.body_text
