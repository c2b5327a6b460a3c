"""The shop's settings page: its name, contact address, language, and how new members join
(approved by hand or automatically, with or without an email to the managers)."""

import pytest
from sqlalchemy import select

from core.extensions import db
from models import CustomerStatus, OutboxMessage, Shop
from services import customers as customer_service
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def in_english(client):
    client.post("/language", data={"lang": "en"})


def settings_of(app, shop):
    with app.app_context():
        row = db.session.get(Shop, shop.id)
        return {
            "slug": row.slug,
            "name": row.name,
            "contact_email": row.contact_email,
            "locale": row.locale,
            "auto_approve_members": row.auto_approve_members,
            "notify_staff_of_registrations": row.notify_staff_of_registrations,
            "customer_seq": row.customer_seq,
            "timezone": row.timezone,
        }


def valid_form(**changes):
    form = {
        "name": "Thời Trang Mai & Con",
        "contact_email": "  LienHe@ThoiTrangMai.VN ",
        "locale": "en",
        "auto_approve_members": "y",
        # notify_staff_of_registrations left out: an unticked box
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_settings_page_shows_the_shops_current_values(client, auth, shop, owner):
    auth.login_staff(owner)
    response = client.get(f"/{shop.slug}/admin/settings")
    assert response.status_code == 200
    page = response.text
    assert 'value="Thời Trang Mai"' in page
    assert 'value="mai@example.com"' in page
    assert 'name="auto_approve_members"' in page
    assert 'name="notify_staff_of_registrations"' in page
    assert "Approve new members automatically" in page
    assert "Email the managers when a new member registers" in page


def test_owner_changes_the_settings_and_they_persist(app, client, auth, shop, owner):
    auth.login_staff(owner)
    response = client.post(f"/{shop.slug}/admin/settings", data=valid_form())
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{shop.slug}/admin/settings"
    assert "Settings saved." in client.get(response.headers["Location"]).text

    saved = settings_of(app, shop)
    assert saved["name"] == "Thời Trang Mai & Con"
    assert saved["contact_email"] == "lienhe@thoitrangmai.vn"
    assert saved["locale"] == "en"
    assert saved["auto_approve_members"] is True
    assert saved["notify_staff_of_registrations"] is False


def test_a_manager_may_change_the_settings(app, client, auth, shop, manager):
    auth.login_staff(manager)
    client.post(f"/{shop.slug}/admin/settings", data=valid_form(locale="vi"))
    assert settings_of(app, shop)["auto_approve_members"] is True


def test_staff_role_cannot_open_or_change_the_settings(app, client, auth, shop, staff_member):
    before = settings_of(app, shop)
    auth.login_staff(staff_member)
    assert client.get(f"/{shop.slug}/admin/settings").status_code == 403
    assert client.post(f"/{shop.slug}/admin/settings", data=valid_form()).status_code == 403
    assert settings_of(app, shop) == before
    # And the menu does not offer what they cannot open
    dashboard = client.get(f"/{shop.slug}/admin/").text
    assert f'href="/{shop.slug}/admin/settings"' not in dashboard
    assert f'href="/{shop.slug}/admin/customers"' in dashboard


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"contact_email": "khong-phai-email"}, "This email address is not valid."),
        ({"contact_email": ""}, "Please fill in this field."),
        ({"name": "   "}, "Please fill in this field."),
        ({"name": "x" * 121}, "Please use at most 120 characters."),
        ({"locale": "fr"}, None),
    ],
)
def test_bad_values_are_refused_and_nothing_changes(
    app, client, auth, shop, owner, changes, message
):
    before = settings_of(app, shop)
    auth.login_staff(owner)
    response = client.post(f"/{shop.slug}/admin/settings", data=valid_form(**changes))
    assert response.status_code == 200
    assert "is-invalid" in response.text
    if message:
        assert message in response.text
    assert settings_of(app, shop) == before


def test_fields_that_are_not_on_the_form_cannot_be_set(app, client, auth, shop, owner):
    before = settings_of(app, shop)
    auth.login_staff(owner)
    client.post(
        f"/{shop.slug}/admin/settings",
        data=valid_form(slug="cuop-shop", customer_seq="999", timezone="UTC", id="77"),
    )
    after = settings_of(app, shop)
    for name in ("slug", "customer_seq", "timezone"):
        assert after[name] == before[name], name


def register(app, shop, email, phone):
    with app.app_context():
        customer = customer_service.register_member(
            shop=db.session.get(Shop, shop.id),
            first_name="Lan",
            last_name="Trần Thị",
            email=email,
            phone=phone,
            password=PASSWORD,
        )
        db.session.commit()
        return customer.id


def kinds_of_mail(app):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()


def status_of(app, customer_id):
    from models import Customer

    with app.app_context():
        return db.session.get(Customer, customer_id).status


def test_auto_approve_makes_new_registrations_official(app, client, auth, shop, owner):
    # Before: a new member waits, and the managers are told
    first = register(app, shop, "lan.tran@example.com", "0912 000 111")
    assert status_of(app, first) == CustomerStatus.TEMPORARY
    assert "staff_new_member" in kinds_of_mail(app)

    # When the owner turns on automatic approval (and the emails to managers off)
    auth.login_staff(owner)
    client.post(f"/{shop.slug}/admin/settings", data=valid_form())

    # Then the next registration is official at once, and nobody is asked to approve it
    mails_before = len(kinds_of_mail(app))
    second = register(app, shop, "lan.tran2@example.com", "0912 000 222")
    assert status_of(app, second) == CustomerStatus.OFFICIAL
    assert kinds_of_mail(app)[mails_before:] == ["member_registered"]
    # And the member who was already waiting still waits
    assert status_of(app, first) == CustomerStatus.TEMPORARY


def test_without_notifications_managers_get_no_email(app, client, auth, shop, owner):
    auth.login_staff(owner)
    client.post(f"/{shop.slug}/admin/settings", data=valid_form(auto_approve_members=None))
    customer_id = register(app, shop, "lan.tran@example.com", "0912 000 111")
    assert status_of(app, customer_id) == CustomerStatus.TEMPORARY
    assert "staff_new_member" not in kinds_of_mail(app)


def test_another_shops_settings_are_not_reachable(app, client, auth, shop, other_shop, owner):
    before = settings_of(app, other_shop)
    auth.login_staff(owner)
    assert client.get(f"/{other_shop.slug}/admin/settings").status_code == 404
    response = client.post(f"/{other_shop.slug}/admin/settings", data=valid_form())
    assert response.status_code == 404
    assert settings_of(app, other_shop) == before
