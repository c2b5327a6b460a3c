"""The page an invitation's link opens. Only the invited account joins, by accepting while
logged in as itself (or logging in on the page); a new person chooses a name and a password;
a withdrawn, expired, used or foreign link opens nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.extensions import db
from models import OutboxMessage, ShopMembership, StaffUser, utcnow
from tests.admin.test_staff import invitations_to, invite, membership_of
from tests.conftest import PASSWORD
from tests.mail import sent_link, sent_text
from tests.storefront import count

NEW_EMAIL = "lan@example.com"
NEW_PASSWORD = "mat khau cua lan 1"


def invitation_link(app, shop, email):
    """The path of the link in the last invitation emailed to ``email``."""
    with app.app_context():
        return sent_link("staff_invitation", "admin.invitation", shop.slug, to=email)


@pytest.fixture
def invited(app, client, auth, shop, owner):
    """Invite ``email`` as ``role`` from the owner's session, then leave the browser logged
    out; returns the link's path."""

    def invite_as_owner(email, role="staff", name=""):
        auth.login_staff(owner)
        assert invite(client, shop, email, role=role, name=name).status_code == 200
        auth.logout_staff(shop.slug)
        return invitation_link(app, shop, email)

    return invite_as_owner


def test_the_invitation_email_is_in_vietnamese_with_the_public_link(app, invited, shop):
    invited(NEW_EMAIL, role="manager", name="Lan")
    with app.app_context():
        message = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.kind == "staff_invitation")
        )
        assert message.subject == "Chủ Thời Trang Mai mời bạn vào làm cùng Thời Trang Mai"
        assert "với vai trò Quản lý" in message.body_text
        assert "Nhận lời mời" in message.body_html
        # The link is in the email sent, not in the shop's email log.
        sent = sent_text("staff_invitation", to=NEW_EMAIL)
        assert f"http://shop.test/{shop.slug}/admin/invitations/" in sent
        assert "/admin/invitations/" not in message.body_text + message.body_html
        # Only a hash of the token is kept.
        (invitation,) = invitations_to(NEW_EMAIL)
        token = invitation_link(app, shop, NEW_EMAIL).rsplit("/", 1)[1]
        assert token not in invitation.token_hash


def test_another_shops_owner_joins_only_by_accepting_while_logged_in(
    app, client, auth, invited, shop, other_owner
):
    link = invited(other_owner.email, role="manager")
    auth.login_staff(other_owner)
    page = client.get(link)
    assert page.status_code == 200
    assert "Nhận lời mời" in page.text
    with app.app_context():
        assert membership_of(other_owner.email, shop) is None
    response = client.post(link)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{shop.slug}/admin/"
    assert client.get(f"/{shop.slug}/admin/").status_code == 200
    with app.app_context():
        assert membership_of(other_owner.email, shop).role == "manager"
        assert invitations_to(other_owner.email)[0].accepted_at is not None
    # The link is spent.
    assert client.get(link).status_code == 404


