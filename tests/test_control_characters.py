"""Control characters (NUL, CR, LF …) typed into names, contacts and notes: one-line text is
stored without them, multi-line text keeps its line breaks as ``\\n`` only, and a member's
emails are sent whatever their name held. Through the pages, and through the services that
the CLI and the jobs call."""

import pytest

from core.extensions import db
from models import (
    Address,
    Customer,
    CustomerStatus,
    MailStatus,
    Order,
    OutboxMessage,
    Shop,
    StaffUser,
)
from services import addresses as address_service
from services import customers as customer_service
from services import orders as order_service
from services import shops as shop_service
from tests.conftest import PASSWORD
from tests.selling import GUEST, Buyer, make_product
from tests.smtp import SMTPServer
from tests.storefront import Shopper, make_member


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(make_app, smtp):
    """Mail goes to the local SMTP server: what the member's mail server would get."""
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_TIMEOUT=5)


def rows(model, *where):
    with db.session.no_autoflush:
        return db.session.scalars(db.select(model).where(*where).order_by(model.id)).all()


def test_a_member_name_with_line_breaks_is_stored_without_them_and_their_mail_is_sent(
    app, client, shop, smtp, run_jobs
):
    # When someone registers with CR/LF and NUL in their name
    response = client.post(
        f"/{shop.slug}/account/register",
        data={
            "first_name": "Minh\r\nAnh",
            "last_name": "Phạm\x00",
            "email": "minh.anh@example.com",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    assert response.status_code == 302, response.text
    run_jobs()

    # Then the name is stored on one line, and the welcome mail reached them
    with app.app_context():
        customer = rows(Customer)[0]
        assert customer.first_name == "Minh Anh"
        assert customer.last_name == "Phạm"
        sent = rows(OutboxMessage, OutboxMessage.to_address == "minh.anh@example.com")
        assert [m.status for m in sent] == [MailStatus.SENT]
    mine = [m for to, m in smtp.mailbox.received if to == ["minh.anh@example.com"]]
    assert [str(m["To"]) for m in mine] == ["Phạm Minh Anh <minh.anh@example.com>"]


def test_a_name_stored_with_a_line_break_before_still_gets_its_mail(
    app, client, auth, shop, owner, smtp, run_jobs
):
    # Given a member whose name was stored with a line break before names were cleaned
    member = make_member(
        app,
        shop,
        "lan@example.com",
        status=CustomerStatus.TEMPORARY,
        first_name="Lan\r\nBcc: spy@example.com",
    )
    # When the shop approves them
    auth.login_staff(owner)
    response = client.post(f"/{shop.slug}/admin/customers/{member.id}/approve")
    assert response.status_code == 302
    # and a message queued by other code with a line break in its name and subject
    with app.app_context():
        db.session.add(
            OutboxMessage(
                shop_id=shop.id,
                kind="message",
                to_address="lan@example.com",
                to_name="Lan\nBcc: spy@example.com",
                subject="Chào\r\nBcc: spy@example.com",
                body_text="Xin chào",
            )
        )
        db.session.commit()
    run_jobs()

    # Then both mails reach the member, and nobody else
    with app.app_context():
        sent = rows(OutboxMessage, OutboxMessage.to_address == "lan@example.com")
        assert [m.status for m in sent] == [MailStatus.SENT, MailStatus.SENT]
    assert smtp.recipients.count("lan@example.com") == 2
    assert "spy@example.com" not in smtp.recipients
    for message in smtp.messages:
        for header in ("To", "Subject"):
            assert "\n" not in str(message[header])


def test_an_order_contact_is_stored_clean_and_its_note_keeps_its_line_breaks(app, client, shop):
    product = make_product(app, shop, "Nón lá Huế", 100_000)
    buyer = Buyer(client, shop)
    buyer.add(product.id)

    response = buyer.checkout(
        full_name="Trần\x00 Thị\r\nBình",
        phone="0903\x00111222",
        line1="12 Nguyễn\rTrãi",
        ward="Phường\tBến Thành",
        note="Giao giờ hành chính\r\nGọi trước\x00 khi đến",
    )

    assert response.status_code == 302, response.text
    with app.app_context():
        order = rows(Order)[0]
        assert order.full_name == "Trần Thị Bình"
        assert order.phone == "+84903111222"
        assert order.line1 == "12 Nguyễn Trãi"
        assert order.ward == "Phường Bến Thành"
        assert order.note == "Giao giờ hành chính\nGọi trước khi đến"


def test_the_services_clean_text_for_the_cli_and_the_jobs_too(app, shop):
    product = make_product(app, shop, "Nón lá Huế", 100_000)
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = customer_service.register_member(
            shop=shop_row,
            first_name="Minh\nAnh\x00",
            last_name="Phạm\r",
            email="minh.anh@example.com",
            phone=None,
            password=PASSWORD,
        )
        address_service.create_address(
            shop=shop_row,
            customer=customer,
            full_name="Phạm\r\nMinh Anh",
            phone="0912345678",
            line1="45 Lê\x00 Lợi",
            ward="Phường\nSài Gòn",
            district="Quận\r1",
            province="Hồ Chí Minh",
        )
        order = order_service.place_order(
            shop=shop_row,
            lines=[(product.id, 1)],
            **{**GUEST, "full_name": "Trần\r\nBình\x00", "note": "Một\r\nHai\rBa\x00"},
        )
        new_shop, owner = shop_service.create_shop(
            slug="cua-hang-moi",
            name="Cửa hàng\r\nMới",
            owner_email="moi@example.com",
            owner_password=PASSWORD,
            owner_name="Chủ\nMới",
        )
        db.session.commit()

        assert (customer.first_name, customer.last_name) == ("Minh Anh", "Phạm")
        address = rows(Address)[0]
        assert (address.full_name, address.line1, address.ward, address.district) == (
            "Phạm Minh Anh",
            "45 Lê Lợi",
            "Phường Sài Gòn",
            "Quận 1",
        )
        assert (order.full_name, order.note) == ("Trần Bình", "Một\nHai\nBa")
        assert db.session.get(Shop, new_shop.id).name == "Cửa hàng Mới"
        assert db.session.get(StaffUser, owner.id).name == "Chủ Mới"


def test_forms_clean_what_they_receive(app, client, auth, shop, owner):
    member = make_member(app, shop, "minh.anh@example.com")
    shopper = Shopper(app.test_client())
    assert shopper.login(member).status_code == 302
    response = shopper.client.post(
        f"/{shop.slug}/account/profile",
        data={"first_name": "Minh\r\nAnh\x00", "last_name": "Phạm\x1b[31m"},
    )
    assert response.status_code == 302, response.text

    auth.login_staff(owner)
    response = client.post(
        f"/{shop.slug}/admin/settings",
        data={
            "name": "Thời Trang\r\nMai\x00",
            "contact_email": "mai@example.com",
            "locale": "vi",
            "shipping_fee": "30000",
            "bank_details": "Vietcombank\r\nSố TK: 0123\x00456789\r\nChủ TK: Mai",
            "refusal_tag_threshold": "0",
        },
    )
    assert response.status_code == 302, response.text

    with app.app_context():
        customer = db.session.get(Customer, member.id)
        assert (customer.first_name, customer.last_name) == ("Minh Anh", "Phạm[31m")
        shop_row = db.session.get(Shop, shop.id)
        assert shop_row.name == "Thời Trang Mai"
        assert shop_row.bank_details == "Vietcombank\nSố TK: 0123456789\nChủ TK: Mai"
