"""Shop services called directly: the staff login's check and the settings update."""

import pytest

from core.extensions import db
from models import Shop
from services import ServiceError
from services.shops import authenticate_staff, staff_of, update_settings
from tests.conftest import PASSWORD

SETTINGS = {
    "name": "  Thời Trang Mai & Con ",
    "contact_email": "  LienHe@ThoiTrangMai.VN ",
    "locale": "en",
    "auto_approve_members": True,
    "notify_staff_of_registrations": False,
    "shipping_fee": "30.000",
    "free_shipping_threshold": "",
    "bank_details": "  Vietcombank 0123456789  ",
    "refusal_tag_threshold": "3",
}


def test_the_staff_login_needs_the_password_and_a_place_on_this_shops_staff(
    app, shop, owner, other_shop
):
    with app.app_context():
        here, elsewhere = db.session.get(Shop, shop.id), db.session.get(Shop, other_shop.id)
        assert authenticate_staff(email=owner.email, password=PASSWORD, shop=here).id == owner.id
        assert authenticate_staff(email=f" {owner.email.upper()} ", password=PASSWORD).id
        assert authenticate_staff(email=owner.email, password="wrong", shop=here) is None
        assert authenticate_staff(email=owner.email, password=PASSWORD, shop=elsewhere) is None
        assert authenticate_staff(email="ai@example.com", password=PASSWORD, shop=here) is None


def test_the_staff_list_puts_owners_first_then_managers(app, shop, owner, manager, staff_member):
    with app.app_context():
        members = staff_of(db.session.get(Shop, shop.id))
        assert [m.staff.email for m in members] == [owner.email, manager.email, staff_member.email]


def test_settings_are_written_column_by_column(app, shop):
    with app.app_context():
        row = db.session.get(Shop, shop.id)
        update_settings(shop=row, **SETTINGS)
        db.session.commit()
    with app.app_context():
        row = db.session.get(Shop, shop.id)
        assert (row.name, row.contact_email, row.locale) == (
            "Thời Trang Mai & Con",
            "lienhe@thoitrangmai.vn",
            "en",
        )
        assert (row.auto_approve_members, row.notify_staff_of_registrations) == (True, False)
        assert (row.shipping_fee, row.free_shipping_threshold) == (30_000, None)
        assert (row.bank_details, row.refusal_tag_threshold) == ("Vietcombank 0123456789", 3)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact_email", "not an email"),
        ("shipping_fee", "ba mươi nghìn"),
        ("free_shipping_threshold", "-1"),
        ("refusal_tag_threshold", "101"),
    ],
)
def test_a_refused_setting_names_its_field_and_changes_nothing(app, shop, field, value):
    with app.app_context():
        row = db.session.get(Shop, shop.id)
        before = (row.name, row.contact_email, row.shipping_fee, row.locale)
        with pytest.raises(ServiceError) as refused:
            update_settings(shop=row, **{**SETTINGS, field: value})
        assert refused.value.field == field
        assert (row.name, row.contact_email, row.shipping_fee, row.locale) == before
