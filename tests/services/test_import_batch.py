"""The import's new customers are written with Core inserts, a slice at a time, as the import
job runs them: each gets what the ORM would have given it (phones primary first, the default
address and its province, tags, the note, the group, the timeline line, and the search
columns), so the admin's search finds them; codes left blank stay unique across slices and
imports; nothing of another shop is read or written."""

from datetime import timedelta

from flask_babel import force_locale

from core.extensions import db
from models import (
    Address,
    Customer,
    CustomerEvent,
    CustomerGroup,
    CustomerNote,
    CustomerPhone,
    CustomerTag,
    Shop,
    StaffUser,
    Tag,
    utcnow,
)
from services import customer_list
from services.customer_import import ImportOptions, Plan, plan_import, run_import
from services.customer_list import CustomerFilter
from services.import_headers import match_headers
from services.spreadsheets import Table
from tests.factories import make_guest

HEADERS = [
    "Mã khách hàng", "Họ", "Tên", "Email", "Điện thoại", "Điện thoại khác", "Nhóm khách hàng",
    "Tag", "Nhận email quảng cáo", "Địa chỉ", "Phường/Xã", "Tỉnh/Thành phố", "Ghi chú",
    "Ngày sinh", "Giới tính",
]  # fmt: skip


def row(code="", last="Nguyễn", first="Thị Lan", email="", phone="", others="", **more):
    values = {
        "group": "", "tags": "", "marketing": "", "address": "", "ward": "", "province": "",
        "note": "", "birthday": "", "gender": "",
    }  # fmt: skip
    values.update(more)
    return [code, last, first, email, phone, others, *values.values()]


