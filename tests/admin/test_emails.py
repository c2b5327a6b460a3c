"""The shop's email log in the admin (``/emails/log``): every message the shop sent or will
send, filtered by status, each readable in full (at ``/emails/<id>``, as before the log moved
under ``/emails``), and never a message of another shop."""

import re
from dataclasses import dataclass

import pytest

from core.extensions import db
from core.outbox import queue_mail
from models import MailStatus, Shop, utcnow


@dataclass(frozen=True)
class Mail:
    id: int
    subject: str
    to: str


def write_mail(app, shop, *, to, subject, text, html=None, to_name="", status=None, error=None):
    """A message in the shop's outbox, already in ``status`` (queued by default)."""
    with app.app_context():
        message = queue_mail(
            shop=db.session.get(Shop, shop.id),
            to=to,
            to_name=to_name,
            subject=subject,
            text=text,
            html=html,
        )
        db.session.flush()
        if status == MailStatus.SENT:
            message.status, message.attempts, message.sent_at = status, 1, utcnow()
        elif status == MailStatus.FAILED:
            message.status, message.attempts, message.last_error = status, 1, error
        db.session.commit()
        return Mail(message.id, subject, to)


@pytest.fixture
def mails(app, shop, other_shop):
    """Three messages of the shop, one per status, and one of another shop."""
    return {
        "sent": write_mail(
            app,
            shop,
            to="lan@example.com",
            to_name="Nguyễn Thị Lan",
            subject="Đơn hàng DH000123 đã giao thành công",
            text="Xin chào chị Lan,\nĐơn hàng DH000123 của chị đã được giao.\nCảm ơn chị!",
            html="<p>Xin chào <b>chị Lan</b>,</p><p>Đơn hàng DH000123 đã được giao.</p>",
            status=MailStatus.SENT,
        ),
        "queued": write_mail(
            app,
            shop,
            to="hung@example.com",
            subject="Tài khoản của anh đang chờ cửa hàng duyệt",
            text="Chào anh Hùng, cửa hàng sẽ duyệt tài khoản của anh sớm.",
        ),
        "failed": write_mail(
            app,
            shop,
            to="khong-co@example.com",
            subject="Khuyến mãi cuối tuần giảm 20%",
            text="Giảm 20% cho mọi áo dài đến hết Chủ nhật.",
            status=MailStatus.FAILED,
            error="SMTPRecipientsRefused: 550 5.1.1 No such user",
        ),
        "other": write_mail(
            app,
            other_shop,
            to="khach.binh@example.com",
            subject="Thư riêng của Cửa hàng Bình",
            text="Nội dung chỉ Cửa hàng Bình được xem.",
            html="<p>Nội dung chỉ Cửa hàng Bình được xem.</p>",
        ),
    }


@pytest.fixture
def logged_in(auth, owner):
    auth.login_staff(owner)


def emails_page(client, shop, **query):
    response = client.get(f"/{shop.slug}/admin/emails/log", query_string=query)
    assert response.status_code == 200
    return response.text


def listed(page, mail):
    return mail.subject in page


def test_email_log_lists_every_message_of_this_shop_and_no_other(client, shop, mails, logged_in):
    # When the owner opens the email log
    page = emails_page(client, shop)

    # Then each of the shop's messages is there with its recipient and a link to read it
    for key in ("sent", "queued", "failed"):
        mail = mails[key]
        assert listed(page, mail), key
        assert f'href="/{shop.slug}/admin/emails/{mail.id}"' in page, key
    assert mails["queued"].to in page
    assert mails["failed"].to in page
    assert "Nguyễn Thị Lan" in page
    # And the other shop's message is not
    assert not listed(page, mails["other"])
    assert mails["other"].to not in page


def test_any_staff_member_of_the_shop_can_read_the_email_log(
    client, auth, shop, mails, staff_member
):
    auth.login_staff(staff_member)
    assert listed(emails_page(client, shop), mails["queued"])


