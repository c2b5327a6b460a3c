"""The member's address book: Vietnamese addresses since the 2025 reform, one default."""

import pytest

from core.extensions import db
from models import Address, Customer
from services.places import province_names
from tests.storefront import count, event_types, make_member

ADDRESS = {
    "full_name": "Phạm Minh Anh",
    "phone": "0912 345 678",
    "line1": "12 Nguyễn Trãi",
    "ward": "Phường Bến Thành",
    "province": "Hồ Chí Minh",
    "country": "VN",
}


def add_address(client, shop, **changes):
    return client.post(f"/{shop.slug}/account/addresses/new", data={**ADDRESS, **changes})


def book_of(member):
    """(line1, province, is default) of the member's addresses, oldest first."""
    rows = db.session.scalars(
        db.select(Address).where(Address.customer_id == member.id).order_by(Address.id)
    )
    return [(a.line1, a.province, a.is_default) for a in rows]


def address_ids(member):
    return db.session.scalars(
        db.select(Address.id).where(Address.customer_id == member.id).order_by(Address.id)
    ).all()


def test_the_first_address_becomes_the_default(app, client, shop, signed_in):
    response = add_address(client, shop)

    assert response.headers["Location"] == f"/{shop.slug}/account/addresses"
    page = client.get(response.headers["Location"]).text
    assert "Address saved." in page
    assert "12 Nguyễn Trãi, Phường Bến Thành, Hồ Chí Minh" in page
    assert "0912 345 678" in page
    with app.app_context():
        address = db.session.scalars(db.select(Address)).one()
        assert address.shop_id == shop.id
        assert address.customer_id == signed_in.id
        assert address.phone == "+84912345678"
        assert address.country == "VN"
        assert address.district is None
        assert address.is_default is True
        assert "address_added" in event_types(signed_in.id)


def test_a_new_default_address_takes_over_and_only_one_is_default(app, client, shop, signed_in):
    add_address(client, shop)
    add_address(client, shop, line1="5 Lý Thường Kiệt")
    with app.app_context():
        assert book_of(signed_in) == [
            ("12 Nguyễn Trãi", "Hồ Chí Minh", True),
            ("5 Lý Thường Kiệt", "Hồ Chí Minh", False),
        ]

    add_address(client, shop, line1="7 Hai Bà Trưng", is_default="y")

    with app.app_context():
        assert [default for _, _, default in book_of(signed_in)] == [False, False, True]


def test_an_old_province_is_saved_as_the_province_it_became(app, client, shop, signed_in):
    response = add_address(client, shop, province="Bình Dương", district="Thủ Dầu Một")

    assert response.status_code == 302
    with app.app_context():
        address = db.session.scalars(db.select(Address)).one()
        assert address.province == "Hồ Chí Minh"
        assert address.district == "Thủ Dầu Một"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"province": "Tỉnh Không Có"}, "province", "Choose a province or city from the list."),
        ({"province": ""}, "province", "Please fill in this field."),
        ({"phone": "12"}, "phone", "not valid"),
        ({"line1": ""}, "line1", "Please fill in this field."),
        ({"ward": " "}, "ward", "Please fill in this field."),
        ({"country": "FR"}, "country", "Not a valid choice"),
    ],
)
def test_a_bad_address_is_refused_beside_its_field(
    app, client, shop, signed_in, changes, field, message
):
    response = add_address(client, shop, **changes)

    assert response.status_code == 200
    html = response.text
    field_at = html.index(f'name="{field}"')
    error_at = html.index("invalid-feedback", field_at)
    assert message in html[error_at : html.index("</div>", error_at)]
    with app.app_context():
        assert count(Address) == 0


def test_the_form_offers_the_34_provinces_and_keeps_the_district_for_old_addresses(
    client, shop, signed_in
):
    html = client.get(f"/{shop.slug}/account/addresses/new").text

    for name in province_names():
        assert f'<option value="{name}">{name}</option>' in html, name
    assert len(province_names()) == 34
    assert '<option value="Bình Dương">' not in html
    assert "District (old addresses only)" in html
    for name in ["full_name", "phone", "line1", "ward", "district", "province", "country"]:
        assert f'for="{name}"' in html, name
    # The member's name and phone are offered for their first address.
    assert 'value="Phạm Minh Anh"' in html
    assert 'value="0912 345 678"' in html


