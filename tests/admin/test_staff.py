"""The staff page: an owner invites people by email (they join only by accepting, see
test_invitations.py), withdraws invitations and removes members. What the owner is told never
depends on whether the email has an account elsewhere."""

from datetime import timedelta

from sqlalchemy import select

from core.extensions import db
from models import OutboxMessage, ShopMembership, StaffInvitation, StaffUser, utcnow
from tests.storefront import count, without_tokens


def invite(client, shop, email, role="staff", name=""):
    return client.post(
        f"/{shop.slug}/admin/staff", data={"email": email, "role": role, "name": name}
    )


def membership_of(staff_email, shop):
    return db.session.scalar(
        select(ShopMembership)
        .join(StaffUser)
        .where(StaffUser.email == staff_email, ShopMembership.shop_id == shop.id)
    )


def invitations_to(email):
    return db.session.scalars(
        select(StaffInvitation).where(StaffInvitation.email == email).order_by(StaffInvitation.id)
    ).all()


def invitation_mails_to(email):
    return db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == "staff_invitation", OutboxMessage.to_address == email
        )
    ).all()


def test_an_owner_cannot_put_another_shops_owner_on_the_staff(
    app, client, auth, shop, owner, other_owner
):
    auth.login_staff(owner)
    response = invite(client, shop, other_owner.email, role="manager")
    with app.app_context():
        assert membership_of(other_owner.email, shop) is None
        assert len(invitation_mails_to(other_owner.email)) == 1
    assert response.status_code == 200
    assert "Đã gửi lời mời đến binh@example.com." in response.text
    # The other owner's own admin does not list the shop, and its admin stays closed to them.
    auth.logout_staff(shop.slug)
    auth.login_staff(other_owner)
    dashboard = client.get(f"/{other_owner.shop_slug}/admin/")
    assert dashboard.status_code == 200
    assert shop.name not in dashboard.text
    assert client.get(f"/{shop.slug}/admin/").status_code == 404


def test_the_owner_is_answered_the_same_for_a_new_email_an_account_and_a_member(
    app, client, auth, shop, owner, other_owner, manager
):
    auth.login_staff(owner)
    pages = {}
    for email in ["nguoi.moi@example.com", other_owner.email, manager.email]:
        response = invite(client, shop, email, role="staff", name="Lan")
        assert response.status_code == 200, email
        pages[email] = without_tokens(response.text).replace(email, "EMAIL")
    assert len(set(pages.values())) == 1
    with app.app_context():
        assert len(invitations_to("nguoi.moi@example.com")) == 1
        assert len(invitations_to(other_owner.email)) == 1
        # Already on the staff: nothing is created and nothing sent.
        assert invitations_to(manager.email) == []
        assert invitation_mails_to(manager.email) == []
        assert membership_of(manager.email, shop).role == "manager"
        assert count(StaffUser, StaffUser.email == "nguoi.moi@example.com") == 0


def test_the_staff_form_asks_no_password(client, auth, shop, owner):
    auth.login_staff(owner)
    page = client.get(f"/{shop.slug}/admin/staff")
    assert page.status_code == 200
    assert 'name="password"' not in page.text
    assert 'name="email"' in page.text
    assert 'name="role"' in page.text


def test_inviting_again_replaces_the_pending_invitation(app, client, auth, shop, owner):
    auth.login_staff(owner)
    invite(client, shop, "lan@example.com", role="staff")
    invite(client, shop, "Lan@Example.com", role="manager")
    with app.app_context():
        (invitation,) = invitations_to("lan@example.com")
        assert invitation.role == "manager"
        assert invitation.accepted_at is None
        assert invitation.withdrawn_at is None
        assert len(invitation_mails_to("lan@example.com")) == 2


def test_pending_invitations_are_listed_with_a_withdraw_button_for_owners(
    app, client, auth, shop, owner, manager
):
    auth.login_staff(owner)
    invite(client, shop, "lan@example.com", role="manager")
    with app.app_context():
        (invitation,) = invitations_to("lan@example.com")
    withdraw_path = f"/{shop.slug}/admin/staff/invitations/{invitation.id}/withdraw"
    page = client.get(f"/{shop.slug}/admin/staff")
    assert "lan@example.com" in page.text
    assert withdraw_path in page.text
    auth.logout_staff(shop.slug)
    auth.login_staff(manager)
    page = client.get(f"/{shop.slug}/admin/staff")
    assert page.status_code == 200
    assert withdraw_path not in page.text


