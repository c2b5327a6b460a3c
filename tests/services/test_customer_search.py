"""The customer list's search: accents and case ignored, typed composed (NFC) or decomposed
(NFD) alike, the rows whose accents match what was typed first, a phone however it is
written, a code exactly; on PostgreSQL a trigram index behind a fragment."""

import re
import unicodedata

import pytest
from sqlalchemy import text

from core.extensions import db
from models import Customer, Shop
from services import customer_list
from services.customer_list import CustomerFilter
from services.search import customer_search, customer_search_order
from tests.factories import make_guest

# Oldest first: the list shows the newest first, so the Hà rows come last unless the
# accents typed put them first. Hạ and Hả differ from Hà only by a mark.
PEOPLE = [
    ("Hà Anh", "Phạm", "+84912345678"),
    ("Thu Hà", "Nguyễn", None),
    ("Thị Hạ", "Trần", None),
    ("Văn Hả", "Lê", None),
    ("Văn An", "Nguyễn", "+84987654321"),
]


@pytest.fixture
def people(app, shop, other_shop):
    ids = {
        f"{last} {first}": make_guest(app, shop, first_name=first, last_name=last, phone=phone)
        for first, last, phone in PEOPLE
    }
    make_guest(app, other_shop, first_name="Thu Hà", last_name="Nguyễn", phone="+84912345678")
    return ids


