"""The owner changes a staff member's role and deactivates or activates them at this shop;
the last owner stays, nobody changes themselves, and a deactivated person opens nothing of
the shop (their customers stay theirs). A person removed from the staff leaves their
customers to nobody."""

import pytest

from core.extensions import db
from models import Customer, ShopMembership
from tests.factories import make_guest, make_staff


@pytest.fixture(autouse=True)
def english(client):
    client.post("/language", data={"lang": "en"})


def membership(app, shop, staff):
    with app.app_context():
        return db.session.scalar(
            db.select(ShopMembership).where(
                ShopMembership.shop_id == shop.id, ShopMembership.staff_id == staff.id
            )
        )


def test_the_owner_changes_a_role(app, client, auth, shop, owner, staff_member):
    auth.login_staff(owner)
    m = membership(app, shop, staff_member)
    reply = client.post(f"/{shop.slug}/admin/staff/{m.id}/role", data={"new_role": "manager"})
    assert reply.status_code == 302
    assert membership(app, shop, staff_member).role == "manager"
    assert (
        client.post(f"/{shop.slug}/admin/staff/{m.id}/role", data={"new_role": "god"}).status_code
        == 302
    )
    assert membership(app, shop, staff_member).role == "manager"


def test_a_deactivated_member_opens_nothing_until_activated(
    app, client, auth, shop, owner, staff_member
):
    guest = make_guest(app, shop, phone="0912345678")
    with app.app_context():
        db.session.get(Customer, guest).assigned_staff_id = staff_member.id
        db.session.commit()
    m = membership(app, shop, staff_member)
    auth.login_staff(owner)
    client.post(f"/{shop.slug}/admin/staff/{m.id}/deactivate")
    assert "Deactivated" in client.get(f"/{shop.slug}/admin/staff").text
    auth.logout_staff(shop.slug)

    # The person cannot log in here, and an open session opens nothing
    auth.login_staff(staff_member)
    assert client.get(f"/{shop.slug}/admin/customers").status_code in (302, 404)
    with app.app_context():
        assert db.session.get(Customer, guest).assigned_staff_id == staff_member.id

    auth.login_staff(owner)
    client.post(f"/{shop.slug}/admin/staff/{m.id}/activate")
    auth.logout_staff(shop.slug)
    auth.login_staff(staff_member)
    assert client.get(f"/{shop.slug}/admin/customers").status_code == 200


def test_a_session_open_when_deactivated_opens_nothing(
    app, client, auth, shop, owner, staff_member
):
    auth.login_staff(staff_member)
    assert client.get(f"/{shop.slug}/admin/").status_code == 200
    with app.app_context():
        row = db.session.get(ShopMembership, membership(app, shop, staff_member).id)
        row.active = False
        db.session.commit()
    assert client.get(f"/{shop.slug}/admin/").status_code == 404


def test_the_last_owner_stays_owner_and_active(app, client, auth, shop, owner):
    other = make_staff(app, shop, "owner2@example.com", "owner")
    auth.login_staff(owner)
    m = membership(app, shop, other)
    client.post(f"/{shop.slug}/admin/staff/{m.id}/deactivate")
    assert membership(app, shop, other).active is False
    # Now the first owner is the last active owner: nobody can take it away from them, and
    # they cannot change themselves
    mine = membership(app, shop, owner)
    reply = client.post(f"/{shop.slug}/admin/staff/{mine.id}/role", data={"new_role": "staff"})
    assert "You cannot change your own role" in client.get(reply.headers["Location"]).text
    assert membership(app, shop, owner).role == "owner"
    client.post(f"/{shop.slug}/admin/staff/{m.id}/activate")
    assert membership(app, shop, other).active is True


def test_only_the_owner_changes_roles_and_access(app, client, auth, shop, manager, staff_member):
    auth.login_staff(manager)
    m = membership(app, shop, staff_member)
    base = f"/{shop.slug}/admin/staff/{m.id}"
    assert client.post(f"{base}/role", data={"new_role": "owner"}).status_code == 403
    assert client.post(f"{base}/deactivate").status_code == 403
    assert membership(app, shop, staff_member).role == "staff"
    assert membership(app, shop, staff_member).active is True


def test_another_shops_membership_is_not_found(
    app, client, auth, shop, owner, other_shop, other_owner
):
    theirs = membership(app, other_shop, other_owner)
    auth.login_staff(owner)
    base = f"/{shop.slug}/admin/staff/{theirs.id}"
    assert client.post(f"{base}/role", data={"new_role": "staff"}).status_code == 404
    assert client.post(f"{base}/deactivate").status_code == 404
    assert membership(app, other_shop, other_owner).role == "owner"


def test_removing_a_member_leaves_their_customers_to_nobody(
    app, client, auth, shop, owner, staff_member
):
    guest = make_guest(app, shop, phone="0912345678")
    with app.app_context():
        db.session.get(Customer, guest).assigned_staff_id = staff_member.id
        db.session.commit()
    auth.login_staff(owner)
    client.post(f"/{shop.slug}/admin/staff/{membership(app, shop, staff_member).id}/remove")
    with app.app_context():
        assert db.session.get(Customer, guest).assigned_staff_id is None
