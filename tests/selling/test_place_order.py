"""``services.orders.place_order`` called directly, as a view, a job or the admin would:
refusals write nothing, and checkouts at the same moment neither oversell nor share a
number."""

import inspect
import threading

import pytest
from flask_babel import force_locale

from admin.order_forms import OrderCreateForm
from core.extensions import db
from models import Customer, CustomerEvent, Order, OrderLine, OutboxMessage, Shop
from services import ServiceError
from services import orders as svc
from storefront.checkout_forms import CheckoutForm
from tests.selling import GUEST, add_address, count, make_product, set_product, stock_of

CONTACT = {k: v for k, v in GUEST.items() if k not in ("note",)}


def place(shop_id, lines, **fields):
    shop = db.session.get(Shop, shop_id)
    values = {**CONTACT, "note": "", **fields}
    return svc.place_order(shop=shop, lines=lines, **values)


def nothing_written(product_id=None, stock=None):
    """No order, customer, event or email, the counter and the stock as they were."""
    assert count(Order) == count(OrderLine) == 0
    assert count(Customer) == count(CustomerEvent) == count(OutboxMessage) == 0
    assert db.session.scalar(db.select(Shop.order_seq).order_by(Shop.id).limit(1)) == 1000
    if product_id is not None:
        assert stock_of(product_id) == stock


def test_an_order_is_placed_numbered_and_linked(app, shop, ao_dai, non_la):
    with app.app_context():
        order = place(shop.id, [(ao_dai.id, 2), (non_la.id, 1)], expected_total=630_000)
        db.session.commit()
        assert order.number == 1001
        assert order.display_number == "#1001"
        assert order.total == 630_000
        assert order.customer.status == "guest"
        assert stock_of(ao_dai.id) == 3
        second = place(shop.id, [(non_la.id, 1)])
        db.session.commit()
        assert second.number == 1002
        assert second.customer_id == order.customer_id


@pytest.mark.parametrize("quantity", [0, -1, 100, 1000, "x", None, 1.5])
def test_a_bad_quantity_writes_nothing(app, shop, ao_dai, quantity):
    with app.app_context():
        with pytest.raises(ServiceError) as refused:
            place(shop.id, [(ao_dai.id, quantity)])
        assert refused.value.field == "lines"
        with force_locale("en"):
            assert "quantity" in str(refused.value.message)
        db.session.rollback()
        nothing_written(ao_dai.id, 5)


def test_products_that_cannot_be_bought_write_nothing(
    app, shop, ao_dai, hidden_product, foreign_product
):
    with app.app_context():
        for product_id in (hidden_product.id, foreign_product.id, 424242, "abc", None):
            with pytest.raises(ServiceError) as refused:
                place(shop.id, [(ao_dai.id, 1), (product_id, 1)])
            assert refused.value.field == "lines"
            with force_locale("en"):
                assert "not available" in str(refused.value.message)
            # Even without a rollback by the caller: the savepoint undid it all.
            nothing_written(ao_dai.id, 5)
        db.session.rollback()


def test_an_empty_order_is_refused(app, shop):
    with app.app_context():
        with pytest.raises(ServiceError) as refused:
            place(shop.id, [])
        assert refused.value.field == "lines"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"full_name": "  "}, "full_name"),
        ({"email": ""}, "email"),
        ({"email": "a@"}, "email"),
        ({"phone": ""}, "phone"),
        ({"phone": "0123"}, "phone"),
        ({"line1": ""}, "line1"),
        ({"province": "Paris"}, "province"),
        ({"payment_method": "gold"}, "payment_method"),
    ],
)
def test_missing_or_bad_contact_writes_nothing(app, shop, ao_dai, fields, field):
    with app.app_context():
        with pytest.raises(ServiceError) as refused:
            place(shop.id, [(ao_dai.id, 1)], **fields)
        assert refused.value.field == field
        nothing_written(ao_dai.id, 5)


def test_out_of_stock_writes_nothing(app, shop, ao_dai, non_la):
    with app.app_context():
        with pytest.raises(svc.OutOfStock) as refused:
            place(shop.id, [(non_la.id, 1), (ao_dai.id, 6)])
        with force_locale("en"):
            assert str(refused.value.message) == "Only 5 of “Áo dài lụa” left in stock."
        assert refused.value.product_id == ao_dai.id
        nothing_written(ao_dai.id, 5)


def test_a_changed_price_raises_price_changed(app, shop, non_la):
    set_product(app, non_la.id, price=110_000)
    with app.app_context():
        with pytest.raises(svc.PriceChanged) as changed:
            place(shop.id, [(non_la.id, 1)], expected_total=130_000)
        assert changed.value.total == 140_000
        nothing_written()
        order = place(shop.id, [(non_la.id, 1)], expected_total=140_000)
        assert order.total == 140_000