def import_rows(app, shop, rows, *, slice_size=1000, staff_id=None, **options):
    """Plan the whole table, then run it a slice at a time, each committed, as the job does;
    returns the summed counts."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        staff = db.session.get(StaffUser, staff_id) if staff_id else None
        table = Table(HEADERS, [list(r) for r in rows])
        options = ImportOptions(**options)
        plan = plan_import(
            shop=shop_row, table=table, mapping=match_headers(HEADERS), options=options
        )
        totals = dict.fromkeys(("create", "update", "skip", "reject"), 0)
        for start in range(0, len(plan.rows), slice_size):
            part = Plan(rows=plan.rows[start : start + slice_size])
            counts = run_import(
                shop=shop_row, plan=part, options=options, staff=staff, label="khach.xlsx"
            )
            db.session.commit()
            for action, n in counts.items():
                totals[action] += n
        return totals, plan


def customer_by_email(email):
    return db.session.scalar(db.select(Customer).where(Customer.email == email))


def test_each_new_customer_gets_everything_the_row_gives(app, shop, owner):
    rows = [
        row(
            email="lan@example.com",
            phone="0912 345 678",
            others="0987654321, 0912345678",
            group="Khách sỉ",
            tags="VIP, khách quen, vip",
            marketing="Có",
            address="12 Hàng Bạc",
            ward="Phường Hoàn Kiếm",
            province="Bình Dương",
            note="Gọi trước",
            birthday="03/05/1990",
            gender="Nữ",
        ),
        row(last="Trần", first="Minh", email="minh@example.com", phone="0933333333"),
    ]
    counts, _plan = import_rows(app, shop, rows, staff_id=owner.id, tags=("hội chợ",))
    assert counts == {"create": 2, "update": 0, "skip": 0, "reject": 0}
    with app.app_context():
        lan = customer_by_email("lan@example.com")
        assert (lan.last_name, lan.first_name, lan.gender) == ("Nguyễn", "Thị Lan", "female")
        assert lan.birthday.isoformat() == "1990-05-03"
        assert lan.status == "guest"
        assert [(p.number, p.is_primary) for p in lan.phones] == [
            ("+84912345678", True),
            ("+84987654321", False),
        ]
        [address] = lan.addresses
        assert (address.line1, address.province, address.is_default) == (
            "12 Hàng Bạc",
            "Hồ Chí Minh",
            True,
        )
        assert address.full_name == "Nguyễn Thị Lan"
        assert lan.province == "Hồ Chí Minh"
        assert lan.group.name == "Khách sỉ"
        assert sorted(lan.tag_names) == ["VIP", "hội chợ", "khách quen"]
        assert [(n.body, n.staff_id) for n in lan.notes] == [("Gọi trước", owner.id)]
        assert lan.accepts_marketing
        assert lan.marketing_consent_source == "import"
        assert abs(lan.created_at - utcnow()) < timedelta(minutes=5)
        [line] = lan.events
        assert (line.type, line.actor, line.staff_id) == ("imported", "staff", owner.id)
        assert line.data == {"file": "khach.xlsx", "action": "create"}
        minh = customer_by_email("minh@example.com")
        assert (minh.notes, minh.addresses, minh.tag_names) == ([], [], ["hội chợ"])
        assert (minh.group, minh.province, minh.marketing_consent_at) == (None, None, None)
        assert not minh.accepts_marketing


def test_the_search_columns_are_what_the_orm_writes(app, shop):
    rows = [
        row(email="Lan@Example.com", phone="0912345678", others="+84 987 654 321"),
        row(code="kh-vip 7", last="Đặng", first="Văn  Đức", phone="0933 333 333"),
        row(last="Ὀδυσσεύς", first="ΣΑΣ", address="1 Lê Lợi", province="Hà Nội"),
    ]
    import_rows(app, shop, rows)
    with app.app_context():
        for customer in db.session.scalars(db.select(Customer)):
            written = (customer.search_text, customer.search_exact, customer.province)
            customer.refresh_search()
            customer.refresh_province()
            assert (customer.search_text, customer.search_exact, customer.province) == written


def found(app, shop, q):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        query = customer_list.customers_query(shop=shop_row, customer_filter=CustomerFilter(q=q))
        return [customer.full_name for customer in db.session.scalars(query)]


def test_the_admin_search_finds_an_imported_customer(app, shop, other_shop):
    import_rows(app, shop, [row(email="lan@example.com", phone="0912 345 678", code="NK0042")])
    import_rows(app, other_shop, [row(last="Lê", first="Thị Hoa", phone="0988 888 888")])
    for q in ("nguyen thi lan", "Nguyễn Thị", "LAN@example", "0912 345 678", "+84912345678"):
        assert found(app, shop, q) == ["Nguyễn Thị Lan"], q
    assert found(app, shop, "NK0042") == ["Nguyễn Thị Lan"]
    assert found(app, shop, "thi hoa") == []
    assert found(app, shop, "0988 888 888") == []
    assert found(app, other_shop, "le thi hoa") == ["Lê Thị Hoa"]


def test_blank_codes_are_unique_across_slices_and_imports(app, shop):
    # Codes like the counter's, brought by an earlier import from another system
    import_rows(app, shop, [row(code=f"KH00000{i}", first=f"Sapo {i}") for i in (1, 2, 5)])
    with app.app_context():
        assert db.session.get(Shop, shop.id).customer_seq == 0
    first = [row(first=f"Lan {i}", phone=f"09123456{i:02d}") for i in range(5)]
    # A code given in the file that the counter would give too
    first[3][0] = "KH000003"
    import_rows(app, shop, first, slice_size=2)
    second = [row(first=f"Minh {i}", phone=f"09876543{i:02d}") for i in range(4)]
    counts, _plan = import_rows(app, shop, second, slice_size=3)
    assert counts["create"] == 4
    with app.app_context():
        codes = db.session.scalars(db.select(Customer.code)).all()
        assert len(codes) == len(set(codes)) == 12
        assert all(code.startswith("KH") for code in codes)


def test_a_code_taken_since_the_plan_rejects_its_row(app, shop):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        table = Table(HEADERS, [row(code="NK1", phone="0912345678"), row(first="Hai")])
        options = ImportOptions()
        plan = plan_import(
            shop=shop_row, table=table, mapping=match_headers(HEADERS), options=options
        )
    make_guest(app, shop, first_name="Ai khác")
    with app.app_context():
        db.session.scalar(db.select(Customer)).code = "NK1"
        db.session.commit()
        shop_row = db.session.get(Shop, shop.id)
        counts = run_import(shop=shop_row, plan=plan, options=options, staff=None, label="k")
        db.session.commit()
        assert counts == {"create": 1, "update": 0, "skip": 0, "reject": 1}
        with force_locale("en"):
            assert "took this row's code or email" in str(plan.rows[0].reasons[0])
        assert db.session.scalar(db.select(db.func.count(Customer.id))) == 2


def test_another_shop_is_neither_read_nor_written(app, shop, other_shop):
    other = make_guest(app, other_shop, first_name="Lan", email="lan@example.com")
    import_rows(
        app,
        other_shop,
        [row(first="Minh", phone="0911111111", group="Khách sỉ", tags="VIP", note="x")],
    )

    def other_shops_rows():
        with app.app_context():
            return [
                db.session.scalar(
                    db.select(db.func.count()).select_from(model).where(model.shop_id == sid)
                )
                for model in (
                    Customer,
                    CustomerPhone,
                    Address,
                    CustomerTag,
                    CustomerNote,
                    CustomerEvent,
                    CustomerGroup,
                    Tag,
                )  # fmt: skip
                for sid in (other_shop.id,)
            ]

    before = other_shops_rows()
    rows = [
        row(email="lan@example.com", phone="0911111111", group="Khách sỉ", tags="VIP", note="y")
    ]
    counts, _plan = import_rows(app, shop, rows)
    assert counts["create"] == 1  # the other shop's customer is no duplicate here
    assert other_shops_rows() == before
    with app.app_context():
        lan = db.session.scalar(
            db.select(Customer).where(Customer.shop_id == shop.id, Customer.email.is_not(None))
        )
        assert lan.group.shop_id == shop.id
        assert {link.tag.shop_id for link in lan.tags} == {shop.id}
        assert db.session.get(Customer, other).first_name == "Lan"


def test_an_email_taken_since_the_plan_rejects_its_row_and_writes_the_others(app, shop):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        rows = [row(email="lan@example.com"), row(first="Hai", email="hai@example.com")]
        options = ImportOptions()
        plan = plan_import(
            shop=shop_row,
            table=Table(HEADERS, rows),
            mapping=match_headers(HEADERS),
            options=options,
        )
    make_guest(app, shop, first_name="Lan khác", email="lan@example.com")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        counts = run_import(shop=shop_row, plan=plan, options=options, staff=None, label="k")
        db.session.commit()
        assert counts == {"create": 1, "update": 0, "skip": 0, "reject": 1}
        assert customer_by_email("hai@example.com").events[0].type == "imported"
