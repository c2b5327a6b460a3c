"""One reading of a phone for both staff lists: however the number is typed, the customer
list finds the customer and the orders list finds their orders (and the orders that keep
the number after their customer was deleted), never another shop's."""

import pytest

from tests import factories

TYPINGS = [
    "0912 345 678",
    "0912345678",
    "+84 912-345-678",
    "+84912345678",
    "84912345678",
    "84 912 345 678",
    "912345678",
    "(091) 234.5678",
    "091.234.5678",
    "345 678",
    "0912",
]


@pytest.fixture
def people(app, shop, other_shop):
    """Nguyễn Văn An (0912 345 678) with an order, a deleted customer's order with the same
    number, Trần Thị Bình (0987 654 321) with an order, and another shop's An."""
    an = factories.make_guest(
        app, shop, first_name="Văn An", last_name="Nguyễn", phone="+84912345678"
    )
    binh = factories.make_guest(
        app, shop, first_name="Thị Bình", last_name="Trần", phone="+84987654321"
    )
    foreign = factories.make_guest(
        app, other_shop, first_name="Văn An", last_name="Nguyễn", phone="+84912345678"
    )
    orders = {
        "an": factories.make_order(app, shop, customer_id=an, phone="+84912345678"),
        "gone": factories.make_order(
            app, shop, customer_id=None, full_name="Khách Cũ", phone="+84912345678"
        ),
        "binh": factories.make_order(app, shop, customer_id=binh, phone="+84987654321"),
    }
    factories.make_order(app, other_shop, customer_id=foreign, phone="+84912345678")
    return {"an": an, "binh": binh, "orders": orders}


def customers_found(client, shop, q, ids):
    page = client.get(f"/{shop.slug}/admin/customers", query_string={"q": q}).text
    return {name for name, id_ in ids.items() if f'/admin/customers/{id_}"' in page}


def orders_found(client, shop, q, orders):
    page = client.get(f"/{shop.slug}/admin/orders", query_string={"q": q}).text
    return {name for name, order in orders.items() if f'/admin/orders/{order.id}"' in page}


@pytest.mark.parametrize("typed", TYPINGS)
def test_a_phone_typed_any_way_finds_the_customer_and_their_orders(
    client, auth, shop, owner, people, typed
):
    auth.login_staff(owner)

    customers = customers_found(client, shop, typed, {"an": people["an"], "binh": people["binh"]})
    orders = orders_found(client, shop, typed, people["orders"])

    assert customers == {"an"}, typed
    assert orders == {"an", "gone"}, typed


def test_the_other_number_finds_the_other_customer(client, auth, shop, owner, people):
    auth.login_staff(owner)

    assert customers_found(
        client, shop, "0987.654.321", {"an": people["an"], "binh": people["binh"]}
    ) == {"binh"}
    assert orders_found(client, shop, "+84 987 654 321", people["orders"]) == {"binh"}