def test_a_member_uses_only_their_own_saved_addresses(app, shop, member, other_member, non_la):
    own = add_address(app, member.id, line1="45 Lê Lợi")
    foreign = add_address(app, other_member.id, line1="99 Hai Bà Trưng")
    with app.app_context():
        customer = db.session.get(Customer, member.id)
        with pytest.raises(ServiceError) as refused:
            place(shop.id, [(non_la.id, 1)], customer=customer, address_id=foreign)
        assert refused.value.field == "address_id"
        with pytest.raises(ServiceError):
            place(shop.id, [(non_la.id, 1)], customer=None, address_id=own)
        order = place(shop.id, [(non_la.id, 1)], customer=customer, address_id=own, source="member")
        db.session.commit()
        assert order.line1 == "45 Lê Lợi"
        assert order.customer_id == member.id
        assert order.source == "member"


def test_both_order_forms_name_their_fields_as_place_order_does():
    """The checkout and the admin's new order hand their fields on by name
    (``order_details``): a field renamed on either form, or a keyword renamed in the
    service, would silently go missing."""
    keywords = inspect.signature(svc.place_order).parameters
    for form in (CheckoutForm, OrderCreateForm):
        fields = {name for name in dir(form) if not name.startswith("_")}
        for name in svc.DETAILS:
            assert name in keywords, name
            assert name in fields, (form.__name__, name)


def test_order_details_drops_a_blank_or_a_guests_address_choice():
    data = {**GUEST, "address_id": " 7 ", "csrf_token": "x", "expected_total": "1"}
    details = svc.order_details(data)
    assert set(details) == set(svc.DETAILS)
    assert details["address_id"] == "7"
    assert svc.order_details({**data, "address_id": "  "})["address_id"] is None
    assert svc.order_details(data, address_book=False)["address_id"] is None


def test_staff_are_told_the_address_is_not_the_customers(app, shop, member, other_member, non_la):
    foreign = add_address(app, other_member.id, line1="99 Hai Bà Trưng")
    with app.app_context():
        customer = db.session.get(Customer, member.id)
        with pytest.raises(ServiceError) as refused:
            place(shop.id, [(non_la.id, 1)], customer=customer, address_id=foreign, source="admin")
        assert refused.value.field == "address_id"
        with force_locale("en"):
            assert str(refused.value.message) == "Choose one of the customer's saved addresses."
        assert count(Order) == count(OutboxMessage) == 0


def test_a_member_of_another_shop_is_refused(app, shop, other_shop, non_la):
    from tests.storefront import make_member

    stranger = make_member(app, other_shop, "khach@example.com")
    with app.app_context():
        customer = db.session.get(Customer, stranger.id)
        with pytest.raises(ServiceError):
            place(shop.id, [(non_la.id, 1)], customer=customer)


def test_a_guest_known_by_phone_gets_their_email_filled_in(app, shop, non_la):
    with app.app_context():
        first = place(shop.id, [(non_la.id, 1)], email="mot@example.com")
        db.session.commit()
        customer_id = first.customer_id
        customer = db.session.get(Customer, customer_id)
        customer.email = None
        db.session.commit()
        second = place(shop.id, [(non_la.id, 1)], email="hai@example.com")
        db.session.commit()
        assert second.customer_id == customer_id
        assert db.session.get(Customer, customer_id).email == "hai@example.com"


# --- Racing -----------------------------------------------------------------------------


def place_at_once(app, shop_id, orders):
    """Run one checkout per ``(lines, fields)`` in its own thread and app context, all
    released together; returns ``("placed", number)`` or ``("refused", message)`` each."""
    start = threading.Barrier(len(orders))
    outcomes, crashes = [], []

    def run(lines, fields):
        try:
            with app.app_context():
                start.wait(timeout=60)
                try:
                    order = place(shop_id, lines, **fields)
                    db.session.commit()
                except ServiceError as refused:
                    db.session.rollback()
                    outcomes.append(("refused", str(refused.message)))
                else:
                    outcomes.append(("placed", order.number))
        except Exception as error:  # noqa: BLE001 - the test reports whatever escaped
            crashes.append(error)

    threads = [threading.Thread(target=run, args=args) for args in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a checkout hung"
    assert crashes == []
    return outcomes


@pytest.fixture
def postgres_only(database):
    url, _ = database
    if url.startswith("sqlite"):
        pytest.skip("row locks are tested on PostgreSQL (TEST_DATABASE_URL)")


def test_two_checkouts_racing_for_the_last_item_make_one_order(app, shop, postgres_only):
    last = make_product(app, shop, "Chiếc cuối cùng", 90_000, track_stock=True, stock=1)
    outcomes = place_at_once(
        app,
        shop.id,
        [
            ([(last.id, 1)], {"email": "an@example.com", "phone": "0903 000 001"}),
            ([(last.id, 1)], {"email": "binh@example.com", "phone": "0903 000 002"}),
        ],
    )
    assert sorted(kind for kind, _ in outcomes) == ["placed", "refused"]
    with app.app_context():
        assert count(Order) == 1
        assert stock_of(last.id) == 0


def test_concurrent_checkouts_get_distinct_numbers(app, shop, non_la, postgres_only):
    outcomes = place_at_once(
        app,
        shop.id,
        [
            ([(non_la.id, 1)], {"email": f"k{i}@example.com", "phone": f"0903 000 {i:03d}"})
            for i in range(1, 9)
        ],
    )
    assert sorted(number for _, number in outcomes) == list(range(1001, 1009))
