"""An export in the shop's own columns re-imports to the same customers: every row matches
its customer by code and, imported with "update", changes nothing."""

from core.extensions import db
from models import Customer, Shop, StaffUser
from services import customer_bulk
from services.customer_export import export_ids, write_xlsx
from services.customer_import import ImportOptions, plan_import, run_import
from services.customer_list import CustomerFilter
from services.groups import create_group
from services.import_headers import match_headers
from services.spreadsheets import read_table
from services.tags import tag_customer, tag_named
from tests.factories import add_address, make_guest, make_member

FIELDS = (
    "code", "first_name", "last_name", "email", "gender", "birthday", "company",
    "accepts_marketing", "province", "group_id",
)  # fmt: skip


def snapshot(customer):
    return (
        tuple(getattr(customer, name) for name in FIELDS),
        tuple(p.number for p in customer.phones),
        tuple(sorted(customer.tag_names)),
        tuple(tuple(a.lines()) for a in customer.addresses),
        len(customer.notes),
    )


def test_an_exported_filter_reimports_with_update_and_nothing_changes(app, shop, owner):
    ids = [make_guest(app, shop, first_name=f"Lan {i}", phone=f"+8491234560{i}") for i in range(5)]
    member = make_member(app, shop, "minh@example.com", phone="+84987654321", company="Mai Co")
    add_address(app, member.id, province="Hà Nội")
    ids.append(member.id)
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        staff = db.session.get(StaffUser, owner.id)
        customers = [db.session.get(Customer, i) for i in ids]
        for customer in customers[:3]:
            tag_customer(customer, tag_named(shop_row, "hội chợ"))
        customer_bulk.set_group(
            shop=shop_row,
            customers=customers[3:],
            group=create_group(shop=shop_row, name="Khách sỉ"),
            staff=staff,
        )
        db.session.commit()
        before = {c.id: snapshot(c) for c in db.session.scalars(db.select(Customer))}

        chosen = export_ids(
            shop=shop_row, scope="filter", customer_filter=CustomerFilter(), sort="-created"
        )
        with write_xlsx(shop_row, chosen, "default") as file:
            data = file.read()
        table = read_table("khach-hang.xlsx", data, max_bytes=5 * 1024 * 1024, max_rows=1000)
        options = ImportOptions(on_duplicate="update")
        plan = plan_import(
            shop=shop_row, table=table, mapping=match_headers(table.headers), options=options
        )
        assert plan.counts == {"create": 0, "update": 6, "skip": 0, "reject": 0}
        run_import(shop=shop_row, plan=plan, options=options, staff=staff, label="khach-hang.xlsx")
        db.session.commit()
        db.session.expire_all()
        after = {c.id: snapshot(c) for c in db.session.scalars(db.select(Customer))}
    assert after == before
