"""The member's overview and profile: details, phones, email and password."""

import datetime

import pytest

from core.extensions import db
from models import Customer, CustomerPhone, Shop, utcnow
from services import customers as customer_service
from tests.storefront import event_types, make_member, outbox

NEW_PASSWORD = "mat khau moi 2025"


def customer_of(member):
    return db.session.get(Customer, member.id)


def save_profile(client, shop, **changes):
    data = {
        "last_name": "Phạm",
        "first_name": "Minh Anh",
        "gender": "",
        "birthday": "",
        **changes,
    }
    return client.post(f"/{shop.slug}/account/profile", data=data)


def test_the_overview_shows_the_member_at_a_glance(client, shop, signed_in):
    page = client.get(f"/{shop.slug}/account/").text

    assert "Phạm Minh Anh" in page
    assert "KH000001" in page
    assert "Official member" in page
    assert "0912 345 678" in page
    assert "You have not saved an address yet." in page
    assert "You have no orders yet." in page
    assert page.count("<h1") == 1


def test_the_overview_shows_the_default_address_and_the_counts(app, client, shop, signed_in):
    for line1, default in [("1 Lê Lợi", ""), ("9 Hàng Bạc", "y")]:
        client.post(
            f"/{shop.slug}/account/addresses/new",
            data={
                "full_name": "Phạm Minh Anh",
                "phone": "0912345678",
                "line1": line1,
                "ward": "Phường Hoàn Kiếm",
                "province": "Hà Nội",
                "is_default": default,
            },
        )
    page = client.get(f"/{shop.slug}/account/").text
    assert "9 Hàng Bạc, Phường Hoàn Kiếm, Hà Nội" in page
    assert "1 Lê Lợi" not in page
    assert '<div class="fs-3 fw-bold text-primary">2</div>' in page  # addresses
    assert '<div class="fs-3 fw-bold text-primary">1</div>' in page  # phones


def test_a_member_edits_their_details(app, client, shop, signed_in):
    response = save_profile(
        client,
        shop,
        last_name="Nguyễn",
        first_name="Thị Mai",
        gender="female",
        birthday="1995-11-20",
        accepts_marketing="y",
    )

    assert response.headers["Location"] == f"/{shop.slug}/account/profile"
    page = client.get(response.headers["Location"]).text
    assert "Your profile is saved." in page
    assert 'value="Thị Mai"' in page
    with app.app_context():
        customer = customer_of(signed_in)
        assert (customer.last_name, customer.first_name) == ("Nguyễn", "Thị Mai")
        assert customer.gender == "female"
        assert customer.birthday == datetime.date(1995, 11, 20)
        assert customer.accepts_marketing is True
        assert customer.marketing_consent_source == "account"
        event = customer.events[0]
        assert event.type == "profile_updated"
        assert event.actor == "customer"
        assert set(event.data["fields"]) == {
            "last_name",
            "first_name",
            "gender",
            "birthday",
            "accepts_marketing",
        }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_name": ""}, "Please fill in this field."),
        ({"birthday": "2999-01-01"}, "Enter a real date of birth."),
        ({"birthday": "hôm qua"}, "Enter a date such as"),
        ({"gender": "robot"}, "Not a valid choice"),
    ],
)
def test_a_bad_detail_is_refused_and_nothing_changes(
    app, client, shop, signed_in, changes, message
):
    response = save_profile(client, shop, **changes)

    assert response.status_code == 200
    assert message in response.text
    with app.app_context():
        assert customer_of(signed_in).first_name == "Minh Anh"
        assert "profile_updated" not in event_types(signed_in.id)


def test_the_profile_form_asks_for_the_family_name_first(client, shop, signed_in):
    html = client.get(f"/{shop.slug}/account/profile").text
    assert html.index('name="last_name"') < html.index('name="first_name"')
    for name in ["last_name", "first_name", "gender", "birthday", "accepts_marketing", "new_phone"]:
        assert f'for="{name}"' in html, name


# --- Phones ---------------------------------------------------------------------------


def add_phone(client, shop, number):
    return client.post(f"/{shop.slug}/account/profile/phones/add", data={"new_phone": number})


def phones_of(member):
    return [(p.number, p.is_primary) for p in customer_of(member).phones]


