"""The upgrade to the customer search at scale: every customer already there gets the names
and email with their accents that rank a search, composed (NFC) whichever way they were
written, and PostgreSQL gets the trigram index."""

import unicodedata
import warnings

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from core.extensions import db
from models import Customer
from tests.migration_rows import insert

REVISION = "0013_customer_search"


def customer_indexes():
    """The names of the indexes on ``customers`` (SQLite's list lacks the expression ones)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        return {index["name"] for index in inspect(db.engine).get_indexes("customers")}


def test_the_upgrade_fills_each_customers_accented_search_text(make_app):
    # Given customers before the upgrade, one of them written decomposed (NFD), one with
    # neither name nor email
    app = make_app(create_schema=False)
    with app.app_context():
        upgrade(revision=f"{REVISION}-1")
        shop_id = insert("shops", slug="shop-a", name="shop-a", locale="vi")
        ha = insert(
            "customers",
            shop_id=shop_id,
            code="KH1",
            status="guest",
            last_name="Nguyễn",
            first_name="Thu Hà",
            email="Ha.Nguyen@Example.vn",
        )
        decomposed = insert(
            "customers",
            shop_id=shop_id,
            code="KH2",
            status="official",
            last_name=unicodedata.normalize("NFD", "Đặng"),
            first_name=unicodedata.normalize("NFD", "Thị Hạ"),
        )
        blank = insert("customers", shop_id=shop_id, code="KH3", status="guest")
        db.session.commit()

    # When the schema is upgraded
    with app.app_context():
        upgrade(revision=REVISION)

    # Then each has its names and email lower case, accents kept and composed
    with app.app_context():
        exact = dict(db.session.execute(db.select(Customer.id, Customer.search_exact)).all())
        assert exact == {
            ha: "nguyễn thu hà ha.nguyen@example.vn",
            decomposed: "đặng thị hạ",
            blank: "",
        }
        assert unicodedata.is_normalized("NFC", exact[decomposed])
        indexes = customer_indexes()
        on_postgresql = db.engine.dialect.name == "postgresql"
        assert ("ix_customers_search_text_trgm" in indexes) is on_postgresql
        # The list's newest-first indexes survive SQLite's copy of the table
        if not on_postgresql:
            names = db.session.scalars(
                text("SELECT name FROM sqlite_master WHERE tbl_name = 'customers'")
            ).all()
            assert "ix_customers_shop_id_status_joined_at" in names

    # And the downgrade takes the column and the index away again
    with app.app_context():
        downgrade(revision=f"{REVISION}-1")
        columns = {column["name"] for column in inspect(db.engine).get_columns("customers")}
        indexes = customer_indexes()
    assert "search_exact" not in columns
    assert "ix_customers_search_text_trgm" not in indexes
