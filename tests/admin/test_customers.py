"""The customer list, one customer's record, and the status changes a manager makes there:
approving the members who wait, cancelling and reinstating accounts, one by one or ticked
together. The admin client speaks English here, so the tests read the texts as written in
code, whatever the Vietnamese catalog says."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.passwords import hash_password
from models import (
    Customer,
    CustomerEvent,
    CustomerStatus,
    MailStatus,
    Order,
    OrderStatus,
    OutboxMessage,
    Shop,
    StaffUser,
    utcnow,
)
from services import customers as customer_service
from services import events
from services import order_status as order_service
from tests.conftest import PASSWORD
from tests.sql import Statements

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class CustomerInfo:
    id: int
    code: str
    name: str
    email: str | None
    shop_slug: str


@pytest.fixture(autouse=True)
def in_english(client):
    client.post("/language", data={"lang": "en"})


def add_customer(
    app,
    shop,
    *,
    status,
    last_name,
    first_name,
    email=None,
    phone=None,
    age=None,
    verified=False,
):
    """A customer reached the way a real one is: a guest from a checkout, a member by
    registering (then approved or cancelled by the system). ``age`` backdates it (and a
    member's registration)."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        if status == CustomerStatus.GUEST:
            customer = Customer(
                shop_id=shop_row.id,
                shop=shop_row,
                code=customer_service.next_customer_code(shop_row),
                first_name=first_name,
                last_name=last_name,
                email=email,
                status=CustomerStatus.GUEST,
            )
            db.session.add(customer)
            if phone:
                customer_service.add_phone(customer=customer, number=phone)
            events.created_from_checkout(customer=customer)
        else:
            customer = customer_service.register_member(
                shop=shop_row,
                first_name=first_name,
                last_name=last_name,
                email=email,
                phone=phone,
                password=PASSWORD,
            )
            if status in (CustomerStatus.OFFICIAL, CustomerStatus.CANCELLED):
                customer_service.approve(shop=shop_row, customer=customer, actor=None)
            if status == CustomerStatus.CANCELLED:
                customer_service.cancel(shop=shop_row, customer=customer, actor=None)
        if verified:
            customer.email_verified_at = utcnow()
        if age is not None:
            customer.created_at = utcnow() - age
            if customer.registered_at is not None:
                customer.registered_at = customer.created_at
        db.session.commit()
        return CustomerInfo(customer.id, customer.code, customer.full_name, email, shop.slug)


@pytest.fixture
def waiting(app, shop):
    """A member waiting for approval, with a confirmed email."""
    return add_customer(
        app,
        shop,
        status=CustomerStatus.TEMPORARY,
        last_name="Nguyễn Văn",
        first_name="An",
        email="an.nguyen@example.com",
        phone="+84912345678",
        verified=True,
    )


@pytest.fixture
def official(app, shop):
    return add_customer(
        app,
        shop,
        status=CustomerStatus.OFFICIAL,
        last_name="Trần Thị",
        first_name="Bình",
        email="binh.tran@example.com",
        phone="+84987654321",
    )


@pytest.fixture
def cancelled(app, shop):
    return add_customer(
        app,
        shop,
        status=CustomerStatus.CANCELLED,
        last_name="Lê",
        first_name="Cường",
        email="cuong.le@example.com",
    )


@pytest.fixture
def guest(app, shop):
    return add_customer(
        app,
        shop,
        status=CustomerStatus.GUEST,
        last_name="Phạm",
        first_name="Dung",
        phone="+84903123456",
    )


@pytest.fixture
def foreign(app, other_shop):
    """A member waiting at the other shop."""
    return add_customer(
        app,
        other_shop,
        status=CustomerStatus.TEMPORARY,
        last_name="Hoàng",
        first_name="Giang",
        email="giang.hoang@example.com",
        phone="+84977111222",
    )


@pytest.fixture
def as_owner(auth, owner):
    auth.login_staff(owner)
    return owner


# --- Reading what the database holds --------------------------------------------------


def status_of(app, customer):
    with app.app_context():
        return db.session.get(Customer, customer.id).status


def events_of(app, customer):
    """(type, staff id, data) of the customer's events, oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            select(CustomerEvent)
            .where(CustomerEvent.customer_id == customer.id)
            .order_by(CustomerEvent.id)
        ).all()
        return [(e.type, e.staff_id, e.data) for e in rows]


def mails_to(app, address, kind=None):
    with app.app_context():
        query = select(OutboxMessage).where(OutboxMessage.to_address == address)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        rows = db.session.scalars(query.order_by(OutboxMessage.id)).all()
        return [(m.id, m.kind, m.status, m.body_text, m.customer_id) for m in rows]


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def list_page(client, shop, **query):
    response = client.get(f"/{shop.slug}/admin/customers", query_string=query)
    assert response.status_code == 200
    return response.text


def rows_of(page):
    """The body rows of the customer table, each as its HTML."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [row for row in body.split("<tr")[1:]]


def row_of(page, customer):
    for row in rows_of(page):
        if f'/admin/customers/{customer.id}"' in row:
            return row
    return None


def flashes_of(page):
    pattern = r'<div class="alert alert-\w+[^"]*" role="alert">\s*(.*?)\s*<button'
    alerts = re.findall(pattern, page, re.S)
    return " ".join(alerts)


def post(client, shop, path, **data):
    return client.post(f"/{shop.slug}/admin/customers{path}", data=data)


# --- The list -------------------------------------------------------------------------


def test_waiting_list_shows_this_shops_temporary_members_newest_first(
    app, client, shop, as_owner, official, cancelled, guest, foreign
):
    # Given two members waiting, the older one with a confirmed email
    older = add_customer(
        app,
        shop,
        status=CustomerStatus.TEMPORARY,
        last_name="Đỗ",
        first_name="Hà",
        email="ha.do@example.com",
        age=timedelta(days=3),
        verified=True,
    )
    newer = add_customer(
        app,
        shop,
        status=CustomerStatus.TEMPORARY,
        last_name="Vũ",
        first_name="Khánh",
        email="khanh.vu@example.com",
        age=timedelta(hours=2),
    )

    # When the owner opens the waiting list
    page = list_page(client, shop, status="temporary")

    # Then exactly the two waiting members are listed, the newest first
    rows = rows_of(page)
    assert len(rows) == 2
    assert "Vũ Khánh" in rows[0]
    assert "Đỗ Hà" in rows[1]
    for other in (official, cancelled, guest, foreign):
        assert other.name not in page
    # And the confirmed email is marked, the unconfirmed one is not
    assert "email-confirmed" in row_of(page, older)
    assert "email-confirmed" not in row_of(page, newer)
    assert "not confirmed" in row_of(page, newer)
    # And each row has its box for the bulk form, and an approve button
    assert f'name="customer_ids" value="{newer.id}"' in row_of(page, newer)
    assert f"/admin/customers/{newer.id}/approve" in row_of(page, newer)


def test_list_has_a_tab_per_status_with_counts(
    app, client, shop, as_owner, waiting, official, cancelled, guest, foreign
):
    page = list_page(client, shop)
    assert len(rows_of(page)) == 4
    for label, n in [
        ("All", 4),
        ("Waiting for approval", 1),
        ("Official", 1),
        ("Cancelled", 1),
        ("Guests", 1),
    ]:
        assert re.search(rf"{label} <span[^>]*>{n}</span>", page), label
    # Each status has its badge
    for customer, label in [
        (waiting, "Temporary"),
        (official, "Official"),
        (cancelled, "Cancelled"),
        (guest, "Guest"),
    ]:
        assert f">{label}</span>" in row_of(page, customer)


@pytest.mark.parametrize("status", ["official", "cancelled", "guest"])
def test_each_tab_lists_only_its_status(
    client, shop, as_owner, waiting, official, cancelled, guest, status
):
    wanted = {"official": official, "cancelled": cancelled, "guest": guest}[status]
    rows = rows_of(list_page(client, shop, status=status))
    assert len(rows) == 1
    assert wanted.name in rows[0]


@pytest.mark.parametrize(
    "q",
    [
        "nguyen van an",
        "NGUYỄN VĂN AN",
        "van an",
        "0912 345 678",
        "0912345678",
        "+84 912 345 678",
        "84912345678",
        "345 678",
        "an.nguyen@example",
    ],
)
def test_search_ignores_accents_and_reads_phones_in_any_format(
    client, shop, as_owner, waiting, official, foreign, q
):
    rows = rows_of(list_page(client, shop, q=q))
    assert len(rows) == 1, q
    assert "Nguyễn Văn An" in rows[0]


def test_search_by_code_is_exact(client, shop, as_owner, waiting, official):
    rows = rows_of(list_page(client, shop, q=official.code))
    assert len(rows) == 1
    assert official.name in rows[0]
    assert rows_of(list_page(client, shop, q=official.code.lower())) != []


def test_search_keeps_the_tab_and_finds_nothing_of_another_shop(
    client, shop, as_owner, waiting, official, foreign
):
    assert rows_of(list_page(client, shop, q="nguyen", status="official")) == []
    page = list_page(client, shop, q="giang")
    assert rows_of(page) == []
    assert "Hoàng Giang" not in page
    assert "No customer matches" in page
    # Characters that mean something to SQL are searched as they are
    assert rows_of(list_page(client, shop, q="%")) == []
    assert rows_of(list_page(client, shop, q="_")) == []


def test_list_is_paginated(app, client, shop, as_owner):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        for n in range(55):
            db.session.add(
                Customer(
                    shop_id=shop.id,
                    shop=shop_row,
                    code=f"KH9{n:05d}",
                    first_name=f"Khách {n}",
                    status=CustomerStatus.GUEST,
                )
            )
        db.session.commit()
    first = list_page(client, shop)
    second = list_page(client, shop, page=2)
    assert len(rows_of(first)) == 50
    assert len(rows_of(second)) == 5
    assert "Page 1 of 2" in first


def date_cell(row):
    return re.search(r'class="cell-date.*?</td>', row, re.S).group(0)


def test_the_list_dates_a_member_by_registration_and_a_guest_by_first_record(
    app, client, shop, as_owner
):
    # Given a guest first recorded by a checkout on 15/01/2024, who registered on 02/06/2025
    converted = add_customer(
        app,
        shop,
        status=CustomerStatus.GUEST,
        last_name="Đỗ",
        first_name="Hà",
        email="ha.do@example.com",
    )
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        db.session.get(Customer, converted.id).created_at = datetime(2024, 1, 15, 3, tzinfo=UTC)
        customer_service.register_member(
            shop=shop_row,
            first_name="Hà",
            last_name="Đỗ",
            email="ha.do@example.com",
            phone=None,
            password=PASSWORD,
        )
        db.session.get(Customer, converted.id).registered_at = datetime(2025, 6, 2, 3, tzinfo=UTC)
        db.session.commit()
    # And a guest first recorded on 20/03/2025 (late in the evening, Vietnam time)
    guest = add_customer(
        app, shop, status=CustomerStatus.GUEST, last_name="Phạm", first_name="Dung"
    )
    with app.app_context():
        db.session.get(Customer, guest.id).created_at = datetime(2025, 3, 20, 16, 30, tzinfo=UTC)
        db.session.commit()

    page = list_page(client, shop)

    assert "02/06/2025" in date_cell(row_of(page, converted))
    assert "15/01/2024" not in page
    assert "20/03/2025" in date_cell(row_of(page, guest))
    # The heading is true of both dates; each cell says which one it is to a screen reader
    # on a phone, where the heading is not shown
    assert '<th scope="col" class="text-nowrap">Created</th>' in page
    assert ">Registered </span>" in date_cell(row_of(page, converted))
    assert ">Created </span>" in date_cell(row_of(page, guest))
    client.post("/language", data={"lang": "vi"})
    page = list_page(client, shop)
    assert '<th scope="col" class="text-nowrap">Ngày tạo</th>' in page
    assert ">Ngày đăng ký </span>" in date_cell(row_of(page, converted))
    assert ">Ngày tạo </span>" in date_cell(row_of(page, guest))


def test_a_member_without_a_registration_date_is_dated_by_the_record(app, client, shop, as_owner):
    # A member the shop wrote in itself (an import, say) never registered
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = Customer(
            shop_id=shop.id,
            shop=shop_row,
            code="KH777777",
            first_name="Long",
            email="long@example.com",
            status=CustomerStatus.OFFICIAL,
            created_at=datetime(2025, 2, 1, 3, tzinfo=UTC),
        )
        db.session.add(customer)
        db.session.commit()
        member = CustomerInfo(customer.id, customer.code, "Long", customer.email, shop.slug)

    cell = date_cell(row_of(list_page(client, shop), member))
    assert "01/02/2025" in cell
    assert ">Created </span>" in cell


def test_a_guest_who_registers_today_heads_the_waiting_list(app, client, shop, as_owner):
    # Given a guest first recorded by a checkout two years ago
    converted = add_customer(
        app,
        shop,
        status=CustomerStatus.GUEST,
        last_name="Lý",
        first_name="Thu",
        email="thu.ly@example.com",
        age=timedelta(days=730),
    )
    # And members who registered (and were recorded) three days and an hour ago
    for last_name, first_name, email, age in (
        ("Đỗ", "Hà", "ha.do@example.com", timedelta(days=3)),
        ("Vũ", "Khánh", "khanh.vu@example.com", timedelta(hours=1)),
    ):
        add_customer(
            app,
            shop,
            status=CustomerStatus.TEMPORARY,
            last_name=last_name,
            first_name=first_name,
            email=email,
            age=age,
        )
    # When the guest registers today (and follows the link sent to their email)
    with app.app_context():
        claim = customer_service.claim_guest_record(
            shop=db.session.get(Shop, shop.id),
            guest=db.session.scalar(
                db.select(Customer).where(Customer.email == "thu.ly@example.com")
            ),
            first_name="Thu",
            last_name="Lý",
            number=None,
            password_hash=hash_password(PASSWORD),
            accepts_marketing=False,
        )
        token = customer_service.make_claim_token(claim)
        db.session.commit()
    with app.app_context():
        customer_service.complete_registration(
            shop=db.session.get(Shop, shop.id), token=token, password=PASSWORD
        )
        db.session.commit()

    # Then they head the waiting list, and the whole list, dated today (in Vietnam)
    today = datetime.now(VIETNAM).strftime("%d/%m/%Y")
    for query in ({"status": "temporary"}, {}):
        rows = rows_of(list_page(client, shop, **query))
        assert [re.search(r"(Lý Thu|Vũ Khánh|Đỗ Hà)", row).group(1) for row in rows] == [
            "Lý Thu",
            "Vũ Khánh",
            "Đỗ Hà",
        ]
        assert f'/admin/customers/{converted.id}"' in rows[0]
        assert today in date_cell(rows[0])
        assert ">Registered </span>" in date_cell(rows[0])
    # And the waiting list's date column says what its dates are
    page = list_page(client, shop, status="temporary")
    assert '<th scope="col" class="text-nowrap">Registered</th>' in page


def add_order(app, shop, customer, status):
    """An order of the customer, written straight in (placing one has tests of its own)."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        shop_row.order_seq += 1
        order = Order(
            shop_id=shop.id,
            number=shop_row.order_seq,
            customer_id=customer.id,
            status=status,
            full_name=customer.name,
            phone="+84912345678",
            line1="12 Hàng Bạc",
            province="Thành phố Hà Nội",
            subtotal=300_000,
            total=300_000,
        )
        db.session.add(order)
        db.session.commit()
        return order.id


def refuse_parcels(app, shop, customer, n):
    """``n`` COD parcels of the customer come back refused, as the shop records it."""
    for _ in range(n):
        order_id = add_order(app, shop, customer, OrderStatus.SHIPPING)
        with app.app_context():
            order_service.change_order_status(
                shop=db.session.get(Shop, shop.id),
                order=db.session.get(Order, order_id),
                actor=None,
                status=OrderStatus.RETURNED,
            )
            db.session.commit()


def refusals_badge(row):
    found = re.search(r'<span class="badge[^"]*customer-refusals".*?</span></span>', row, re.S)
    return found.group(0) if found else None


def test_the_list_shows_who_refuses_parcels_and_their_tags(
    app, client, shop, other_shop, as_owner, waiting, official, guest
):
    # Given a member waiting for approval who refused two COD parcels (and so was tagged)
    refuse_parcels(app, shop, waiting, 2)
    add_order(app, shop, waiting, OrderStatus.COMPLETED)
    # And a guest who refused one, an official member whose parcels were all taken
    refuse_parcels(app, shop, guest, 1)
    add_order(app, shop, official, OrderStatus.COMPLETED)
    add_order(app, shop, official, OrderStatus.CANCELLED)

    page = list_page(client, shop)

    badge = refusals_badge(row_of(page, waiting))
    assert badge is not None
    assert ">2 refused</span>" in badge
    assert 'title="2 parcels refused by the customer"' in badge
    assert "text-bg-danger" in badge
    # And the automatic "hay hoàn" tag stands out among the tags
    assert re.search(
        r'class="badge[^"]*bg-danger-subtle[^"]*">hay hoàn</span>', row_of(page, waiting)
    )
    assert ">1 refused</span>" in refusals_badge(row_of(page, guest))
    assert 'title="1 parcel refused by the customer"' in refusals_badge(row_of(page, guest))
    assert "hay hoàn" not in row_of(page, guest)
    assert refusals_badge(row_of(page, official)) is None
    assert "customer-flags" not in row_of(page, official)
    # The waiting tab shows it too, in Vietnamese as the shop speaks it
    client.post("/language", data={"lang": "vi"})
    row = row_of(list_page(client, shop, status="temporary"), waiting)
    assert ">Hoàn 2</span>" in refusals_badge(row)
    assert 'title="2 đơn hoàn hàng (khách từ chối nhận)"' in refusals_badge(row)


def test_the_list_reads_the_same_statements_for_3_customers_as_for_30(app, client, shop, as_owner):
    def add(n, start):
        for i in range(start, start + n):
            customer = add_customer(
                app,
                shop,
                status=CustomerStatus.TEMPORARY if i % 2 else CustomerStatus.GUEST,
                last_name="Khách",
                first_name=f"Số {i}",
                email=f"khach{i}@example.com",
                phone=f"+8491200{i:04d}",
            )
            refuse_parcels(app, shop, customer, 2)
            add_order(app, shop, customer, OrderStatus.COMPLETED)

    def statements(tab):
        list_page(client, shop, **tab)  # warm: the first request reads a little more
        with Statements(app) as seen:
            page = list_page(client, shop, **tab)
        return len(seen), page

    add(3, 0)
    few = {
        name: statements(tab) for name, tab in (("all", {}), ("waiting", {"status": "temporary"}))
    }
    add(27, 3)
    many = {
        name: statements(tab) for name, tab in (("all", {}), ("waiting", {"status": "temporary"}))
    }

    assert len(rows_of(many["all"][1])) == 30
    assert len(rows_of(many["waiting"][1])) == 15
    assert many["all"][1].count("customer-refusals") == 30
    assert many["all"][1].count("hay hoàn</span>") == 30
    assert many["all"][0] == few["all"][0]
    assert many["waiting"][0] == few["waiting"][0]


def test_empty_waiting_list_says_so(client, shop, as_owner, official):
    page = list_page(client, shop, status="temporary")
    assert rows_of(page) == []
    assert "No members are waiting for approval." in page


def test_dashboard_counts_the_members_waiting(app, client, shop, as_owner, waiting, foreign):
    page = client.get(f"/{shop.slug}/admin/").text
    assert "Members waiting for approval" in page
    assert f'href="/{shop.slug}/admin/customers?status=temporary"' in page
    card = page.split("Members waiting for approval", 1)[1][:200]
    assert re.search(r">\s*1\s*<", card)


# --- Approving ------------------------------------------------------------------------


def test_approving_makes_an_official_member_who_is_emailed_and_can_log_in(
    app, client, shop, owner, as_owner, waiting, run_jobs
):
    # When the owner approves the waiting member
    response = post(client, shop, f"/{waiting.id}/approve")

    # Then they are back on the customer's page, with the news
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{shop.slug}/admin/customers/{waiting.id}"
    page = client.get(response.headers["Location"]).text
    assert "Nguyễn Văn An is now an official member" in flashes_of(page)
    # And the member is official, with an event naming the owner
    assert status_of(app, waiting) == CustomerStatus.OFFICIAL
    approved = [e for e in events_of(app, waiting) if e[0] == "approved"]
    assert approved == [("approved", owner.id, {"from": "temporary", "to": "official"})]
    assert f"Approved by Chủ {shop.name}" in page
    # And an email with the login link goes to them
    mails = mails_to(app, waiting.email, "member_approved")
    assert len(mails) == 1
    assert re.search(rf"http://[^/\s]+/{shop.slug}/account/login\b", mails[0][3])
    assert mails[0][4] == waiting.id
    run_jobs()
    assert mails_to(app, waiting.email, "member_approved")[0][2] == MailStatus.SENT
    eml = Path(app.instance_path, "mail", f"{mails[0][0]:06d}-an-nguyen-example-com.eml")
    assert f"/{shop.slug}/account/login" in eml.read_text()

    # And the member can now log in to the shop
    shopper = app.test_client()
    login = shopper.post(
        f"/{shop.slug}/account/login",
        data={"login": "0912 345 678", "password": PASSWORD},
    )
    if login.status_code == 404:  # the storefront login page is not there: ask the service
        with app.app_context():
            shop_row = db.session.get(Shop, shop.id)
            assert customer_service.check_login(
                shop=shop_row, login=waiting.email, password=PASSWORD
            )
    else:
        assert login.status_code == 302, login.text
        assert f"/{shop.slug}/account" in login.headers["Location"]


def test_a_manager_may_approve(app, client, auth, shop, manager, waiting):
    auth.login_staff(manager)
    post(client, shop, f"/{waiting.id}/approve")
    assert status_of(app, waiting) == CustomerStatus.OFFICIAL
    assert events_of(app, waiting)[-2][:2] == ("approved", manager.id)


def test_approving_follows_next_only_inside_this_shops_admin(client, shop, as_owner, waiting):
    back = f"/{shop.slug}/admin/customers?status=temporary"
    response = post(client, shop, f"/{waiting.id}/approve", next=back)
    assert response.headers["Location"] == back


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/cua-hang-binh/admin/customers", "/x"],
)
def test_unsafe_next_goes_to_the_customer_instead(client, shop, as_owner, waiting, target):
    response = post(client, shop, f"/{waiting.id}/approve", next=target)
    assert response.headers["Location"] == f"/{shop.slug}/admin/customers/{waiting.id}"


# --- Cancelling and reinstating -------------------------------------------------------


def test_cancelling_with_a_reason_keeps_it_and_tells_the_member(
    app, client, shop, owner, as_owner, official
):
    reason = "Bom hàng 3 lần liên tiếp"
    response = post(client, shop, f"/{official.id}/cancel", reason=f"  {reason} ")
    assert response.status_code == 302

    assert status_of(app, official) == CustomerStatus.CANCELLED
    cancelled_events = [e for e in events_of(app, official) if e[0] == "cancelled"]
    assert cancelled_events == [
        ("cancelled", owner.id, {"from": "official", "to": "cancelled", "reason": reason})
    ]
    mails = mails_to(app, official.email, "member_cancelled")
    assert len(mails) == 1
    assert reason in mails[0][3]
    page = client.get(f"/{shop.slug}/admin/customers/{official.id}").text
    assert "has been cancelled" in flashes_of(page)
    assert f"Cancelled by Chủ {shop.name} — reason: {reason}" in page
    # And the member can no longer log in
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        with pytest.raises(customer_service.LoginRefused) as refused:
            customer_service.check_login(shop=shop_row, login=official.email, password=PASSWORD)
        assert refused.value.reason == "cancelled"


def test_cancelling_a_waiting_member_without_a_reason(app, client, shop, as_owner, waiting):
    post(client, shop, f"/{waiting.id}/cancel")
    assert status_of(app, waiting) == CustomerStatus.CANCELLED
    event = [e for e in events_of(app, waiting) if e[0] == "cancelled"][0]
    assert "reason" not in event[2]


def test_too_long_a_reason_changes_nothing(app, client, shop, as_owner, official):
    before = events_of(app, official)
    response = post(client, shop, f"/{official.id}/cancel", reason="x" * 501)
    page = client.get(response.headers["Location"]).text
    assert "at most 500 characters" in flashes_of(page)
    assert status_of(app, official) == CustomerStatus.OFFICIAL
    assert events_of(app, official) == before


def test_reinstating_a_cancelled_member(app, client, shop, owner, as_owner, cancelled):
    post(client, shop, f"/{cancelled.id}/reinstate")
    assert status_of(app, cancelled) == CustomerStatus.OFFICIAL
    assert [e[:2] for e in events_of(app, cancelled) if e[0] == "reinstated"] == [
        ("reinstated", owner.id)
    ]
    mails = mails_to(app, cancelled.email, "member_approved")
    assert "khôi phục" in mails[-1][3]  # the email is in the shop's language, Vietnamese
    page = client.get(f"/{shop.slug}/admin/customers/{cancelled.id}").text
    assert "is active again" in flashes_of(page)


@pytest.mark.parametrize(
    ("who", "action", "message"),
    [
        ("official", "approve", "Only members waiting for approval can be approved."),
        ("waiting", "reinstate", "Only cancelled members can be reinstated."),
        ("guest", "cancel", "Only temporary or official members can be cancelled."),
        ("cancelled", "cancel", "Only temporary or official members can be cancelled."),
        ("guest", "approve", "Only members waiting for approval can be approved."),
    ],
)
def test_a_transition_the_status_does_not_allow_changes_nothing(
    app, client, shop, as_owner, request, who, action, message
):
    customer = request.getfixturevalue(who)
    status, events, mails = (
        status_of(app, customer),
        events_of(app, customer),
        count(app, OutboxMessage),
    )

    response = post(client, shop, f"/{customer.id}/{action}", reason="thử")

    assert response.status_code == 302
    assert message in flashes_of(client.get(response.headers["Location"]).text)
    assert status_of(app, customer) == status
    assert events_of(app, customer) == events
    assert count(app, OutboxMessage) == mails


# --- Several at once ------------------------------------------------------------------


def test_bulk_approve_changes_only_this_shops_waiting_members(
    app, client, shop, as_owner, waiting, official, guest, foreign
):
    second = add_customer(
        app,
        shop,
        status=CustomerStatus.TEMPORARY,
        last_name="Đỗ",
        first_name="Hà",
        email="ha.do@example.com",
    )
    foreign_events = events_of(app, foreign)
    official_events = events_of(app, official)

    response = client.post(
        f"/{shop.slug}/admin/customers/bulk",
        data={
            "action": "approve",
            "customer_ids": [waiting.id, second.id, official.id, guest.id, foreign.id, "x"],
            "next": f"/{shop.slug}/admin/customers?status=temporary",
        },
    )

    assert response.headers["Location"] == f"/{shop.slug}/admin/customers?status=temporary"
    page = client.get(response.headers["Location"]).text
    assert "2 approved, 2 skipped." in flashes_of(page)
    assert status_of(app, waiting) == status_of(app, second) == CustomerStatus.OFFICIAL
    assert status_of(app, official) == CustomerStatus.OFFICIAL
    assert events_of(app, official) == official_events
    assert status_of(app, guest) == CustomerStatus.GUEST
    # The other shop's member is untouched, and nothing about them shows
    assert status_of(app, foreign) == CustomerStatus.TEMPORARY
    assert events_of(app, foreign) == foreign_events
    assert mails_to(app, foreign.email, "member_approved") == []
    assert len(mails_to(app, waiting.email, "member_approved")) == 1
    assert len(mails_to(app, second.email, "member_approved")) == 1


def test_bulk_cancel_with_a_reason(app, client, shop, as_owner, waiting, official, cancelled):
    response = client.post(
        f"/{shop.slug}/admin/customers/bulk",
        data={
            "action": "cancel",
            "customer_ids": [waiting.id, official.id, cancelled.id],
            "reason": "Tài khoản ảo",
        },
    )
    assert response.headers["Location"] == f"/{shop.slug}/admin/customers"
    assert "2 cancelled, 1 skipped." in flashes_of(client.get(response.headers["Location"]).text)
    for customer in (waiting, official):
        assert status_of(app, customer) == CustomerStatus.CANCELLED
        assert events_of(app, customer)[-2][2]["reason"] == "Tài khoản ảo"
        assert "Tài khoản ảo" in mails_to(app, customer.email, "member_cancelled")[0][3]


@pytest.mark.parametrize(
    "data",
    [
        {"action": "approve"},
        {"action": "explode", "customer_ids": ["1"]},
        {"customer_ids": ["1"]},
    ],
)
def test_bulk_without_customers_or_a_known_action_changes_nothing(
    app, client, shop, as_owner, waiting, data
):
    data = {k: ([str(waiting.id)] if k == "customer_ids" else v) for k, v in data.items()}
    events = events_of(app, waiting)
    response = client.post(f"/{shop.slug}/admin/customers/bulk", data=data)
    assert response.status_code == 302
    assert flashes_of(client.get(response.headers["Location"]).text)
    assert status_of(app, waiting) == CustomerStatus.TEMPORARY
    assert events_of(app, waiting) == events


def test_bulk_of_only_another_shops_ids_changes_nothing(app, client, shop, as_owner, foreign):
    response = client.post(
        f"/{shop.slug}/admin/customers/bulk",
        data={"action": "approve", "customer_ids": [foreign.id]},
    )
    assert "0 approved, 0 skipped." in flashes_of(client.get(response.headers["Location"]).text)
    assert status_of(app, foreign) == CustomerStatus.TEMPORARY


# --- Roles ----------------------------------------------------------------------------


def test_staff_role_may_look_but_not_change_membership(
    app, client, auth, shop, staff_member, waiting, cancelled
):
    # A staff role sees the customers assigned to them
    with app.app_context():
        db.session.get(Customer, waiting.id).assigned_staff_id = staff_member.id
        db.session.commit()
    auth.login_staff(staff_member)
    # Looking is fine, without the buttons that would be refused
    page = list_page(client, shop, status="temporary")
    assert waiting.name in page
    assert 'name="customer_ids"' not in page
    assert "/approve" not in page
    detail = client.get(f"/{shop.slug}/admin/customers/{waiting.id}")
    assert detail.status_code == 200
    assert "/approve" not in detail.text
    assert "/cancel" not in detail.text
    # Changing is refused, and changes nothing
    for customer, action in [(waiting, "approve"), (waiting, "cancel"), (cancelled, "reinstate")]:
        assert post(client, shop, f"/{customer.id}/{action}").status_code == 403, action
    bulk = client.post(
        f"/{shop.slug}/admin/customers/bulk",
        data={"action": "approve", "customer_ids": [waiting.id]},
    )
    assert bulk.status_code == 403
    assert status_of(app, waiting) == CustomerStatus.TEMPORARY
    assert status_of(app, cancelled) == CustomerStatus.CANCELLED


def customer_rules(app):
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.") and "customer_id" in rule.arguments
    ]
    assert len(rules) >= 4
    return rules


def test_another_shops_customer_is_404_on_every_customer_page(app, client, shop, as_owner, foreign):
    for rule in customer_rules(app):
        path = rule.rule.replace("<shop>", shop.slug)
        path = re.sub(r"<(?:int:)?customer_id>", str(foreign.id), path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={"reason": "x"})
            assert response.status_code == 404, (method, path)
            assert "Hoàng Giang" not in response.text
            missing = client.open(path.replace(str(foreign.id), "999999"), method=method)
            assert missing.status_code == 404, (method, path)
    assert status_of(app, foreign) == CustomerStatus.TEMPORARY


# --- One customer's record ------------------------------------------------------------


def test_customer_page_shows_contact_timeline_and_emails(
    app, client, shop, owner, as_owner, waiting
):
    # Given a member with an address and a marketing choice, approved, then cancelled
    with app.app_context():
        customer = db.session.get(Customer, waiting.id)
        customer.gender = "female"
        customer.birthday = date(1990, 5, 17)
        customer_service.set_marketing(customer, True, "registration")
        customer_service.add_phone(customer=customer, number="+842838221234")
        from services.addresses import create_address

        create_address(
            shop=customer.shop,
            customer=customer,
            full_name="Nguyễn Văn An",
            line1="12 Lê Lợi",
            ward="Phường Bến Thành",
            province="Hồ Chí Minh",
        )
        db.session.commit()
    post(client, shop, f"/{waiting.id}/approve")
    post(client, shop, f"/{waiting.id}/cancel", reason="Khách yêu cầu")

    page = client.get(f"/{shop.slug}/admin/customers/{waiting.id}").text

    # Then the contact data is there
    for text in (
        "Nguyễn Văn An",
        waiting.code,
        "an.nguyen@example.com",
        "Email confirmed",
        "0912 345 678",
        "028 3822 1234",
        "Female",
        "17/05/1990",
        "Accepts",
        "12 Lê Lợi",
        "Phường Bến Thành",
        "Hồ Chí Minh",
        "Cancelled",
    ):
        assert text in page, text
    # And the timeline, newest first, says who did what
    timeline = page.split("Timeline", 1)[1]
    order = [
        f"Cancelled by Chủ {shop.name} — reason: Khách yêu cầu",
        "Email sent: account approved",
        f"Approved by Chủ {shop.name}",
        "Email sent: registration received",
        "Registered an account",
    ]
    positions = [timeline.find(text) for text in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)
    # And every email sent to the customer links to the email log
    with app.app_context():
        ids = db.session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.customer_id == waiting.id)
        ).all()
    assert len(ids) == 3
    for message_id in ids:
        assert f'href="/{shop.slug}/admin/emails/{message_id}"' in page
    # And only the action the status allows is offered
    assert f"/admin/customers/{waiting.id}/reinstate" in page
    assert f"/admin/customers/{waiting.id}/approve" not in page
    assert f"/admin/customers/{waiting.id}/cancel" not in page


def test_the_record_dates_a_member_by_registration_and_a_guest_by_creation(
    app, client, shop, as_owner, waiting, guest
):
    # Given a member first recorded as a guest in January 2024, who registered in June 2025
    with app.app_context():
        member = db.session.get(Customer, waiting.id)
        member.created_at = datetime(2024, 1, 15, 3, tzinfo=UTC)
        member.registered_at = datetime(2025, 6, 2, 3, tzinfo=UTC)
        db.session.get(Customer, guest.id).created_at = datetime(2025, 3, 20, 16, 30, tzinfo=UTC)
        db.session.commit()

    page = client.get(f"/{shop.slug}/admin/customers/{waiting.id}").text
    assert '<dt>Registered</dt><dd class="customer-registered">02/06/2025 10:00</dd>' in page
    assert "customer-created" not in page
    page = client.get(f"/{shop.slug}/admin/customers/{guest.id}").text
    assert '<dt>Created</dt><dd class="customer-created">20/03/2025 23:30</dd>' in page
    assert "<dt>Registered</dt>" not in page
    client.post("/language", data={"lang": "vi"})
    page = client.get(f"/{shop.slug}/admin/customers/{guest.id}").text
    assert '<dt>Ngày tạo</dt><dd class="customer-created">20/03/2025 23:30</dd>' in page


def test_the_record_shows_the_customers_tags(app, client, shop, as_owner, official, guest):
    refuse_parcels(app, shop, official, 2)
    page = client.get(f"/{shop.slug}/admin/customers/{official.id}").text
    tags = re.search(r'<dd class="customer-tags">.*?</dd>', page, re.S).group(0)
    assert "hay hoàn</span>" in tags
    assert '<div class="fw-bold refusals text-danger">2</div>' in page
    assert "customer-tags" not in client.get(f"/{shop.slug}/admin/customers/{guest.id}").text


def test_timeline_times_are_in_the_shops_time_zone(app, client, shop, as_owner, waiting):
    with app.app_context():
        event = db.session.scalars(
            select(CustomerEvent).where(CustomerEvent.customer_id == waiting.id)
        ).first()
        event.created_at = datetime(2025, 1, 1, 17, 30, tzinfo=UTC)
        db.session.commit()
    page = client.get(f"/{shop.slug}/admin/customers/{waiting.id}").text
    assert "02/01/2025 00:30" in page


def test_waiting_member_page_offers_approve_and_cancel(client, shop, as_owner, waiting):
    page = client.get(f"/{shop.slug}/admin/customers/{waiting.id}").text
    assert f"/admin/customers/{waiting.id}/approve" in page
    assert f"/admin/customers/{waiting.id}/cancel" in page
    assert 'name="reason"' in page
    assert f"/admin/customers/{waiting.id}/reinstate" not in page
    assert "is waiting for the shop" in page


def test_guest_page_offers_no_membership_action(client, shop, as_owner, guest):
    page = client.get(f"/{shop.slug}/admin/customers/{guest.id}").text
    assert "Became a customer with a guest checkout" in page
    assert "0903 123 456" in page
    for action in ("approve", "cancel", "reinstate"):
        assert f"/admin/customers/{guest.id}/{action}" not in page


# --- The email to managers ------------------------------------------------------------


def test_managers_are_emailed_a_link_to_review_a_new_member(
    app, client, auth, shop, owner, manager, staff_member, waiting
):
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "staff_new_member")
            .order_by(OutboxMessage.id)
        ).all()
        sent = {m.to_address: (m.subject, m.body_text, m.body_html) for m in rows}
        names = {s.email: s.name for s in db.session.scalars(select(StaffUser))}
    # The owner and the manager, not the staff member
    assert set(sent) == {owner.email, manager.email}
    subject, text, html = sent[owner.email]
    assert "Nguyễn Văn An" in subject
    review = f"http://shop.test/{shop.slug}/admin/customers/{waiting.id}"
    waiting_url = f"http://shop.test/{shop.slug}/admin/customers?status=temporary"
    for body in (text, html):
        assert review in body
        assert waiting_url in body
        assert "an.nguyen@example.com" in body
        assert "0912 345 678" in body
        assert waiting.code in body
        assert shop.name in body
    assert names[owner.email] in text
    # And the link opens the member's page for the manager
    auth.login_staff(manager)
    assert client.get(review.removeprefix("http://shop.test")).status_code == 200
