"""The vouchers page ``/<shop>/admin/vouchers``: managers create, edit and switch vouchers
off, and see each one's status, uses and the discount given; a staff role is refused,
another shop's voucher is a 404, and another shop's customers cannot be named in one."""

from datetime import timedelta

import pytest

from core.extensions import db
from models import Customer, Shop, Tag, Voucher, utcnow
from services import orders as order_service
from tests.factories import make_guest, make_member, make_product, make_voucher
from tests.selling import GUEST, count


@pytest.fixture(autouse=True)
def english(client):
    client.post("/language", data={"lang": "en"})


FORM = {
    "code": "tiem-nang-50",
    "kind": "amount",
    "value": "50.000",
    "max_discount": "",
    "min_order_total": "300.000",
    "starts_at": "",
    "ends_at": "2027-01-31T23:59",
    "usage_limit": "100",
    "per_customer_limit": "1",
    "customer_ids": "",
    "active": "y",
}


def voucher_named(code):
    return db.session.scalar(db.select(Voucher).where(Voucher.code == code))


def test_a_manager_creates_a_voucher_for_a_tag(app, client, auth, shop, manager):
    auth.login_staff(manager)
    with app.app_context():
        tag_id = db.session.scalar(
            db.select(Tag.id).where(Tag.shop_id == shop.id, Tag.name == "tiềm năng")
        )
    response = client.post(
        f"/{shop.slug}/admin/vouchers/new", data={**FORM, "customer_tags": [str(tag_id)]}
    )
    assert response.status_code == 302
    page = client.get(f"/{shop.slug}/admin/vouchers")
    assert "TIEM-NANG-50" in page.text
    assert "Active" in page.text
    assert "300.000" in page.text or "300,000" in page.text
    with app.app_context():
        voucher = voucher_named("TIEM-NANG-50")
        assert (voucher.value, voucher.min_order_total, voucher.usage_limit) == (
            50_000,
            300_000,
            100,
        )
        assert [tag.id for tag in voucher.customer_tags] == [tag_id]
        # 23:59 in Hồ Chí Minh
        assert voucher.ends_at.isoformat() == "2027-01-31T16:59:00+00:00"


def test_a_blank_code_is_made_and_a_taken_one_refused(app, client, auth, shop, manager):
    auth.login_staff(manager)
    client.post(f"/{shop.slug}/admin/vouchers/new", data={**FORM, "code": ""})
    client.post(f"/{shop.slug}/admin/vouchers/new", data=FORM)
    again = client.post(f"/{shop.slug}/admin/vouchers/new", data={**FORM, "code": "Tiem-Nang-50"})
    assert again.status_code == 400
    assert "Another voucher of this shop has this code." in again.text
    assert 'value="Tiem-Nang-50"' in again.text  # what was typed stays
    with app.app_context():
        assert count(Voucher) == 2


def test_bad_values_show_beside_their_field_and_write_nothing(app, client, auth, shop, manager):
    auth.login_staff(manager)
    page = client.post(
        f"/{shop.slug}/admin/vouchers/new", data={**FORM, "kind": "percent", "value": "150"}
    )
    assert page.status_code == 400
    assert "A percent is from 1 to 100." in page.text
    with app.app_context():
        assert count(Voucher) == 0


def test_another_shops_customer_cannot_be_named(app, client, auth, shop, other_shop, manager):
    foreign = make_guest(app, other_shop, email="khach@binh.vn")
    auth.login_staff(manager)
    page = client.post(
        f"/{shop.slug}/admin/vouchers/new", data={**FORM, "customer_ids": str(foreign)}
    )
    assert page.status_code == 400
    assert "Choose customers of this shop." in page.text
    with app.app_context():
        assert count(Voucher) == 0


def test_a_voucher_for_customers_named_by_code(app, client, auth, shop, manager):
    member = make_member(app, shop, "lan@example.com", "+84912000333")
    auth.login_staff(manager)
    with app.app_context():
        code = db.session.get(Customer, member.id).code
    client.post(f"/{shop.slug}/admin/vouchers/new", data={**FORM, "customer_ids": code.lower()})
    with app.app_context():
        assert [c.id for c in voucher_named("TIEM-NANG-50").customers] == [member.id]
    page = client.get(f"/{shop.slug}/admin/vouchers")
    assert "For 1 chosen customer" in page.text