def test_a_member_adds_a_phone_written_their_way(app, client, shop, signed_in):
    response = add_phone(client, shop, "098 765 4321")

    assert response.headers["Location"] == f"/{shop.slug}/account/profile#phones"
    assert "0987 654 321" in client.get(f"/{shop.slug}/account/profile").text
    with app.app_context():
        assert phones_of(signed_in) == [("+84912345678", True), ("+84987654321", False)]
        assert "phone_added" in event_types(signed_in.id)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("+84 912 345 678", "already on this account"),
        ("123", "not valid"),
        ("", "Please fill in this field."),
    ],
)
def test_a_phone_that_is_taken_or_wrong_is_refused(app, client, shop, signed_in, number, message):
    make_member(app, shop, "khac@example.com", "+84903123456")

    response = add_phone(client, shop, number)

    assert response.status_code == 200
    assert message in response.text
    with app.app_context():
        assert phones_of(signed_in) == [("+84912345678", True)]


def test_adding_a_phone_tells_nothing_of_who_else_has_it(app, client, shop, signed_in):
    # Given a member and a guest of the shop with their own numbers
    make_member(app, shop, "khac@example.com", "+84903123456")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        guest = Customer(shop_id=shop.id, shop=shop_row, code="KH900001", email="g@example.com")
        db.session.add(guest)
        customer_service.add_phone(customer=guest, number="+84977000111")
        db.session.commit()
        guest_id = guest.id

    # When the signed-in member adds a free number, the member's and the guest's
    answers = [add_phone(client, shop, n) for n in ("0988 000 111", "0903123456", "0977000111")]

    # Then every answer is the same, and each number is on the account
    assert {(a.status_code, a.headers["Location"]) for a in answers} == {
        (302, f"/{shop.slug}/account/profile#phones")
    }
    with app.app_context():
        assert [n for n, _ in phones_of(signed_in)] == [
            "+84912345678",
            "+84988000111",
            "+84903123456",
            "+84977000111",
        ]
        # And the others' records are as they were
        guest = db.session.get(Customer, guest_id)
        assert [p.number for p in guest.phones] == ["+84977000111"]
        assert event_types(guest_id) == []


def test_phone_changes_are_rate_limited_per_member(app, make_app, shop, signed_in):
    # This test is about the limit itself: an app with a small one
    limited = make_app(create_schema=False, MEMBER_PHONE_RATE_LIMIT="3 per hour")
    client = limited.test_client()
    client.post("/language", data={"lang": "en"})
    client.post(
        f"/{shop.slug}/account/login",
        data={"login": signed_in.email, "password": signed_in.password},
    )
    answers = [add_phone(client, shop, f"0988 000 {i:03d}").status_code for i in range(4)]
    assert answers == [302, 302, 302, 429]
    with limited.app_context():
        assert len(phones_of(signed_in)) == 4


def test_a_member_makes_another_phone_the_main_one_and_removes_the_old(
    app, client, shopper, shop, signed_in
):
    add_phone(client, shop, "0987654321")
    with app.app_context():
        old, new = (phone.id for phone in customer_of(signed_in).phones)

    client.post(f"/{shop.slug}/account/profile/phones/{new}/primary")
    with app.app_context():
        assert phones_of(signed_in) == [("+84987654321", True), ("+84912345678", False)]

    client.post(f"/{shop.slug}/account/profile/phones/{old}/delete")
    with app.app_context():
        assert phones_of(signed_in) == [("+84987654321", True)]
        types = event_types(signed_in.id)
        assert "primary_phone_changed" in types
        assert "phone_removed" in types
    shopper.logout(shop.slug)
    assert "incorrect" in shopper.login(signed_in, login="0912345678").text
    assert shopper.login(signed_in, login="0987654321").status_code == 302


def test_removing_the_main_phone_makes_the_next_one_main(app, client, shop, signed_in):
    add_phone(client, shop, "0987654321")
    with app.app_context():
        main = customer_of(signed_in).phones[0].id

    client.post(f"/{shop.slug}/account/profile/phones/{main}/delete")

    with app.app_context():
        assert phones_of(signed_in) == [("+84987654321", True)]


def test_another_customers_phone_is_not_found(app, client, shop, other_shop, signed_in):
    neighbour = make_member(app, shop, "khac@example.com", "+84903123456")
    foreign = make_member(app, other_shop, "xa@example.com", "+84903123456")
    with app.app_context():
        ids = [
            db.session.scalar(
                db.select(CustomerPhone.id).where(CustomerPhone.customer_id == person.id)
            )
            for person in (neighbour, foreign)
        ]
    for phone_id in [*ids, 999]:
        for action in ("delete", "primary"):
            url = f"/{shop.slug}/account/profile/phones/{phone_id}/{action}"
            assert client.post(url).status_code == 404, url
    with app.app_context():
        assert phones_of(neighbour) == [("+84903123456", True)]