def test_an_existing_account_logs_in_on_the_page_to_accept(app, client, invited, shop, other_owner):
    link = invited(other_owner.email, role="staff")
    page = client.get(link)
    assert page.status_code == 200
    assert 'name="password"' in page.text
    assert 'name="name"' not in page.text  # nobody chooses a new password for this account
    wrong = client.post(link, data={"password": "khong phai mat khau"})
    assert wrong.status_code == 200
    assert "Email hoặc mật khẩu không đúng" in wrong.text
    with app.app_context():
        assert membership_of(other_owner.email, shop) is None
    response = client.post(link, data={"password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{shop.slug}/admin/"
    assert client.get(f"/{shop.slug}/admin/").status_code == 200
    with app.app_context():
        assert membership_of(other_owner.email, shop).role == "staff"
        assert count(StaffUser) == 2  # the two owners, no new account


def test_a_new_person_sets_a_name_and_password_and_is_logged_in(app, client, invited, shop):
    link = invited(NEW_EMAIL, role="manager", name="Lan")
    page = client.get(link)
    assert page.status_code == 200
    assert 'value="Lan"' in page.text
    short = client.post(link, data={"name": "Lan", "password": "ngan", "password_confirm": "ngan"})
    assert short.status_code == 200
    assert "is-invalid" in short.text
    with app.app_context():
        assert count(StaffUser, StaffUser.email == NEW_EMAIL) == 0
    response = client.post(
        link,
        data={"name": "Trần Thị Lan", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{shop.slug}/admin/"
    dashboard = client.get(f"/{shop.slug}/admin/")
    assert dashboard.status_code == 200
    assert "Trần Thị Lan" in dashboard.text
    with app.app_context():
        staff = db.session.scalar(select(StaffUser).where(StaffUser.email == NEW_EMAIL))
        assert staff.check_password(NEW_PASSWORD)
        assert membership_of(NEW_EMAIL, shop).role == "manager"
    # And the password works at the shop's login.
    client.post(f"/{shop.slug}/admin/logout")
    login = client.post(
        f"/{shop.slug}/admin/login", data={"email": NEW_EMAIL, "password": NEW_PASSWORD}
    )
    assert login.headers["Location"] == f"/{shop.slug}/admin/"


@pytest.mark.parametrize("who", ["other_owner", "owner"])
def test_accepting_while_logged_in_as_another_account_is_refused(
    app, client, auth, invited, shop, request, who
):
    """Another shop's owner, or the inviting owner who read the link in the email log."""
    link = invited(NEW_EMAIL, role="owner")
    person = request.getfixturevalue(who)
    auth.login_staff(person)
    page = client.get(link)
    assert page.status_code == 403
    assert "Lời mời này gửi cho lan@example.com" in page.text
    for data in [
        {},
        {"name": "Kẻ Gian", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    ]:
        assert client.post(link, data=data).status_code == 403
    with app.app_context():
        assert count(StaffUser, StaffUser.email == NEW_EMAIL) == 0
        assert count(ShopMembership, ShopMembership.shop_id == shop.id) == 1
        assert invitations_to(NEW_EMAIL)[0].accepted_at is None


def test_logging_out_from_the_refusal_comes_back_to_the_invitation(
    client, auth, invited, shop, other_owner
):
    link = invited(NEW_EMAIL)
    auth.login_staff(other_owner)
    response = client.post(f"/{shop.slug}/admin/logout", data={"next": link})
    assert response.headers["Location"] == link
    assert client.get(link).status_code == 200
    # Elsewhere than this shop's admin, the logout goes to the login as before.
    auth.login_staff(other_owner)
    response = client.post(f"/{shop.slug}/admin/logout", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == f"/{shop.slug}/admin/login"


def spend(app, email, how):
    with app.app_context():
        (invitation,) = invitations_to(email)
        if how == "withdrawn":
            invitation.withdrawn_at = utcnow()
        elif how == "expired":
            invitation.expires_at = utcnow() - timedelta(seconds=1)
        else:
            invitation.accepted_at = utcnow()
        db.session.commit()


@pytest.mark.parametrize("how", ["withdrawn", "expired", "used"])
def test_a_withdrawn_expired_or_used_link_opens_nothing(
    app, client, auth, invited, shop, other_owner, how
):
    new_link = invited(NEW_EMAIL)
    account_link = invited(other_owner.email)
    spend(app, NEW_EMAIL, how)
    spend(app, other_owner.email, how)
    for link in [new_link, account_link]:
        page = client.get(link)
        assert page.status_code == 404
        assert "Không dùng được lời mời này" in page.text
        assert 'name="password"' not in page.text
        data = {"name": "Lan", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
        assert client.post(link, data=data).status_code == 404
        assert client.post(link, data={"password": PASSWORD}).status_code == 404
    auth.login_staff(other_owner)
    assert client.post(account_link).status_code == 404
    with app.app_context():
        assert count(StaffUser, StaffUser.email == NEW_EMAIL) == 0
        assert membership_of(other_owner.email, shop) is None


def test_the_owner_withdraws_and_the_link_opens_nothing(app, client, auth, invited, shop, owner):
    link = invited(NEW_EMAIL)
    with app.app_context():
        (invitation,) = invitations_to(NEW_EMAIL)
    auth.login_staff(owner)
    client.post(f"/{shop.slug}/admin/staff/invitations/{invitation.id}/withdraw")
    auth.logout_staff(shop.slug)
    assert client.get(link).status_code == 404


def test_a_replaced_invitation_link_opens_nothing(app, client, invited):
    first = invited(NEW_EMAIL, role="owner")
    second = invited(NEW_EMAIL, role="staff")
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_a_link_opens_nothing_at_another_shop_or_with_a_made_up_token(
    client, invited, shop, other_shop
):
    link = invited(NEW_EMAIL)
    assert client.get(link.replace(f"/{shop.slug}/", f"/{other_shop.slug}/")).status_code == 404
    assert client.get(f"/{shop.slug}/admin/invitations/{'a' * 43}").status_code == 404
    assert client.get(f"/{shop.slug}/admin/invitations/{'a' * 500}").status_code == 404


def test_password_tries_on_the_invitation_page_are_limited_per_account(
    make_app, shop_and_owner, other_shop_and_owner
):
    app = make_app(create_schema=False, LOGIN_ACCOUNT_RATE_LIMIT="2 per hour")
    client = app.test_client()
    shop, owner = shop_and_owner
    other_owner = other_shop_and_owner[1]
    owner_client = app.test_client()
    owner_client.post(
        f"/{shop.slug}/admin/login", data={"email": owner.email, "password": PASSWORD}
    )
    invite(owner_client, shop, other_owner.email)
    first = invitation_link(app, shop, other_owner.email)
    for _ in range(2):
        assert client.post(first, data={"password": "sai"}).status_code == 200
    # A new link (the owner invites again) gives no new tries.
    invite(owner_client, shop, other_owner.email)
    second = invitation_link(app, shop, other_owner.email)
    assert second != first
    assert client.post(second, data={"password": PASSWORD}).status_code == 429
    with app.app_context():
        assert membership_of(other_owner.email, shop) is None
