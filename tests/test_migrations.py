"""The migrations are the only way the schema changes: applied to an empty database they give
exactly the models' schema, on SQLite and on PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from core.extensions import db


def pending_changes(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": False}
        )
        return compare_metadata(context, db.metadata)


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