def test_a_manager_edits_and_switches_a_voucher_off_and_on(app, client, auth, shop, manager):
    voucher = make_voucher(app, shop, "GIAM50K")
    auth.login_staff(manager)
    form = client.get(f"/{shop.slug}/admin/vouchers/{voucher.id}")
    assert 'value="GIAM50K"' in form.text
    client.post(
        f"/{shop.slug}/admin/vouchers/{voucher.id}",
        data={**FORM, "code": "GIAM60K", "value": "60000"},
    )
    client.post(f"/{shop.slug}/admin/vouchers/{voucher.id}/active", data={"active": "0"})
    page = client.get(f"/{shop.slug}/admin/vouchers")
    assert "GIAM60K" in page.text
    assert "Switched off" in page.text
    with app.app_context():
        row = db.session.get(Voucher, voucher.id)
        assert (row.code, row.value, row.active) == ("GIAM60K", 60_000, False)
    client.post(f"/{shop.slug}/admin/vouchers/{voucher.id}/active", data={"active": "1"})
    with app.app_context():
        assert db.session.get(Voucher, voucher.id).active is True


def test_the_list_shows_each_status_the_uses_and_the_discount_given(
    app, client, auth, shop, manager
):
    now = utcnow()
    make_voucher(app, shop, "SAP-TOI", starts_at=now + timedelta(days=3))
    make_voucher(app, shop, "HET-HAN", ends_at=now - timedelta(days=1))
    used = make_voucher(app, shop, "MOT-LAN", usage_limit=1)
    product = make_product(app, shop, "Áo dài lụa", 350_000)
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        order_service.place_order(
            shop=shop_row, lines=[(product.id, 1)], voucher_code="MOT-LAN", **GUEST
        )
        db.session.commit()
    auth.login_staff(manager)
    page = client.get(f"/{shop.slug}/admin/vouchers")
    for status in ("Upcoming", "Expired", "Used up"):
        assert status in page.text
    row = page.text.split(f'id="voucher-{used.id}"')[1].split("</tr>")[0]
    assert "1 / 1" in row
    assert "50.000" in row or "50,000" in row


def test_there_is_no_way_to_delete_a_voucher(app):
    rules = [rule.rule for rule in app.url_map.iter_rules() if "voucher" in rule.endpoint]
    assert not [rule for rule in rules if "delete" in rule]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "vouchers"),
        ("get", "vouchers/new"),
        ("post", "vouchers/new"),
        ("get", "vouchers/{id}"),
        ("post", "vouchers/{id}"),
        ("post", "vouchers/{id}/active"),
    ],
)
def test_a_staff_role_is_refused(app, client, auth, shop, staff_member, method, path):
    voucher = make_voucher(app, shop, "GIAM50K")
    auth.login_staff(staff_member)
    url = f"/{shop.slug}/admin/" + path.format(id=voucher.id)
    response = getattr(client, method)(url, data={**FORM, "active": "0"})
    assert response.status_code == 403
    with app.app_context():
        assert count(Voucher) == 1
        assert db.session.get(Voucher, voucher.id).active is True
    assert "Vouchers" not in client.get(f"/{shop.slug}/admin/").text


def test_another_shops_voucher_is_a_404(app, client, auth, shop, other_owner):
    voucher = make_voucher(app, shop, "GIAM50K")
    auth.login_staff(other_owner)
    base = f"/{other_owner.shop_slug}/admin/vouchers/{voucher.id}"
    assert client.get(base).status_code == 404
    assert client.post(base, data=FORM).status_code == 404
    assert client.post(base + "/active", data={"active": "0"}).status_code == 404
    assert "GIAM50K" not in client.get(f"/{other_owner.shop_slug}/admin/vouchers").text
    with app.app_context():
        row = db.session.get(Voucher, voucher.id)
        assert (row.code, row.active) == ("GIAM50K", True)


@pytest.mark.parametrize("voucher_id", ["9" * 25, "0", "-1", "abc"])
def test_an_id_out_of_range_is_a_404(client, auth, shop, manager, voucher_id):
    auth.login_staff(manager)
    base = f"/{shop.slug}/admin/vouchers/{voucher_id}"
    assert client.get(base).status_code == 404
    assert client.post(base, data=FORM).status_code == 404
    assert client.post(base + "/active", data={"active": "0"}).status_code == 404
