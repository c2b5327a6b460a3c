"""More headers on a message (a marketing email's List-Unsubscribe): they leave with it, a
secret link in one is revealed only in the message sent, and the row never holds it."""

import pytest

from core.extensions import db
from core.outbox import SecretLinks, queue_mail
from models import OutboxMessage, Shop
from tests.mail import delivered

LINK = "http://shop.test/thoi-trang-mai/unsubscribe/bi-mat"


def test_headers_leave_with_the_message_their_secret_link_revealed(app, shop):
    with app.app_context():
        links = SecretLinks()
        placeholder = links.add(LINK, "unsubscribe")
        queue_mail(
            shop=db.session.get(Shop, shop.id),
            to="lan@example.com",
            subject="Khuyến mãi",
            text=f"Huỷ đăng ký: {placeholder}",
            secret_links=links,
            headers={
                "List-Unsubscribe": f"<{placeholder}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        db.session.commit()
        row = db.session.scalars(db.select(OutboxMessage)).one()
        assert LINK not in str(row.headers)
        message = delivered()
        assert message["List-Unsubscribe"] == f"<{LINK}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        db.session.expire_all()
        row = db.session.get(OutboxMessage, row.id)
        assert row.secret_urls is None
        assert LINK not in str(row.headers)


def test_a_secret_link_written_in_a_header_without_its_placeholder_is_refused(app, shop):
    with app.app_context():
        links = SecretLinks()
        placeholder = links.add(LINK, "unsubscribe")
        with pytest.raises(ValueError, match="header"):
            queue_mail(
                shop=db.session.get(Shop, shop.id),
                to="lan@example.com",
                subject="Khuyến mãi",
                text=placeholder,
                secret_links=links,
                headers={"List-Unsubscribe": f"<{LINK}>"},
            )


def test_a_header_value_is_one_line(app, shop):
    with app.app_context():
        queue_mail(
            shop=db.session.get(Shop, shop.id),
            to="lan@example.com",
            subject="x",
            text="x",
            headers={"X-Campaign": "mot\r\nBcc: ke.gian@example.com"},
        )
        db.session.commit()
        message = delivered()
        assert message["Bcc"] is None
        assert "\n" not in message["X-Campaign"]