# --- Email ----------------------------------------------------------------------------


def change_email(client, shop, email, password):
    return client.post(
        f"/{shop.slug}/account/profile/email",
        data={"email": email, "current_password": password},
    )


def test_changing_the_email_needs_the_password_and_a_new_confirmation(app, client, shop, signed_in):
    with app.app_context():
        customer_of(signed_in).email_verified_at = utcnow()
        db.session.commit()

    response = change_email(client, shop, "Moi@Example.com", signed_in.password)

    assert response.headers["Location"] == f"/{shop.slug}/account/profile"
    assert "moi@example.com" in client.get(response.headers["Location"]).text
    with app.app_context():
        customer = customer_of(signed_in)
        assert customer.email == "moi@example.com"
        assert customer.email_verified_at is None
        assert "email_changed" in event_types(signed_in.id)
        assert outbox() == [
            ("member_confirm_email", "moi@example.com"),
            ("member_email_changed", signed_in.email),
        ]


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("moi@example.com", "sai mat khau", "current password is not correct"),
        ("khac@example.com", None, "already used by another account"),
        ("khong-phai-email", None, "not valid"),
    ],
)
def test_a_refused_email_change_changes_nothing(
    app, client, shop, signed_in, email, password, message
):
    make_member(app, shop, "khac@example.com")

    response = change_email(client, shop, email, password or signed_in.password)

    assert response.status_code == 200
    assert message in response.text
    with app.app_context():
        assert customer_of(signed_in).email == signed_in.email
        assert outbox() == []


@pytest.mark.parametrize("taken_meanwhile", [False, True])
def test_another_customers_email_is_refused_in_vietnamese_and_the_account_is_kept(
    app, client, shop, signed_in, monkeypatch, taken_meanwhile
):
    # Given a confirmed member, and another customer with the address they want; when
    # ``taken_meanwhile``, that address was written (by an import, say) just after the
    # page looked for it, so that only the database refuses it
    make_member(app, shop, "khac@example.com")
    with app.app_context():
        customer_of(signed_in).email_verified_at = utcnow()
        db.session.commit()
    if taken_meanwhile:
        monkeypatch.setattr(customer_service, "find_by_email", lambda shop, email: None)
    client.post("/language", data={"lang": "vi"})

    response = change_email(client, shop, "Khac@Example.com", signed_in.password)

    assert response.status_code == 200
    assert "Địa chỉ email này đã được dùng cho một tài khoản khác." in response.text
    with app.app_context():
        customer = customer_of(signed_in)
        assert customer.email == signed_in.email
        assert customer.email_verified_at is not None
        assert "email_changed" not in event_types(signed_in.id)
        assert outbox() == []
    page = client.get(f"/{shop.slug}/account/profile")
    assert page.status_code == 200
    assert signed_in.email in page.text


# --- Password -------------------------------------------------------------------------


def change_password(client, shop, current, new=NEW_PASSWORD, confirm=None):
    return client.post(
        f"/{shop.slug}/account/profile/password",
        data={"current_password": current, "password": new, "password_confirm": confirm or new},
    )


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    app, client, shopper, shop, signed_in
):
    other_device = app.test_client()
    other_device.post(
        f"/{shop.slug}/account/login",
        data={"login": signed_in.email, "password": signed_in.password},
    )
    assert other_device.get(f"/{shop.slug}/account/").status_code == 200

    response = change_password(client, shop, signed_in.password)

    assert response.headers["Location"] == f"/{shop.slug}/account/profile"
    assert client.get(f"/{shop.slug}/account/").status_code == 200
    assert other_device.get(f"/{shop.slug}/account/").status_code == 302
    shopper.logout(shop.slug)
    assert "incorrect" in shopper.login(signed_in).text
    assert shopper.login(signed_in, password=NEW_PASSWORD).status_code == 302
    with app.app_context():
        assert "password_changed" in event_types(signed_in.id)


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("sai mat khau", NEW_PASSWORD, None, "current password is not correct"),
        (None, "ngan", None, "at least 8"),
        (None, NEW_PASSWORD, "khac han", "do not match"),
    ],
)
def test_a_refused_password_change_keeps_the_old_password(
    app, client, shop, signed_in, current, new, confirm, message
):
    response = change_password(client, shop, current or signed_in.password, new, confirm)

    assert response.status_code == 200
    assert message in response.text
    with app.app_context():
        assert customer_of(signed_in).check_password(signed_in.password)
