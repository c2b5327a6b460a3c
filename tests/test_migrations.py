"""The migrations are the only way the schema changes: applied to an empty database they give
exactly the models' schema, on SQLite and on PostgreSQL."""

import warnings
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, inspect, text
from sqlalchemy.schema import CreateIndex

from core.extensions import db
from models import Customer, CustomerEvent, CustomerStatus, Shop
from models.base import made_on
from services import customers as customer_service
from services import events
from tests.conftest import PASSWORD, make_shop


def expression_indexes():
    """The models' indexes on an expression."""
    return [
        index
        for table in db.metadata.tables.values()
        for index in table.indexes
        if any(not isinstance(expression, Column) for expression in index.expressions)
    ]


def squeezed(sql):
    return "".join((sql or "").lower().replace('"', "").split())


def pending_changes(app):
    """What autogenerate would still write. SQLite cannot reflect an index on an expression:
    autogenerate skips those there (and warns), so their stored SQL is compared instead."""
    with app.app_context(), db.engine.connect() as connection:
        made_here = connection.dialect.name
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": False,
                # What migrations/env.py gives autogenerate: an index for another database
                # (PostgreSQL's trigram index on SQLite) is not missing.
                "include_object": lambda obj, *_: made_on(obj, made_here),
            },
        )
        if connection.dialect.name != "sqlite":
            return compare_metadata(context, db.metadata)
        stored = dict(
            connection.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
            ).all()
        )
        changes = [
            ("expression index", index.name, stored.get(index.name))
            for index in expression_indexes()
            if squeezed(stored.get(index.name))
            != squeezed(str(CreateIndex(index).compile(dialect=connection.dialect)))
        ]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
            return changes + compare_metadata(context, db.metadata)


def test_migrations_build_the_models_schema_from_empty(make_app):
    app = make_app(create_schema=False)
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
    assert {"shops", "staff_users", "shop_memberships", "outbox_messages", "jobs"} <= tables
    assert pending_changes(app) == []


def test_migrations_downgrade_to_empty_and_up_again(make_app):
    app = make_app(create_schema=False)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
    assert pending_changes(app) == []


def test_the_upgrade_dates_each_member_by_their_first_registration(make_app):
    # Given customers of the schema before members had a registration date: a member who
    # registered (twice on the timeline), a guest turned member, a member the shop wrote in
    # itself and a guest
    app = make_app(create_schema=False)
    with app.app_context():
        upgrade()
    shop, _owner = make_shop(app, "thoi-trang-mai", "Thời Trang Mai", "mai@example.com")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)

        def register(email, first_name):
            return customer_service.register_member(
                shop=shop_row,
                first_name=first_name,
                last_name="Nguyễn",
                email=email,
                phone=None,
                password=PASSWORD,
            )

        def dated(customer, when):
            db.session.flush()
            db.session.execute(
                db.update(CustomerEvent)
                .where(CustomerEvent.customer_id == customer.id, CustomerEvent.type == "registered")
                .values(created_at=when)
            )

        member = register("an@example.com", "An")
        dated(member, datetime(2025, 6, 2, 3, tzinfo=UTC))
        again = events.registered(customer=member, from_guest=False)
        again.created_at = datetime(2025, 8, 1, 3, tzinfo=UTC)
        converted = Customer(
            shop_id=shop.id, shop=shop_row, code="KH900001", email="binh@example.com"
        )
        db.session.add(converted)
        db.session.flush()
        # A guest who registered later (what following the registration link does)
        converted.status = CustomerStatus.TEMPORARY
        events.registered(customer=converted, from_guest=True)
        dated(converted, datetime(2025, 7, 1, 3, tzinfo=UTC))
        written_in = Customer(
            shop_id=shop.id, shop=shop_row, code="KH900002", status=CustomerStatus.OFFICIAL
        )
        guest = Customer(shop_id=shop.id, shop=shop_row, code="KH900003")
        db.session.add_all([written_in, guest])
        db.session.commit()
        ids = member.id, converted.id, written_in.id, guest.id
        db.session.remove()
    with app.app_context():
        downgrade(revision="0005_catalog_version")

    # When the schema is upgraded
    with app.app_context():
        upgrade()

    # Then each member is dated by the first registration on their timeline
    with app.app_context():
        dates = [db.session.get(Customer, i).registered_at for i in ids]
    assert dates == [
        datetime(2025, 6, 2, 3, tzinfo=UTC),
        datetime(2025, 7, 1, 3, tzinfo=UTC),
        None,
        None,
    ]
