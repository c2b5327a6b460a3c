"""A member's rights over their data (Decree 13/2023): a copy of it as JSON, and deleting the
account with their password. The shop keeps its orders; the person may register again."""

import json

from sqlalchemy import select

from core.extensions import db
from models import (
    Customer,
    CustomerNote,
    CustomerStatus,
    Favourite,
    LoginSession,
    Order,
    Shop,
)
from services.tags import tag_customer, tag_named
from tests.conftest import PASSWORD
from tests.factories import add_address, make_member, make_order, make_product
from tests.storefront import count, outbox
from tests.storefront.test_register import register


def profile_page(client, shop):
    response = client.get(f"/{shop.slug}/account/profile")
    assert response.status_code == 200
    return response.text


def download(client, shop):
    return client.get(f"/{shop.slug}/account/data.json")


def delete_account(client, shop, password=PASSWORD):
    return client.post(f"/{shop.slug}/account/delete", data={"current_password": password})


def give_history(app, shop, member_id):
    """What the shop holds about a member: an address, a favourite, an order they placed,
    an order that only carries their phone, a staff note and a tag."""
    add_address(app, member_id, line1="45 Lê Lợi")
    product = make_product(app, shop, name="Áo dài lụa")
    placed = make_order(app, shop, customer_id=member_id, source="member")
    # A guest's checkout joined to the record by a phone proves nothing: it is not theirs to see
    unproven = make_order(
        app, shop, customer_id=member_id, source="guest", email="ai.do@example.com"
    )
    with app.app_context():
        customer = db.session.get(Customer, member_id)
        db.session.add(Favourite(shop_id=shop.id, customer_id=member_id, product_id=product.id))
        customer.notes.append(CustomerNote(shop_id=shop.id, body="Khách khó tính, gọi trước"))
        tag_customer(customer, tag_named(db.session.get(Shop, shop.id), "VIP"))
        db.session.commit()
    return placed, unproven


# --- Links ----------------------------------------------------------------------------


def test_the_profile_links_to_the_data_copy_and_the_deletion(client, shop, signed_in):
    page = profile_page(client, shop)
    assert f'href="/{shop.slug}/account/data.json"' in page
    assert f'href="/{shop.slug}/account/delete"' in page


def test_both_pages_need_the_member_signed_in(client, shop, member):
    for path in ("/account/data.json", "/account/delete"):
        response = client.get(f"/{shop.slug}{path}")
        assert response.status_code == 302
        assert "/account/login" in response.headers["Location"]
    assert delete_account(client, shop).status_code == 302
    with client.application.app_context():
        assert count(Customer, Customer.id == member.id) == 1


# --- The copy of one's data -----------------------------------------------------------


def test_the_data_copy_holds_the_members_own_data_only(app, client, shop, other_shop, signed_in):
    placed, unproven = give_history(app, shop, signed_in.id)
    someone = make_member(app, shop, "khac@example.com", "+84903000999", first_name="Lan")
    make_order(app, shop, customer_id=someone.id, source="member", full_name="Trần Lan")
    make_member(app, other_shop, signed_in.email)
    response = download(client, shop)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.text)
    assert data["profile"]["email"] == signed_in.email
    assert data["profile"]["first_name"] == "Minh Anh"
    assert data["phones"] == [{"number": "+84912345678", "is_primary": True}]
    assert [a["line1"] for a in data["addresses"]] == ["45 Lê Lợi"]
    assert [o["number"] for o in data["orders"]] == [f"#{placed.number}"]
    assert data["orders"][0]["lines"][0]["product"] == "Áo dài lụa"
    assert data["orders"][0]["total"] == 530_000
    assert [f["product"] for f in data["favourites"]] == ["Áo dài lụa"]
    text = response.text
    for secret in ("Khách khó tính", "VIP", "Trần Lan", "khac@example.com", f"#{unproven.number}"):
        assert secret not in text
    assert "password" not in text


# --- Deleting the account -------------------------------------------------------------


def test_the_delete_page_asks_for_the_password_and_offers_the_copy(client, shop, signed_in):
    page = client.get(f"/{shop.slug}/account/delete").text
    assert 'name="current_password"' in page
    assert f'href="/{shop.slug}/account/data.json"' in page
    assert "The orders you placed stay with the shop" in page


def test_a_wrong_password_deletes_nothing(app, client, shop, signed_in):
    response = delete_account(client, shop, password="not the password")
    assert response.status_code == 200
    assert "Your current password is not correct." in response.text
    with app.app_context():
        assert count(Customer, Customer.id == signed_in.id) == 1
    assert client.get(f"/{shop.slug}/account/").status_code == 200


def test_deleting_the_account_logs_out_everywhere_and_keeps_the_orders(
    app, client, shop, shopper, signed_in
):
    placed, unproven = give_history(app, shop, signed_in.id)
    # The member is signed in on a second device too
    second = app.test_client()
    second.post(
        f"/{shop.slug}/account/login", data={"login": signed_in.email, "password": PASSWORD}
    )
    assert second.get(f"/{shop.slug}/account/").status_code == 200
    response = delete_account(client, shop)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{shop.slug}/"
    home = client.get(response.headers["Location"]).text
    assert "Your account and your personal data have been deleted." in home
    assert client.get(f"/{shop.slug}/account/").status_code == 302
    assert second.get(f"/{shop.slug}/account/").status_code == 302
    with app.app_context():
        assert count(Customer, Customer.id == signed_in.id) == 0
        assert count(LoginSession) == 0
        assert count(Favourite) == 0
        assert count(CustomerNote) == 0
        orders = db.session.scalars(select(Order).order_by(Order.id)).all()
        assert [o.id for o in orders] == [placed.id, unproven.id]
        assert {o.customer_id for o in orders} == {None}
        assert orders[0].full_name == "Phạm Minh Anh"


def test_a_deleted_member_can_register_again_with_the_same_email(app, client, shop, signed_in):
    delete_account(client, shop)
    with app.app_context():
        before = outbox()
    response = register(client, shop, email=signed_in.email.upper(), phone="0912 345 678")
    assert response.headers["Location"] == f"/{shop.slug}/account/register/done"
    with app.app_context():
        customer = db.session.scalar(select(Customer).where(Customer.email == signed_in.email))
        # A new record (SQLite may give it the old id: nothing points at that id any more)
        assert customer.code == "KH000002"
        assert customer.status == CustomerStatus.TEMPORARY
        # Welcomed as a newcomer, not told that the email is a member's already
        assert ("member_registered", signed_in.email) in outbox()[len(before) :]
        assert ("member_exists", signed_in.email) not in outbox()


def test_the_admin_can_delete_too_and_the_member_registers_again(
    app, client, auth, shop, owner, member
):
    auth.login_staff(owner)
    client.post(f"/{shop.slug}/admin/customers/{member.id}/delete")
    auth.logout_staff(shop.slug)
    register(client, shop, email=member.email, phone="")
    with app.app_context():
        customer = db.session.scalar(select(Customer).where(Customer.email == member.email))
        assert customer.code == "KH000002"
        assert customer.status == CustomerStatus.TEMPORARY