@pytest.mark.parametrize("status", ["queued", "sent", "failed"])
def test_status_filter_shows_only_messages_in_that_status(client, shop, mails, logged_in, status):
    # When the owner filters the log by a status
    page = emails_page(client, shop, status=status)

    # Then only the messages in that status are listed
    for key in ("sent", "queued", "failed"):
        assert listed(page, mails[key]) == (key == status), key
    assert not listed(page, mails["other"])


def test_unknown_status_filter_lists_everything(client, shop, mails, logged_in):
    page = emails_page(client, shop, status="khong-ro")
    assert all(listed(page, mails[key]) for key in ("sent", "queued", "failed"))


def test_email_log_of_a_shop_without_mail_lists_nothing(client, shop, logged_in):
    page = emails_page(client, shop)
    assert not re.search(rf'href="/{shop.slug}/admin/emails/\d', page)


def test_email_detail_shows_subject_recipient_and_text_body(client, shop, mails, logged_in):
    # When the owner opens a sent message
    mail = mails["sent"]
    response = client.get(f"/{shop.slug}/admin/emails/{mail.id}")

    # Then they read its subject, its recipient and its text
    assert response.status_code == 200
    page = response.text
    assert mail.subject in page
    assert "lan@example.com" in page
    assert "Nguyễn Thị Lan" in page
    assert "Đơn hàng DH000123 của chị đã được giao." in page
    # And the HTML version is shown in a sandboxed frame, from the preview address
    assert f'src="/{shop.slug}/admin/emails/{mail.id}/preview"' in page
    assert "sandbox" in page
    assert "<b>chị Lan</b>" not in page


def test_email_detail_of_a_failed_message_shows_why(client, shop, mails, logged_in):
    page = client.get(f"/{shop.slug}/admin/emails/{mails['failed'].id}").text
    assert "550 5.1.1 No such user" in page
    assert "Giảm 20% cho mọi áo dài đến hết Chủ nhật." in page


def test_another_shops_message_is_404_like_a_missing_one(client, shop, mails, logged_in):
    other = mails["other"]
    for path in (f"/emails/{other.id}", f"/emails/{other.id}/preview"):
        response = client.get(f"/{shop.slug}/admin{path}")
        assert response.status_code == 404, path
        assert other.subject not in response.text
        assert "Cửa hàng Bình được xem" not in response.text
    assert client.get(f"/{shop.slug}/admin/emails/{other.id + 1000}").status_code == 404


def test_preview_serves_the_html_body_locked_down(client, shop, mails, logged_in):
    # When the framed preview of a message is loaded
    response = client.get(f"/{shop.slug}/admin/emails/{mails['sent'].id}/preview")

    # Then it is the HTML body as the customer sees it
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.text == (
        "<p>Xin chào <b>chị Lan</b>,</p><p>Đơn hàng DH000123 đã được giao.</p>"
    )
    # And no script in it may run and nothing may be fetched from elsewhere
    policy = [part.strip() for part in response.headers["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy
    assert "default-src 'none'" in policy


def test_preview_of_a_text_only_message_is_empty(client, shop, mails, logged_in):
    response = client.get(f"/{shop.slug}/admin/emails/{mails['queued'].id}/preview")
    assert response.status_code == 200
    assert response.text == ""
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_email_log_pages_send_anonymous_visitors_to_the_login(client, shop, mails):
    sent = mails["sent"].id
    for path in ("/emails/log", f"/emails/{sent}", f"/emails/{sent}/preview"):
        response = client.get(f"/{shop.slug}/admin{path}")
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith(f"/{shop.slug}/admin/login"), path


def test_messages_are_listed_newest_first(client, shop, mails, logged_in):
    page = emails_page(client, shop)
    positions = [page.index(mails[key].subject) for key in ("failed", "queued", "sent")]
    assert positions == sorted(positions)
