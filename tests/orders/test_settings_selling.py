"""The selling settings on the shop's settings page: the shipping fee, free shipping from
an amount (or never), the bank details for transfers and when a customer is tagged
"hay hoàn"."""

import pytest

from core.extensions import db
from models import Shop


def selling_of(app, shop):
    with app.app_context():
        row = db.session.get(Shop, shop.id)
        return (
            row.shipping_fee,
            row.free_shipping_threshold,
            row.bank_details,
            row.refusal_tag_threshold,
        )


def form(**changes):
    values = {
        "name": "Thời Trang Mai",
        "contact_email": "mai@example.com",
        "locale": "vi",
        "shipping_fee": "25.000",
        "free_shipping_threshold": "500000",
        "bank_details": "  Vietcombank 0123456789\nNGUYEN THI MAI  ",
        "refusal_tag_threshold": "3",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def test_the_page_shows_the_selling_settings(client, auth, shop, owner):
    auth.login_staff(owner)
    page = client.get(f"/{shop.slug}/admin/settings")
    assert page.status_code == 200
    assert 'name="shipping_fee" type="text" value="30000"' in page.text
    assert 'name="free_shipping_threshold"' in page.text
    assert 'name="bank_details"' in page.text
    assert 'name="refusal_tag_threshold" type="text" value="2"' in page.text
    assert "Selling" in page.text


def test_the_owner_saves_the_selling_settings(app, client, auth, shop, owner):
    auth.login_staff(owner)
    response = client.post(f"/{shop.slug}/admin/settings", data=form())
    assert response.status_code == 302
    assert selling_of(app, shop) == (25_000, 500_000, "Vietcombank 0123456789\nNGUYEN THI MAI", 3)


def test_free_shipping_left_empty_means_never_free(app, client, auth, shop, manager):
    auth.login_staff(manager)
    client.post(f"/{shop.slug}/admin/settings", data=form())
    client.post(
        f"/{shop.slug}/admin/settings",
        data=form(free_shipping_threshold="", shipping_fee="0", refusal_tag_threshold="0"),
    )
    assert selling_of(app, shop)[:2] == (0, None)
    assert selling_of(app, shop)[3] == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"shipping_fee": ""}, "Please fill in this field."),
        ({"shipping_fee": "ba mươi nghìn"}, "Please enter a whole number"),
        ({"shipping_fee": "-5000"}, "The amount cannot be negative."),
        ({"free_shipping_threshold": "1,5 triệu"}, "Please enter a whole number"),
        ({"refusal_tag_threshold": "101"}, "This number is too large."),
    ],
)
def test_bad_values_are_refused_with_nothing_saved(
    app, client, auth, shop, owner, changes, message
):
    auth.login_staff(owner)
    before = selling_of(app, shop)
    response = client.post(f"/{shop.slug}/admin/settings", data=form(name="Tên mới", **changes))
    assert response.status_code == 200
    assert message in response.text
    assert selling_of(app, shop) == before
    with app.app_context():
        assert db.session.get(Shop, shop.id).name == shop.name


def test_a_post_without_the_selling_fields_keeps_them(app, client, auth, shop, owner):
    auth.login_staff(owner)
    client.post(f"/{shop.slug}/admin/settings", data=form())
    bare = {"name": "Thời Trang Mai", "contact_email": "mai@example.com", "locale": "vi"}
    assert client.post(f"/{shop.slug}/admin/settings", data=bare).status_code == 302
    assert selling_of(app, shop) == (25_000, 500_000, "Vietcombank 0123456789\nNGUYEN THI MAI", 3)


def test_staff_cannot_change_the_selling_settings(app, client, auth, shop, staff_member):
    auth.login_staff(staff_member)
    before = selling_of(app, shop)
    assert client.post(f"/{shop.slug}/admin/settings", data=form()).status_code == 403
    assert selling_of(app, shop) == before
