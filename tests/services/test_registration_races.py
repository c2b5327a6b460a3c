"""Registrations that arrive at the same moment, each in its own thread, app context,
session and database connection, as requests on a threaded server would."""

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from core.extensions import db
from models import Customer, OutboxMessage, RegistrationClaim, Shop
from services import ServiceError
from services import customers as svc
from tests.conftest import PASSWORD

THREADS = 20


@pytest.fixture
def app(make_app, database):
    url, _ = database
    if url.startswith("sqlite"):
        # SQLite has one writer, so the twenty take turns; on a busy machine the last can
        # wait longer than the driver's default 5 s and fail with "database is locked".
        # PostgreSQL's row lock waits as long as it takes, which is what is tested there.
        return make_app(
            SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "connect_args": {"timeout": 60}}
        )
    return make_app()


def register_at_once(app, shop_id, forms):
    """Run one registration per form (at ``shop_id``, or the form's own), all released
    together. Returns the outcome of each: the new code, ``None`` for the answer that hides
    an existing member, or the field a ``ServiceError`` named. Anything else a thread meets
    fails the test."""
    start = threading.Barrier(len(forms))
    outcomes, crashes = [], []

    def register(form):
        form = dict(form)
        try:
            with app.app_context():
                # Wait before touching the database: a thread holding a pooled connection at
                # the barrier could starve the others of connections.
                start.wait(timeout=60)
                shop = db.session.get(Shop, form.pop("shop_id", shop_id))
                try:
                    customer = svc.register_member(shop=shop, password=PASSWORD, **form)
                    db.session.commit()
                except ServiceError as refused:
                    db.session.rollback()
                    outcomes.append(("refused", refused.field))
                else:
                    outcomes.append(("registered", customer.code if customer else None))
        except Exception as error:  # noqa: BLE001 - the test reports whatever escaped
            crashes.append(error)

    threads = [threading.Thread(target=register, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a registration hung"
    assert crashes == []
    assert len(outcomes) == len(forms)
    return outcomes


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_twenty_registrations_of_one_email_make_one_account(app, shop):
    forms = [
        {"first_name": f"An {i}", "last_name": "Nguyễn", "email": "an@example.com", "phone": ""}
        for i in range(THREADS)
    ]
    outcomes = register_at_once(app, shop.id, forms)

    with app.app_context():
        assert count(Customer, Customer.email == "an@example.com") == 1
        customer = db.session.scalars(select(Customer)).one()
        assert customer.code == "KH000001"
        assert customer.status == "temporary"
    # Every other attempt gets the answer a first registration gets, and the member a
    # notice: nothing tells the shopper the email is taken.
    assert Counter(outcomes) == {("registered", "KH000001"): 1, ("registered", None): THREADS - 1}
    with app.app_context():
        notices = db.session.scalars(
            select(OutboxMessage.to_address).where(OutboxMessage.kind == "member_exists")
        ).all()
        assert notices == ["an@example.com"] * (THREADS - 1)


def test_twenty_registrations_of_a_guests_email_wait_for_its_mailbox(app, shop):
    # Given a guest known by their checkout
    with app.app_context():
        guest = Customer(shop_id=shop.id, code="KH000001", email="an@example.com")
        db.session.add(guest)
        db.session.commit()
    forms = [
        {"first_name": f"An {i}", "last_name": "Nguyễn", "email": "an@example.com", "phone": ""}
        for i in range(THREADS)
    ]
    outcomes = register_at_once(app, shop.id, forms)

    # Every attempt gets the same answer; the guest's record is as it was, and its mailbox
    # has one link per registration
    assert Counter(outcomes) == {("registered", None): THREADS}
    with app.app_context():
        guest = db.session.scalars(select(Customer)).one()
        assert (guest.status, guest.password_hash, guest.first_name) == ("guest", None, "")
        assert count(RegistrationClaim, RegistrationClaim.customer_id == guest.id) == THREADS
        assert count(OutboxMessage, OutboxMessage.kind == "member_claim") == THREADS


def test_registrations_of_different_people_get_distinct_codes(app, shop, other_shop):
    forms = [
        {
            "first_name": "Khách",
            "last_name": str(i),
            "email": f"khach{i}@example.com",
            "phone": f"0912 000 {i:03d}",
        }
        for i in range(THREADS)
    ]
    outcomes = register_at_once(app, shop.id, forms)

    expected = [f"KH{n:06d}" for n in range(1, THREADS + 1)]
    assert sorted(code for _, code in outcomes) == expected
    with app.app_context():
        assert sorted(db.session.scalars(select(Customer.code))) == expected
        assert db.session.get(Shop, shop.id).customer_seq == THREADS
        assert db.session.get(Shop, other_shop.id).customer_seq == 0
        assert count(OutboxMessage, OutboxMessage.kind == "member_registered") == THREADS


def test_registrations_at_two_shops_at_once_each_count_from_one(app, shop, other_shop):
    forms = [
        {"shop_id": s.id, "first_name": "An", "last_name": "", "email": f"k{i}@example.com"}
        for i in range(THREADS // 2)
        for s in (shop, other_shop)
    ]
    register_at_once(app, None, [{**form, "phone": ""} for form in forms])

    expected = [f"KH{n:06d}" for n in range(1, THREADS // 2 + 1)]
    with app.app_context():
        for shop_id in (shop.id, other_shop.id):
            codes = db.session.scalars(select(Customer.code).where(Customer.shop_id == shop_id))
            assert sorted(codes) == expected


@pytest.fixture(autouse=True)
def _no_leftover_threads():
    before = threading.active_count()
    yield
    assert threading.active_count() == before
