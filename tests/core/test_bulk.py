"""``one_of``: the rows whose column is one of many values, with one array parameter on
PostgreSQL that the server plans as a constant (matched through a hash), whatever its
statistics say of the shop."""

import pytest
from sqlalchemy import select

from core.bulk import one_of, plan_each_query
from core.extensions import db
from models import Customer
from tests.factories import make_guest


@pytest.fixture
def ids(app, shop, other_shop):
    mine = [make_guest(app, shop, first_name=f"Khách {n}") for n in range(4)]
    theirs = make_guest(app, other_shop, first_name="Khách lạ")
    return mine, theirs


def test_the_rows_of_the_values_given_and_no_others(app, shop, ids):
    mine, theirs = ids
    with app.app_context():
        query = select(Customer.first_name).where(
            Customer.shop_id == shop.id, one_of(Customer.id, [mine[0], mine[2], theirs])
        )
        assert sorted(db.session.scalars(query)) == ["Khách 0", "Khách 2"]
        assert db.session.scalars(query.where(one_of(Customer.id, []))).all() == []


def test_on_postgresql_the_array_is_planned_as_a_constant(app, shop, ids):
    """Sent as text and cast on the server, the array was an expression compared with each
    row element by element: 18 s for a batch of 5,000 ids in a shop the statistics did not
    know yet, against 20 ms as a constant."""
    mine, _theirs = ids
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")
        query = select(Customer.id).where(one_of(Customer.id, mine))
        with plan_each_query():
            compiled = query.compile(db.engine)
            plan = db.session.connection().exec_driver_sql(
                "EXPLAIN (VERBOSE) " + str(compiled), compiled.params
            )
            plan = [line for (line,) in plan]
            condition = next(line for line in plan if "ANY" in line)
        assert "ANY ('{" in condition
        assert "cstring" not in condition