def test_the_owner_withdraws_an_invitation(app, client, auth, shop, owner):
    auth.login_staff(owner)
    invite(client, shop, "lan@example.com")
    with app.app_context():
        (invitation,) = invitations_to("lan@example.com")
    response = client.post(f"/{shop.slug}/admin/staff/invitations/{invitation.id}/withdraw")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{shop.slug}/admin/staff"
    page = client.get(f"/{shop.slug}/admin/staff")
    assert "Đã thu hồi lời mời gửi lan@example.com" in page.text
    assert "Lời mời đang chờ trả lời" not in page.text
    with app.app_context():
        assert invitations_to("lan@example.com")[0].withdrawn_at is not None


def test_staff_and_managers_cannot_invite_or_withdraw(
    app, client, auth, shop, owner, manager, staff_member
):
    auth.login_staff(owner)
    invite(client, shop, "lan@example.com")
    auth.logout_staff(shop.slug)
    with app.app_context():
        (invitation,) = invitations_to("lan@example.com")
    for person in [manager, staff_member]:
        auth.login_staff(person)
        assert invite(client, shop, "ke.gian@example.com", role="owner").status_code == 403
        withdraw = client.post(f"/{shop.slug}/admin/staff/invitations/{invitation.id}/withdraw")
        assert withdraw.status_code == 403
        auth.logout_staff(shop.slug)
    with app.app_context():
        assert invitations_to("ke.gian@example.com") == []
        assert invitation_mails_to("ke.gian@example.com") == []
        assert invitations_to("lan@example.com")[0].withdrawn_at is None


def test_another_shops_invitation_is_404(app, client, auth, shop, owner, other_owner):
    auth.login_staff(other_owner)
    client.post(f"/{other_owner.shop_slug}/admin/staff", data={"email": "lan@example.com"})
    auth.logout_staff(other_owner.shop_slug)
    with app.app_context():
        (invitation,) = invitations_to("lan@example.com")
    auth.login_staff(owner)
    response = client.post(f"/{shop.slug}/admin/staff/invitations/{invitation.id}/withdraw")
    assert response.status_code == 404
    assert "lan@example.com" not in client.get(f"/{shop.slug}/admin/staff").text
    with app.app_context():
        assert invitations_to("lan@example.com")[0].withdrawn_at is None


def test_expired_invitations_are_not_listed(app, client, auth, shop, owner):
    auth.login_staff(owner)
    invite(client, shop, "lan@example.com")
    with app.app_context():
        invitations_to("lan@example.com")[0].expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert "lan@example.com" not in client.get(f"/{shop.slug}/admin/staff").text
    # Inviting again makes a new one: the expired link stays dead.
    invite(client, shop, "lan@example.com")
    with app.app_context():
        assert len(invitations_to("lan@example.com")) == 2


def test_removing_a_staff_member_answers_with_the_staff_page(
    app, client, auth, shop, owner, staff_member
):
    auth.login_staff(owner)
    with app.app_context():
        membership_id = membership_of(staff_member.email, shop).id
    response = client.post(f"/{shop.slug}/admin/staff/{membership_id}/remove")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{shop.slug}/admin/staff"
    page = client.get(f"/{shop.slug}/admin/staff")
    assert page.status_code == 200
    assert "nhanvien@example.com" in page.text  # in the flash, and only there
    assert page.text.count("nhanvien@example.com") == 1
    with app.app_context():
        assert membership_of(staff_member.email, shop) is None
        assert count(StaffUser, StaffUser.email == staff_member.email) == 1


def test_the_last_owner_cannot_be_removed(app, client, auth, shop, owner):
    auth.login_staff(owner)
    with app.app_context():
        membership_id = membership_of(owner.email, shop).id
    response = client.post(f"/{shop.slug}/admin/staff/{membership_id}/remove")
    assert response.status_code == 302
    assert (
        "Cửa hàng phải có ít nhất một chủ cửa hàng." in client.get(f"/{shop.slug}/admin/staff").text
    )
    with app.app_context():
        assert membership_of(owner.email, shop).role == "owner"
