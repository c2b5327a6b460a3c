"""The favourites' use cases, called as a job or the CLI would."""

import pytest
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from models import Customer, Favourite, Product, Shop
from services import favourites as favourite_service
from tests.storefront import count


@pytest.fixture
def rows(app, shop, member, product):
    def load():
        return (
            db.session.get(Shop, shop.id),
            db.session.get(Customer, member.id),
            db.session.get(Product, product[0]),
        )

    return load


def test_toggling_turns_the_favourite_over(app, rows):
    with app.app_context():
        shop, customer, product = rows()
        assert favourite_service.toggle_favourite(shop=shop, customer=customer, product=product)
        assert favourite_service.is_favourite(shop=shop, customer=customer, product=product)
        assert not favourite_service.toggle_favourite(shop=shop, customer=customer, product=product)
        assert count(Favourite) == 0


def test_adding_twice_keeps_one_row(app, rows):
    with app.app_context():
        shop, customer, product = rows()
        first = favourite_service.add_favourite(shop=shop, customer=customer, product=product)
        again = favourite_service.add_favourite(shop=shop, customer=customer, product=product)
        db.session.commit()
        assert first.id == again.id
        assert count(Favourite) == 1
        assert favourite_service.favourite_product_ids(shop=shop, customer=customer) == {product.id}


def test_the_database_holds_one_favourite_per_member_and_product(app, rows):
    with app.app_context():
        shop, customer, product = rows()
        favourite_service.add_favourite(shop=shop, customer=customer, product=product)
        db.session.commit()
        db.session.add(Favourite(shop_id=shop.id, customer_id=customer.id, product_id=product.id))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        assert count(Favourite) == 1


def test_a_lost_race_leaves_the_callers_work_alone(app, rows, monkeypatch):
    """The other tab wrote the favourite between the look-up and the insert."""
    with app.app_context():
        shop, customer, product = rows()
        db.session.add(Favourite(shop_id=shop.id, customer_id=customer.id, product_id=product.id))
        db.session.commit()
        customer.first_name = "Minh Anh (đã đổi)"
        real_find = favourite_service._find
        calls = []

        def find_nothing_first(*args):
            calls.append(args)
            return None if len(calls) == 1 else real_find(*args)

        monkeypatch.setattr(favourite_service, "_find", find_nothing_first)
        found = favourite_service.add_favourite(shop=shop, customer=customer, product=product)
        db.session.commit()
        assert found is not None
        assert found.product_id == product.id
        assert count(Favourite) == 1
        assert db.session.get(Customer, customer.id).first_name == "Minh Anh (đã đổi)"


def test_a_product_of_another_shop_is_refused(app, rows, other_shop, make_product):
    theirs, _ = make_product(other_shop, name="Áo của Bình")
    with app.app_context():
        shop, customer, _product = rows()
        with pytest.raises(ValueError, match="another shop"):
            favourite_service.add_favourite(
                shop=shop, customer=customer, product=db.session.get(Product, theirs)
            )


def test_the_list_leaves_hidden_products_out_unless_staff_ask(app, rows):
    with app.app_context():
        shop, customer, product = rows()
        favourite_service.add_favourite(shop=shop, customer=customer, product=product)
        product.hidden = True
        db.session.commit()
        shopper_list = favourite_service.favourites_query(shop=shop, customer=customer)
        staff_list = favourite_service.favourites_query(
            shop=shop, customer=customer, include_hidden=True
        )
        assert db.session.scalars(shopper_list).all() == []
        assert [f.product_id for f in db.session.scalars(staff_list)] == [product.id]
