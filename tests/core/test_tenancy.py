"""The one way to load a tenant row by id: this shop's row, locked when asked; another
shop's id, or an id no number could be, finds nothing."""

import pytest
from flask import g
from sqlalchemy.dialects import postgresql
from werkzeug.exceptions import NotFound

from core.extensions import db
from core.tenancy import get_for_shop, get_for_shop_or_404
from models import Customer, Shop
from tests import factories


@pytest.fixture
def customer_id(app, shop):
    return factories.make_guest(app, shop)


def statements_of(monkeypatch):
    """The selects ``get_for_shop`` runs, as PostgreSQL would read them."""
    seen = []
    scalar = db.session.scalar

    def spy(statement, *args, **kwargs):
        seen.append(str(statement.compile(dialect=postgresql.dialect())))
        return scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", spy)
    return seen


@pytest.mark.parametrize("lock", [False, True])
def test_a_row_of_the_shop_is_found_and_locked_only_when_asked(
    app, monkeypatch, shop, customer_id, lock
):
    with app.app_context():
        seen = statements_of(monkeypatch)
        found = get_for_shop(Customer, str(customer_id), db.session.get(Shop, shop.id), lock)
        assert found.id == customer_id
        assert ("FOR UPDATE" in seen[-1]) is lock


@pytest.mark.parametrize("id_", ["", "abc", "9" * 25, "-1"])
def test_an_id_no_number_could_be_finds_nothing(app, shop, id_):
    with app.app_context():
        assert get_for_shop(Customer, id_, db.session.get(Shop, shop.id)) is None


@pytest.mark.parametrize("lock", [False, True])
def test_another_shops_row_is_a_404(app, shop, other_shop, customer_id, lock):
    with app.test_request_context():
        g.shop = db.session.get(Shop, other_shop.id)
        with pytest.raises(NotFound):
            get_for_shop_or_404(Customer, customer_id, lock=lock)
        g.shop = db.session.get(Shop, shop.id)
        assert get_for_shop_or_404(Customer, customer_id, lock=lock).id == customer_id
