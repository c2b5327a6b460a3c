"""The import's plan and run: every row is shown as create, update, skip or reject before
anything is written, duplicates matched by code, then email, then phone, in the shop and in
the file; the run writes the creates and updates (phones, address, group, tags, note), each
with a line on the customer's timeline, and nothing of another shop."""

import pytest

from core.extensions import db
from models import Customer, CustomerEvent, Shop, StaffUser
from services.customer_import import ImportOptions, plan_import, run_import
from services.import_headers import match_headers
from services.spreadsheets import Table
from tests.factories import make_guest, make_member

HEADERS = [
    "Mã khách hàng", "Tên khách hàng", "Email", "Điện thoại", "Nhóm khách hàng", "Tags",
    "Địa chỉ", "Tỉnh/Thành phố", "Ghi chú",
]  # fmt: skip


def table(*rows):
    return Table(HEADERS, [list(r) for r in rows])


def plan(app, shop, rows, **options):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        t = table(*rows)
        return plan_import(
            shop=shop_row,
            table=t,
            mapping=match_headers(t.headers),
            options=ImportOptions(**options),
        )


def actions(result):
    return [(row.line, row.action) for row in result.rows]


ROWS = [
    (
        "", "Nguyễn Thị Lan", "lan@example.com", "912345678", "Khách sỉ", "VIP",
        "12 Hàng Bạc", "Hà Nội", "Gọi trước",
    ),
    ("", "Trần Minh", "minh@example.com", "0987654321", "", "", "", "", ""),
    ("", "Lê Hoa", "not-an-email", "0911111111", "", "", "", "", ""),
    ("", "Lê Hoa Hai", "lan@example.com", "0922222222", "", "", "", "", ""),
    ("", "", "", "", "", "", "", "", ""),
    ("", "Phạm Tuấn", "", "0933333333", "", "", "", "", ""),
]  # fmt: skip


def test_the_plan_says_what_each_row_will_do_and_writes_nothing(app, shop):
    make_member(app, shop, "minh@example.com")
    make_guest(app, shop, phone="+84933333333")
    result = plan(app, shop, ROWS)
    assert actions(result) == [
        (2, "create"),
        (3, "skip"),
        (4, "reject"),
        (5, "reject"),
        (7, "skip"),
    ]
    assert result.counts == {"create": 1, "update": 0, "skip": 2, "reject": 2}
    assert "not valid" in str(result.rows[2].reasons[0])
    assert "line 2" in str(result.rows[3].reasons[0])
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Customer.id))) == 2


def test_update_and_create_policies(app, shop):
    make_member(app, shop, "minh@example.com")
    make_guest(app, shop, phone="+84933333333")
    updated = plan(app, shop, ROWS, on_duplicate="update")
    assert actions(updated) == [
        (2, "create"),
        (3, "update"),
        (4, "reject"),
        (5, "reject"),
        (7, "update"),
    ]
    created = plan(app, shop, ROWS, on_duplicate="create")
    # A phone may be shared (a second record); an email cannot
    assert actions(created) == [
        (2, "create"),
        (3, "reject"),
        (4, "reject"),
        (5, "reject"),
        (7, "create"),
    ]


def test_another_shops_customers_are_no_duplicates(app, shop, other_shop):
    make_member(app, other_shop, "minh@example.com")
    assert actions(plan(app, shop, ROWS[1:2])) == [(2, "create")]


def test_the_run_writes_the_creates_and_updates_with_their_timeline(app, shop, owner):
    member = make_member(app, shop, "minh@example.com", first_name="Minh", last_name="")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        t = table(*ROWS[:2])
        options = ImportOptions(on_duplicate="update", tags=("hội chợ",))
        result = plan_import(
            shop=shop_row, table=t, mapping=match_headers(t.headers), options=options
        )
        counts = run_import(
            shop=shop_row,
            plan=result,
            options=options,
            staff=db.session.get(StaffUser, owner.id),
            label="khach.xlsx",
        )
        db.session.commit()
        assert counts == {"create": 1, "update": 1, "skip": 0, "reject": 0}
        lan = db.session.scalar(db.select(Customer).where(Customer.email == "lan@example.com"))
        assert (lan.last_name, lan.first_name) == ("Nguyễn", "Thị Lan")
        assert lan.code.startswith("KH")
        assert [p.number for p in lan.phones] == ["+84912345678"]
        assert lan.province == "Hà Nội"
        assert lan.group.name == "Khách sỉ"
        assert sorted(lan.tag_names) == ["VIP", "hội chợ"]
        assert [n.body for n in lan.notes] == ["Gọi trước"]
        assert lan.status == "guest"
        minh = db.session.get(Customer, member.id)
        assert minh.last_name == "Trần"
        assert "+84987654321" in [p.number for p in minh.phones]
        lines = db.session.scalars(
            db.select(CustomerEvent).where(CustomerEvent.type == "imported")
        ).all()
        assert sorted(e.data["action"] for e in lines) == ["create", "update"]
        assert {e.data["file"] for e in lines} == {"khach.xlsx"}


@pytest.mark.parametrize("code", ["KH000001", "kh000001"])
def test_a_code_is_matched_first(app, shop, code):
    guest = make_guest(app, shop, phone="+84944444444")
    with app.app_context():
        existing = db.session.get(Customer, guest).code
    rows = [(existing if code.isupper() else existing.lower(), "Ai Đó", "", "", "", "", "", "", "")]
    assert actions(plan(app, shop, rows)) == [(2, "skip")]