def found(app, shop, q, **kw):
    """The full names the list shows for ``q``, in its order."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        query = customer_list.customers_query(
            shop=shop_row, customer_filter=CustomerFilter(q=q), **kw
        )
        return [customer.full_name for customer in db.session.scalars(query)]


def test_unaccented_words_in_any_case_find_the_accented_name(app, shop, people):
    assert found(app, shop, "nguyen van an") == ["Nguyễn Văn An"]
    assert found(app, shop, "NGUYEN an") == ["Nguyễn Văn An"]


def test_a_name_typed_decomposed_finds_the_composed_name(app, shop, people):
    typed = unicodedata.normalize("NFD", "Nguyễn Văn An")
    assert typed != "Nguyễn Văn An"

    assert found(app, shop, typed) == ["Nguyễn Văn An"]
    assert found(app, shop, unicodedata.normalize("NFD", "Hà")) == found(app, shop, "Hà")


def test_the_rows_with_the_accents_typed_come_first(app, shop, people):
    # Newest first, whatever the accents, when none were typed
    assert found(app, shop, "ha") == [
        "Lê Văn Hả",
        "Trần Thị Hạ",
        "Nguyễn Thu Hà",
        "Phạm Hà Anh",
    ]
    # Typed "Hà": the two Hà first (newest first among them), then the rest
    assert found(app, shop, "Hà") == [
        "Nguyễn Thu Hà",
        "Phạm Hà Anh",
        "Lê Văn Hả",
        "Trần Thị Hạ",
    ]
    assert found(app, shop, "hạ")[0] == "Trần Thị Hạ"
    # Ahead of whichever sort the list has
    assert found(app, shop, "hà", sort="name") == [
        "Phạm Hà Anh",
        "Nguyễn Thu Hà",
        "Trần Thị Hạ",
        "Lê Văn Hả",
    ]
    # Accents rank, they never leave a row out
    assert found(app, shop, "van hạ") == ["Lê Văn Hả"]


def test_a_search_without_accents_adds_no_order():
    assert customer_search_order("nguyen van a") is None
    assert customer_search_order("0912 345 678") is None
    assert customer_search_order("KH000001") is None
    assert customer_search_order("Đức") is not None


def test_the_accents_are_kept_composed_for_the_ranking(app, shop, people):
    with app.app_context():
        customer = db.session.get(Customer, people["Trần Thị Hạ"])
        customer.first_name = unicodedata.normalize("NFD", "Thị Hạ")
        db.session.commit()
        assert customer.search_exact == "trần thị hạ"
        assert unicodedata.is_normalized("NFC", customer.search_exact)


@pytest.mark.parametrize(
    "typed", ["0912 345 678", "+84912345678", "912345678", "84 912 345 678", "0912.345.678"]
)
def test_a_phone_in_any_format_finds_its_customer(app, shop, people, typed):
    assert found(app, shop, typed) == ["Phạm Hà Anh"]


def test_a_code_finds_exactly_its_customer(app, shop, people):
    with app.app_context():
        code = db.session.get(Customer, people["Trần Thị Hạ"]).code
    assert found(app, shop, code) == ["Trần Thị Hạ"]
    assert found(app, shop, code.lower()) == ["Trần Thị Hạ"]


def test_the_tab_counts_count_what_the_search_finds(app, shop, people):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        counts = customer_list.customer_counts(
            shop=shop_row, customer_filter=CustomerFilter(q="Hà")
        )
    assert counts[""] == 4
    assert counts["guest"] == 4


@pytest.fixture
def postgresql(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")


def test_on_postgresql_a_trigram_index_serves_a_fragment(app, shop, people, postgresql):
    with app.app_context():
        definition = db.session.scalar(
            text(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'customers'"
                " AND indexname = 'ix_customers_search_text_trgm'"
                " AND schemaname = current_schema()"
            )
        )
        assert "USING gin" in definition
        assert "gin_trgm_ops" in definition
        # A handful of rows is read faster without an index: forbid that (and the walk of
        # another index), to see that the search's LIKE can use the trigram index
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_indexscan = off"))
        query = db.select(Customer.id).where(customer_search("nguyen van"))
        compiled = query.compile(db.engine, compile_kwargs={"render_postcompile": True})
        explained = db.session.connection().exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
        plan = "\n".join(row[0] for row in explained)
    assert "ix_customers_search_text_trgm" in plan


def test_a_big_tab_shows_an_estimate_on_postgresql(app, shop, people, postgresql, monkeypatch):
    # Given a list whose guests are more than the list counts exactly (5 here, to stand
    # for a million), and fresh statistics
    monkeypatch.setattr(customer_list, "EXACT_UP_TO", 2)
    with app.app_context():
        db.session.execute(text("ANALYZE customers"))
        shop_row = db.session.get(Shop, shop.id)

        counts = customer_list.customer_counts(shop=shop_row, customer_filter=CustomerFilter())

    # Then the guests' tab and the whole list are estimates, the empty tabs counted
    assert counts.estimated == {"", "guest"}
    assert counts["guest"] >= 3
    assert counts[""] == counts["guest"]
    assert counts["temporary"] == 0


def test_sqlite_counts_every_tab(app, shop, people, monkeypatch):
    monkeypatch.setattr(customer_list, "EXACT_UP_TO", 0)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's counts")
        shop_row = db.session.get(Shop, shop.id)
        counts = customer_list.customer_counts(shop=shop_row, customer_filter=CustomerFilter())
    assert counts.estimated == set()
    assert counts[""] == counts["guest"] == 5


def test_the_list_marks_an_estimated_total(app, client, auth, shop, owner, people, monkeypatch):
    # Given a list longer than the list counts exactly (5 customers stand for a million)
    monkeypatch.setattr(customer_list, "EXACT_UP_TO", 2)
    with app.app_context():
        on_postgresql = db.engine.dialect.name == "postgresql"
        if on_postgresql:
            db.session.execute(text("ANALYZE customers"))
            db.session.commit()
    auth.login_staff(owner)
    client.post("/language", data={"lang": "en"})

    # When the manager opens it
    page = client.get(f"/{shop.slug}/admin/customers").text

    # Then PostgreSQL's total is marked as an estimate; SQLite counts
    total = re.search(r'result-count">([^<]*)<', page).group(1)
    assert total.startswith("≈ ") is on_postgresql
    if not on_postgresql:
        assert total == "5 customers"