def test_a_member_edits_an_address(app, client, shop, signed_in):
    add_address(client, shop)
    with app.app_context():
        (address_id,) = address_ids(signed_in)
    form = client.get(f"/{shop.slug}/account/addresses/{address_id}/edit").text
    assert 'value="12 Nguyễn Trãi"' in form
    assert '<option selected value="Hồ Chí Minh">' in form

    response = client.post(
        f"/{shop.slug}/account/addresses/{address_id}/edit",
        data={**ADDRESS, "line1": "99 Trần Hưng Đạo", "province": "Hà Nội"},
    )

    assert response.headers["Location"] == f"/{shop.slug}/account/addresses"
    with app.app_context():
        assert book_of(signed_in) == [("99 Trần Hưng Đạo", "Hà Nội", True)]
        assert "address_updated" in event_types(signed_in.id)


def test_an_old_address_shows_its_new_province_when_edited(app, client, shop, signed_in):
    with app.app_context():
        customer = db.session.get(Customer, signed_in.id)
        customer.addresses.append(
            Address(
                shop_id=shop.id,
                full_name="Phạm Minh Anh",
                line1="3 Yersin",
                ward="Phường Phú Cường",
                district="Thủ Dầu Một",
                province="Bình Dương",
                is_default=True,
            )
        )
        db.session.commit()
        (address_id,) = address_ids(signed_in)

    form = client.get(f"/{shop.slug}/account/addresses/{address_id}/edit").text

    assert '<option selected value="Hồ Chí Minh">' in form
    assert 'value="Thủ Dầu Một"' in form


def test_deleting_the_default_address_hands_the_role_to_another(app, client, shop, signed_in):
    add_address(client, shop)
    add_address(client, shop, line1="5 Lý Thường Kiệt")
    with app.app_context():
        first, _second = address_ids(signed_in)

    response = client.post(f"/{shop.slug}/account/addresses/{first}/delete")

    assert response.headers["Location"] == f"/{shop.slug}/account/addresses"
    assert "Address deleted." in client.get(response.headers["Location"]).text
    with app.app_context():
        assert book_of(signed_in) == [("5 Lý Thường Kiệt", "Hồ Chí Minh", True)]
        assert "address_removed" in event_types(signed_in.id)


def test_a_member_chooses_the_default_address(app, client, shop, signed_in):
    add_address(client, shop)
    add_address(client, shop, line1="5 Lý Thường Kiệt")
    with app.app_context():
        _first, second = address_ids(signed_in)

    client.post(f"/{shop.slug}/account/addresses/{second}/default")

    with app.app_context():
        assert [default for _, _, default in book_of(signed_in)] == [False, True]
        assert "default_address_changed" in event_types(signed_in.id)
    page = client.get(f"/{shop.slug}/account/addresses").text
    assert page.index("5 Lý Thường Kiệt") < page.index("12 Nguyễn Trãi")


def test_unticking_default_keeps_one_default(app, client, shop, signed_in):
    add_address(client, shop)
    with app.app_context():
        (address_id,) = address_ids(signed_in)

    client.post(f"/{shop.slug}/account/addresses/{address_id}/edit", data=ADDRESS)

    with app.app_context():
        assert book_of(signed_in) == [("12 Nguyễn Trãi", "Hồ Chí Minh", True)]


def test_another_customers_address_is_not_found(app, client, shop, other_shop, signed_in):
    neighbour = make_member(app, shop, "khac@example.com")
    foreign = make_member(app, other_shop, "xa@example.com")
    with app.app_context():
        for person, shop_id in ((neighbour, shop.id), (foreign, other_shop.id)):
            customer = db.session.get(Customer, person.id)
            customer.addresses.append(
                Address(shop_id=shop_id, full_name="Người Khác", line1="1 Đường", province="Huế")
            )
        db.session.commit()
        ids = [address_ids(neighbour)[0], address_ids(foreign)[0], 999]

    for address_id in ids:
        base = f"/{shop.slug}/account/addresses/{address_id}"
        assert client.get(f"{base}/edit").status_code == 404
        assert client.post(f"{base}/edit", data=ADDRESS).status_code == 404
        assert client.post(f"{base}/delete").status_code == 404
        assert client.post(f"{base}/default").status_code == 404
    with app.app_context():
        assert book_of(neighbour) == [("1 Đường", "Huế", False)]
        assert count(Address) == 2


def test_the_address_book_invites_a_first_address(client, shop, signed_in):
    page = client.get(f"/{shop.slug}/account/addresses").text
    assert "You have not saved an address yet." in page
    assert f'href="/{shop.slug}/account/addresses/new"' in page
