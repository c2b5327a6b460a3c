"""Customer services called directly: registration, login, approval and the tokens of a
member's life. Each test works inside its own app context and commits, as a view would,
then reads what the database holds."""

import secrets
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.urls import external_url
from models import (
    Customer,
    CustomerEvent,
    CustomerPhone,
    CustomerStatus,
    LoginSession,
    OutboxMessage,
    Shop,
    StaffUser,
    utcnow,
)
from services import ServiceError
from services import customers as svc
from services.customers import (
    BadToken,
    InvalidTransition,
    LoginRefused,
)
from tests.conftest import PASSWORD
from tests.mail import sent_link, token_of

EMAIL = "an.nguyen@example.com"


def shop_row(info):
    return db.session.get(Shop, info.id)


def register(shop_info, **values):
    """Register through the service with a valid form's values, changed by ``values``."""
    form = {
        "first_name": "An",
        "last_name": "Nguyễn Văn",
        "email": EMAIL,
        "phone": "0912 345 678",
        "password": PASSWORD,
    }
    form.update(values)
    return svc.register_member(shop=shop_row(shop_info), **form)


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def outbox(kind=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return db.session.scalars(query).all()


def event_types(customer_id):
    return db.session.scalars(
        select(CustomerEvent.type)
        .where(CustomerEvent.customer_id == customer_id)
        .order_by(CustomerEvent.id)
    ).all()


def nothing_written():
    return (count(Customer), count(CustomerPhone), count(CustomerEvent), count(OutboxMessage))


def add_customer(shop_info, *, status=CustomerStatus.GUEST, email=None, phone=None, **values):
    """A customer row as an import or the admin would leave it (a code given, no events)."""
    shop = shop_row(shop_info)
    customer = Customer(
        shop_id=shop.id,
        shop=shop,
        code=values.pop("code", None) or svc.next_customer_code(shop),
        email=email,
        status=status,
        **values,
    )
    db.session.add(customer)
    if phone:
        svc.add_phone(customer=customer, number=phone)
    return customer


def add_member(shop_info, status, email=EMAIL, phone="+84912345678", password=PASSWORD):
    customer = add_customer(shop_info, status=status, email=email, phone=phone, first_name="An")
    customer.set_password(password)
    db.session.commit()
    return customer


def open_session(customer):
    """A browser signed in as ``customer``: the row a login leaves. Returns its id."""
    now = utcnow()
    row = LoginSession(
        token_hash=secrets.token_hex(32),
        kind="customer",
        customer_id=customer.id,
        shop_id=customer.shop_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=1),
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def open_sessions(customer_id):
    """The ids of the customer's sessions, oldest first."""
    return db.session.scalars(
        select(LoginSession.id)
        .where(LoginSession.customer_id == customer_id)
        .order_by(LoginSession.id)
    ).all()


# --- Registration ---------------------------------------------------------------------


def test_registration_makes_a_temporary_member_with_the_shops_first_code(app, shop, owner):
    with app.app_context():
        customer = register(shop, email="  An.Nguyen@Example.COM ", accepts_marketing=True)
        db.session.commit()
        customer_id = customer.id

    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert customer.status == CustomerStatus.TEMPORARY
        assert customer.code == "KH000001"
        assert customer.email == EMAIL
        assert customer.full_name == "Nguyễn Văn An"
        assert customer.check_password(PASSWORD)
        assert [(p.number, p.is_primary) for p in customer.phones] == [("+84912345678", True)]
        assert "nguyen van an" in customer.search_text
        assert "0912345678" in customer.search_text
        assert "kh000001" in customer.search_text
        assert customer.accepts_marketing is True
        assert customer.marketing_consent_at is not None
        assert customer.marketing_consent_source == "registration"
        assert customer.email_verified_at is None

        assert event_types(customer_id) == ["registered", "email_sent"]
        registered = customer.events[-1]
        assert registered.actor == "customer"
        assert registered.staff_id is None
        assert registered.data == {"from_guest": False}

        welcome = outbox("member_registered")
        assert [(m.to_address, m.customer_id) for m in welcome] == [(EMAIL, customer_id)]
        token = token_of(sent_link("member_registered", "storefront.confirm_email", shop.slug))
        assert svc.confirm_email(shop=shop_row(shop), token=token).id == customer_id


def test_a_member_who_declines_marketing_is_recorded_as_declining(app, shop, owner):
    with app.app_context():
        customer = register(shop, accepts_marketing=False)
        db.session.commit()
        assert customer.accepts_marketing is False
        assert customer.marketing_consent_source == "registration"


def test_codes_count_up_per_shop(app, shop, other_shop):
    with app.app_context():
        first = register(shop, email="a@example.com", phone="0912000001")
        second = register(shop, email="b@example.com", phone="0912000002")
        elsewhere = register(other_shop, email="a@example.com", phone="0912000001")
        db.session.commit()
        assert (first.code, second.code, elsewhere.code) == ("KH000001", "KH000002", "KH000001")
        # The same email and phone at another shop are another person's account.
        assert first.id != elsewhere.id
        assert count(Customer) == 3


def test_code_generation_skips_codes_that_were_imported(app, shop):
    with app.app_context():
        add_customer(shop, code="KH000001", email="imported@example.com")
        add_customer(shop, code="KH000003", email="imported3@example.com")
        db.session.commit()
    with app.app_context():
        first = register(shop, email="a@example.com", phone="0912000001")
        second = register(shop, email="b@example.com", phone="0912000002")
        db.session.commit()
        assert (first.code, second.code) == ("KH000002", "KH000004")


def test_a_shop_that_approves_automatically_makes_official_members(app, shop, owner):
    with app.app_context():
        shop_row(shop).auto_approve_members = True
        db.session.commit()
    with app.app_context():
        customer = register(shop)
        db.session.commit()
        assert customer.status == CustomerStatus.OFFICIAL
        assert event_types(customer.id) == ["registered", "approved", "email_sent"]
        approved = customer.events[1]
        assert approved.type == "approved"
        assert approved.data == {"automatic": True}
        assert approved.actor == "system"
        # Nobody has anything to approve: no notice to the managers.
        assert [m.kind for m in outbox()] == ["member_registered"]
    with app.app_context():
        assert svc.check_login(shop=shop_row(shop), login=EMAIL, password=PASSWORD)


def test_managers_and_owner_are_told_of_a_new_member_but_not_plain_staff(
    app, shop, owner, manager, staff_member
):
    with app.app_context():
        customer = register(shop)
        db.session.commit()
        notices = outbox("staff_new_member")
        assert sorted(m.to_address for m in notices) == sorted([owner.email, manager.email])
        assert staff_member.email not in [m.to_address for m in outbox()]
        review = external_url("admin.customer_detail", shop=shop.slug, customer_id=customer.id)
        assert all(review in m.body_text for m in notices)


def test_an_inactive_manager_is_not_told(app, shop, owner, manager):
    with app.app_context():
        db.session.get(StaffUser, manager.id).active = False
        db.session.commit()
    with app.app_context():
        register(shop)
        db.session.commit()
        assert [m.to_address for m in outbox("staff_new_member")] == [owner.email]


def test_no_notice_when_the_shop_does_not_want_one(app, shop, owner, manager):
    with app.app_context():
        shop_row(shop).notify_staff_of_registrations = False
        db.session.commit()
    with app.app_context():
        register(shop)
        db.session.commit()
        assert outbox("staff_new_member") == []
        assert len(outbox("member_registered")) == 1


def test_registering_an_existing_members_email_sends_them_a_notice_and_nothing_else(
    app, shop, owner
):
    with app.app_context():
        member = add_member(shop, CustomerStatus.OFFICIAL)
        member_id, before = member.id, member.password_hash
    with app.app_context():
        answer = register(shop, email=EMAIL.upper(), phone="0987 654 321", password="x" * 12)
        db.session.commit()
        assert answer is None
        assert count(Customer) == 1
        member = db.session.get(Customer, member_id)
        assert member.password_hash == before
        assert [p.number for p in member.phones] == ["+84912345678"]
        # Only the notice itself, on the timeline the staff see.
        assert event_types(member_id) == ["email_sent"]
        assert [(m.kind, m.to_address, m.customer_id) for m in outbox()] == [
            ("member_exists", EMAIL, member_id)
        ]


@pytest.mark.parametrize("status", [CustomerStatus.TEMPORARY, CustomerStatus.CANCELLED])
def test_a_waiting_or_cancelled_members_email_is_not_registered_again(app, shop, status):
    with app.app_context():
        member = add_member(shop, status)
        member_id = member.id
    with app.app_context():
        assert register(shop, phone="") is None
        db.session.commit()
        assert count(Customer) == 1
        assert db.session.get(Customer, member_id).status == status
        assert [m.kind for m in outbox()] == ["member_exists"]


def guest_snapshot(customer_id):
    """What a guest's record holds, to compare before and after."""
    guest = db.session.get(Customer, customer_id)
    return (
        guest.status,
        guest.first_name,
        guest.password_hash,
        guest.registered_at,
        guest.email_verified_at,
        [p.number for p in guest.phones],
        count(CustomerEvent, CustomerEvent.customer_id == customer_id),
    )


def finish_registration(shop_info, password=PASSWORD):
    """Follow the link of the newest claim email, as the mailbox's owner would."""
    link = sent_link("member_claim", "storefront.confirm_registration", shop_info.slug)
    token = token_of(link)
    return svc.complete_registration(shop=shop_row(shop_info), token=token, password=password)


def test_registering_with_a_guests_email_changes_nothing_until_the_link_is_followed(app, shop):
    # Given a guest known by their checkout
    with app.app_context():
        guest = add_customer(shop, email=EMAIL, phone="+84987654321", first_name="Khách")
        db.session.commit()
        guest_id, code = guest.id, guest.code
        before = guest_snapshot(guest_id)
    # When someone registers with that guest's email
    with app.app_context():
        assert register(shop, phone="0912 345 678") is None
        db.session.commit()
    # Then the guest's record is as it was, and its mailbox got the link
    with app.app_context():
        assert count(Customer) == 1
        assert guest_snapshot(guest_id)[:-1] == before[:-1]
        assert event_types(guest_id) == ["email_sent"]
        [claim_mail] = outbox("member_claim")
        assert claim_mail.to_address == EMAIL
        assert "Nguyễn Văn An" in claim_mail.body_text
    # When the mailbox's owner follows it with the registration's password
    with app.app_context():
        customer = finish_registration(shop)
        db.session.commit()
    # Then the guest's record is the member, its email confirmed
    with app.app_context():
        customer = db.session.get(Customer, guest_id)
        assert customer.code == code
        assert count(Customer) == 1
        assert customer.status == CustomerStatus.TEMPORARY
        assert customer.first_name == "An"
        assert customer.check_password(PASSWORD)
        assert customer.email_verified_at is not None
        assert customer.registered_at is not None
        # The phone the guest ordered with stays the primary one; the new one is added.
        assert [(p.number, p.is_primary) for p in customer.phones] == [
            ("+84987654321", True),
            ("+84912345678", False),
        ]
        assert event_types(guest_id)[1:4] == ["registered", "email_confirmed", "email_sent"]
        assert count(svc.RegistrationClaim) == 0
        assert [m.kind for m in outbox()][-2:] == ["member_registered", "staff_new_member"]


def test_a_claim_link_needs_the_registrations_password_and_works_once(app, shop):
    with app.app_context():
        guest = add_customer(shop, email=EMAIL, first_name="Khách")
        db.session.commit()
        guest_id = guest.id
    with app.app_context():
        register(shop, phone="")
        db.session.commit()
        token = token_of(sent_link("member_claim", "storefront.confirm_registration", shop.slug))
        before = guest_snapshot(guest_id)
    # The mailbox's owner who did not register does not know the password: nothing joins.
    with app.app_context():
        with pytest.raises(svc.WrongPassword):
            svc.complete_registration(shop=shop_row(shop), token=token, password="not mine 123")
        db.session.rollback()
        assert guest_snapshot(guest_id) == before
    with app.app_context():
        svc.complete_registration(shop=shop_row(shop), token=token, password=PASSWORD)
        db.session.commit()
    with app.app_context(), pytest.raises(BadToken):
        svc.complete_registration(shop=shop_row(shop), token=token, password=PASSWORD)


def test_a_claim_link_of_another_shop_or_tampered_opens_nothing(app, shop, other_shop):
    with app.app_context():
        add_customer(shop, email=EMAIL, first_name="Khách")
        db.session.commit()
        register(shop, phone="")
        db.session.commit()
        token = token_of(sent_link("member_claim", "storefront.confirm_registration", shop.slug))
    with app.app_context():
        for bad in (token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1], "x" * 40):
            with pytest.raises(BadToken):
                svc.claim_for_token(shop=shop_row(shop), token=bad)
        with pytest.raises(BadToken):
            svc.claim_for_token(shop=shop_row(other_shop), token=token)


def test_registration_never_joins_a_record_by_phone(app, shop):
    # Given a guest known by phone only
    with app.app_context():
        guest = add_customer(shop, phone="+84912345678", first_name="Khách")
        db.session.commit()
        guest_id = guest.id
        before = guest_snapshot(guest_id)
    # When someone registers with that phone
    with app.app_context():
        customer = register(shop, phone="+84 912 345 678")
        db.session.commit()
        customer_id = customer.id
    # Then a new member carries the number too; the guest's record is untouched
    with app.app_context():
        assert customer_id != guest_id
        assert count(Customer) == 2
        assert guest_snapshot(guest_id) == before
        member = db.session.get(Customer, customer_id)
        assert [p.number for p in member.phones] == ["+84912345678"]
        assert member.status == CustomerStatus.TEMPORARY


def test_registering_dates_the_membership_and_a_guest_keeps_the_date_of_their_record(
    app, shop, owner
):
    # Given a guest recorded by a checkout in January 2024
    recorded = datetime(2024, 1, 15, 3, tzinfo=UTC)
    with app.app_context():
        guest = add_customer(shop, email=EMAIL, first_name="Khách", created_at=recorded)
        db.session.commit()
        guest_id = guest.id
        assert guest.registered_at is None
    # When they register, and a new shopper registers too
    with app.app_context():
        before = utcnow()
        register(shop)
        db.session.commit()
        finish_registration(shop)
        newcomer = register(shop, email="binh@example.com", phone="0987 654 321")
        db.session.commit()
        after, newcomer_id = utcnow(), newcomer.id
    # Then both are dated by their registration; the guest's record keeps its own date
    with app.app_context():
        member = db.session.get(Customer, guest_id)
        assert member.created_at == recorded
        assert before <= member.registered_at <= after
        assert member.joined_at == member.registered_at
        registered_at = member.registered_at
        newcomer = db.session.get(Customer, newcomer_id)
        assert before <= newcomer.registered_at <= after
    # And approving them, or their email registered again, leaves the date alone
    with app.app_context():
        member = db.session.get(Customer, guest_id)
        svc.approve(shop=shop_row(shop), customer=member, actor=db.session.get(StaffUser, owner.id))
        assert register(shop, phone="") is None
        db.session.commit()
    with app.app_context():
        assert db.session.get(Customer, guest_id).registered_at == registered_at


@pytest.mark.parametrize(
    "status",
    [
        CustomerStatus.OFFICIAL,
        CustomerStatus.TEMPORARY,
        CustomerStatus.CANCELLED,
        CustomerStatus.GUEST,
    ],
)
def test_a_phone_someone_else_has_is_taken_without_telling_or_touching_them(app, shop, status):
    # Given another customer with the phone
    with app.app_context():
        other = add_customer(shop, status=status, email="other@example.com", phone="+84912345678")
        if status != CustomerStatus.GUEST:
            other.set_password(PASSWORD)
        db.session.commit()
        other_id = other.id
        before = guest_snapshot(other_id)
    # When a shopper registers with it, the registration goes through as for any number
    with app.app_context():
        customer = register(shop, phone="0912-345-678")
        db.session.commit()
        assert [p.number for p in customer.phones] == ["+84912345678"]
        assert [m.kind for m in outbox()][:1] == ["member_registered"]
        # And the other record is as it was
        assert guest_snapshot(other_id) == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"email": "not an email"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "an@"}, "email"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "không có số"}, "phone"),
        ({"password": "ngắn"}, "password"),
        ({"password": ""}, "password"),
        ({"first_name": "   "}, "first_name"),
    ],
)
def test_bad_input_is_refused_for_its_field_with_nothing_written(app, shop, owner, values, field):
    with app.app_context():
        seq = shop_row(shop).customer_seq
        with pytest.raises(ServiceError) as refused:
            register(shop, **values)
        db.session.rollback()
        assert refused.value.field == field
        assert nothing_written() == (0, 0, 0, 0)
        assert shop_row(shop).customer_seq == seq


def test_a_registration_refused_by_the_database_keeps_the_callers_own_work(app, shop, monkeypatch):
    # Given a member written by something that does not take the registration lock (an
    # import, say) just after the registration looked for the email.
    with app.app_context():
        add_member(shop, CustomerStatus.OFFICIAL, phone=None)
    monkeypatch.setattr(svc, "find_by_email", lambda shop, email: None)
    with app.app_context():
        shop_row(shop).name = "Tên mới"
        with pytest.raises(svc.DuplicateRegistration) as refused:
            register(shop, phone="0912 345 678")
        assert refused.value.field == "email"
        db.session.commit()
    with app.app_context():
        assert shop_row(shop).name == "Tên mới"
        assert shop_row(shop).customer_seq == 1  # the member's; the refused one gave back its own
        assert count(Customer) == 1
        assert count(CustomerPhone) == 0
        assert (count(CustomerEvent), count(OutboxMessage)) == (0, 0)


def test_a_registration_the_caller_rolls_back_leaves_nothing(app, shop, owner):
    with app.app_context():
        register(shop)
        db.session.rollback()
    with app.app_context():
        assert nothing_written() == (0, 0, 0, 0)
        assert shop_row(shop).customer_seq == 0


def test_a_phone_is_optional(app, shop):
    with app.app_context():
        customer = register(shop, phone="  ")
        db.session.commit()
        assert customer.phones == []
        assert customer.status == CustomerStatus.TEMPORARY


# --- Logging in -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "login",
    [EMAIL, "  AN.NGUYEN@example.com ", "0912345678", "0912 345 678", "+84 912 345 678"],
)
def test_an_official_member_logs_in_with_email_or_phone_in_any_format(app, shop, login):
    with app.app_context():
        add_member(shop, CustomerStatus.OFFICIAL)
    with app.app_context():
        customer = svc.check_login(shop=shop_row(shop), login=login, password=PASSWORD)
        assert customer.email == EMAIL
        assert customer.last_login_at is not None


@pytest.mark.parametrize(
    ("status", "password", "reason"),
    [
        # A wrong password says nothing about the account, whatever its status.
        (CustomerStatus.TEMPORARY, "sai mat khau 1", "invalid"),
        (CustomerStatus.CANCELLED, "sai mat khau 1", "invalid"),
        (CustomerStatus.OFFICIAL, "sai mat khau 1", "invalid"),
        (CustomerStatus.TEMPORARY, PASSWORD, "temporary"),
        (CustomerStatus.CANCELLED, PASSWORD, "cancelled"),
    ],
)
def test_login_refusals_tell_the_status_only_after_the_right_password(
    app, shop, status, password, reason
):
    with app.app_context():
        add_member(shop, status)
    with app.app_context():
        with pytest.raises(LoginRefused) as refused:
            svc.check_login(shop=shop_row(shop), login=EMAIL, password=password)
        assert refused.value.reason == reason


def test_wrong_password_and_unknown_login_get_the_same_message(app, shop):
    with app.app_context():
        add_member(shop, CustomerStatus.TEMPORARY)
    with app.app_context():
        answers = []
        for login, password in [
            (EMAIL, "sai mat khau 1"),
            ("ai.do@example.com", PASSWORD),
            ("0999 999 999", PASSWORD),
            ("khong phai email", PASSWORD),
            ("", ""),
        ]:
            with pytest.raises(LoginRefused) as refused:
                svc.check_login(shop=shop_row(shop), login=login, password=password)
            answers.append((refused.value.reason, str(refused.value.message)))
        assert len(set(answers)) == 1
        assert answers[0][0] == "invalid"


def test_a_guest_without_a_password_cannot_log_in(app, shop):
    with app.app_context():
        add_customer(shop, email=EMAIL, phone="+84912345678")
        db.session.commit()
    with app.app_context():
        for login, password in [(EMAIL, ""), (EMAIL, PASSWORD), ("0912345678", "")]:
            with pytest.raises(LoginRefused) as refused:
                svc.check_login(shop=shop_row(shop), login=login, password=password)
            assert refused.value.reason == "invalid"


def test_a_member_of_another_shop_cannot_log_in_here(app, shop, other_shop):
    with app.app_context():
        add_member(other_shop, CustomerStatus.OFFICIAL)
    with app.app_context():
        with pytest.raises(LoginRefused) as refused:
            svc.check_login(shop=shop_row(shop), login=EMAIL, password=PASSWORD)
        assert refused.value.reason == "invalid"


# --- Approval -------------------------------------------------------------------------


def staff_row(info):
    return db.session.get(StaffUser, info.id)


def test_approving_a_temporary_member_makes_them_official_and_emails_the_login_link(
    app, shop, owner
):
    with app.app_context():
        customer_id = add_member(shop, CustomerStatus.TEMPORARY).id
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        svc.approve(shop=shop_row(shop), customer=customer, actor=staff_row(owner))
        db.session.commit()
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert customer.status == CustomerStatus.OFFICIAL
        approved = db.session.scalars(
            select(CustomerEvent).where(CustomerEvent.type == "approved")
        ).one()
        assert (approved.actor, approved.staff_id) == ("staff", owner.id)
        assert approved.data == {"from": "temporary", "to": "official"}
        [mail] = outbox()
        assert (mail.kind, mail.to_address, mail.customer_id) == (
            "member_approved",
            EMAIL,
            customer_id,
        )
        assert external_url("storefront.login", shop=shop.slug) in mail.body_text
        assert event_types(customer_id) == ["approved", "email_sent"]
        assert svc.check_login(shop=shop_row(shop), login=EMAIL, password=PASSWORD)


@pytest.mark.parametrize("status", [CustomerStatus.TEMPORARY, CustomerStatus.OFFICIAL])
def test_cancelling_signs_the_member_out_and_emails_the_reason(app, shop, manager, status):
    with app.app_context():
        customer = add_member(shop, status)
        customer_id = customer.id
        open_session(customer), open_session(customer)
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        svc.cancel(
            shop=shop_row(shop),
            customer=customer,
            actor=staff_row(manager),
            reason="  Tài khoản giả mạo  ",
        )
        db.session.commit()
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert customer.status == CustomerStatus.CANCELLED
        assert open_sessions(customer_id) == []
        cancelled = customer.events[-1]
        assert (cancelled.type, cancelled.actor, cancelled.staff_id) == (
            "cancelled",
            "staff",
            manager.id,
        )
        assert cancelled.data == {
            "from": str(status),
            "to": "cancelled",
            "reason": "Tài khoản giả mạo",
        }
        [mail] = outbox()
        assert mail.kind == "member_cancelled"
        assert "Tài khoản giả mạo" in mail.body_text
        with pytest.raises(LoginRefused) as refused:
            svc.check_login(shop=shop_row(shop), login=EMAIL, password=PASSWORD)
        assert refused.value.reason == "cancelled"


def test_reinstating_a_cancelled_member_makes_them_official_again(app, shop, owner):
    with app.app_context():
        customer_id = add_member(shop, CustomerStatus.CANCELLED).id
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        svc.reinstate(shop=shop_row(shop), customer=customer, actor=staff_row(owner))
        db.session.commit()
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert customer.status == CustomerStatus.OFFICIAL
        assert event_types(customer_id) == ["reinstated", "email_sent"]
        assert customer.events[-1].staff_id == owner.id
        [mail] = outbox()
        assert mail.kind == "member_approved"
        assert external_url("storefront.login", shop=shop.slug) in mail.body_text


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (CustomerStatus.OFFICIAL, "approve"),
        (CustomerStatus.CANCELLED, "approve"),
        (CustomerStatus.GUEST, "approve"),
        (CustomerStatus.CANCELLED, "cancel"),
        (CustomerStatus.GUEST, "cancel"),
        (CustomerStatus.TEMPORARY, "reinstate"),
        (CustomerStatus.OFFICIAL, "reinstate"),
        (CustomerStatus.GUEST, "reinstate"),
    ],
)
def test_a_transition_the_status_does_not_allow_is_refused_with_nothing_written(
    app, shop, owner, status, action
):
    with app.app_context():
        if status == CustomerStatus.GUEST:
            customer = add_customer(shop, email=EMAIL)
            db.session.commit()
        else:
            customer = add_member(shop, status)
        customer_id = customer.id
        sessions = [open_session(customer)]
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        with pytest.raises(InvalidTransition):
            svc.change_status(
                shop=shop_row(shop), customer=customer, actor=staff_row(owner), action=action
            )
        db.session.commit()
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert customer.status == status
        assert open_sessions(customer_id) == sessions
        assert count(CustomerEvent) == 0
        assert count(OutboxMessage) == 0


def test_bulk_approval_counts_what_changed_and_what_was_skipped(app, shop, owner):
    with app.app_context():
        ids = [
            add_member(shop, status, email=f"m{i}@example.com", phone=None).id
            for i, status in enumerate(
                [
                    CustomerStatus.TEMPORARY,
                    CustomerStatus.TEMPORARY,
                    CustomerStatus.OFFICIAL,
                    CustomerStatus.CANCELLED,
                ]
            )
        ]
    with app.app_context():
        rows = db.session.scalars(select(Customer).where(Customer.id.in_(ids))).all()
        result = svc.bulk_change_status(
            shop=shop_row(shop), customers=rows, actor=staff_row(owner), action="approve"
        )
        db.session.commit()
        assert result == (2, 2)
        assert count(CustomerEvent, CustomerEvent.type == "approved") == 2
        assert len(outbox("member_approved")) == 2
        assert count(Customer, Customer.status == CustomerStatus.OFFICIAL) == 3
    with app.app_context():
        rows = db.session.scalars(select(Customer).where(Customer.id.in_(ids))).all()
        result = svc.bulk_change_status(
            shop=shop_row(shop),
            customers=rows,
            actor=staff_row(owner),
            action="cancel",
            reason="Dọn dẹp",
        )
        db.session.commit()
        assert result == (3, 1)
        assert count(Customer, Customer.status == CustomerStatus.CANCELLED) == 4


# --- Tokens ---------------------------------------------------------------------------


@pytest.fixture
def member_id(app, shop):
    with app.app_context():
        return add_member(shop, CustomerStatus.OFFICIAL).id


def token_for(customer_id, make):
    """A token as it is sent: a reset token's nonce is saved with it."""
    token = make(db.session.get(Customer, customer_id))
    db.session.commit()
    return token


def tampered(token):
    """The same token with one character of its signature changed. (Not the last one: in
    base64 its low bits may be padding, and changing them changes nothing.)"""
    i = len(token) - 5
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]


def made_at(monkeypatch, seconds_ago, make, customer_id):
    """A token signed ``seconds_ago`` in the past: itsdangerous stamps it with time.time()."""
    now = time.time()
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: now - seconds_ago)
        return token_for(customer_id, make)


def test_the_confirm_token_confirms_the_email_once(app, shop, member_id):
    with app.app_context():
        token = token_for(member_id, svc.make_confirm_token)
    for _ in range(2):
        with app.app_context():
            customer = svc.confirm_email(shop=shop_row(shop), token=token)
            assert customer.id == member_id
            db.session.commit()
    with app.app_context():
        assert db.session.get(Customer, member_id).email_verified_at is not None
        assert event_types(member_id) == ["email_confirmed"]


def test_a_confirm_token_is_refused_at_another_shop_or_tampered(app, shop, other_shop, member_id):
    with app.app_context():
        token = token_for(member_id, svc.make_confirm_token)
        for where, given in [
            (other_shop, token),
            (shop, tampered(token)),
            (shop, "nonsense"),
            (shop, ""),
        ]:
            with pytest.raises(BadToken):
                svc.confirm_email(shop=shop_row(where), token=given)
        assert db.session.get(Customer, member_id).email_verified_at is None


def test_a_confirm_token_for_the_old_email_is_refused_after_the_email_changed(app, shop, member_id):
    with app.app_context():
        old_token = token_for(member_id, svc.make_confirm_token)
        db.session.get(Customer, member_id).email = "moi@example.com"
        db.session.commit()
    with app.app_context():
        with pytest.raises(BadToken):
            svc.confirm_email(shop=shop_row(shop), token=old_token)
        new_token = token_for(member_id, svc.make_confirm_token)
        assert svc.confirm_email(shop=shop_row(shop), token=new_token).id == member_id


def test_a_confirm_token_for_a_purpose_is_not_a_reset_token(app, shop, member_id):
    with app.app_context():
        confirm = token_for(member_id, svc.make_confirm_token)
        reset = token_for(member_id, svc.make_reset_token)
        with pytest.raises(BadToken):
            svc.customer_for_reset(shop=shop_row(shop), token=confirm)
        with pytest.raises(BadToken):
            svc.confirm_email(shop=shop_row(shop), token=reset)


def test_a_reset_token_works_once(app, shop, member_id):
    with app.app_context():
        token = token_for(member_id, svc.make_reset_token)
        open_session(db.session.get(Customer, member_id))
    with app.app_context():
        assert svc.customer_for_reset(shop=shop_row(shop), token=token).id == member_id
        svc.reset_password(shop=shop_row(shop), token=token, password="mat khau moi 2025")
        db.session.commit()
    with app.app_context():
        customer = db.session.get(Customer, member_id)
        assert customer.check_password("mat khau moi 2025")
        assert open_sessions(member_id) == []
        assert event_types(member_id) == ["password_reset"]
        with pytest.raises(BadToken):
            svc.customer_for_reset(shop=shop_row(shop), token=token)
        with pytest.raises(BadToken):
            svc.reset_password(shop=shop_row(shop), token=token, password="lai mat khau 99")
        assert svc.check_login(shop=shop_row(shop), login=EMAIL, password="mat khau moi 2025")


def test_a_password_change_ends_every_session_of_the_member_but_the_one_kept(app, shop, member_id):
    with app.app_context():
        customer = db.session.get(Customer, member_id)
        here, phone, laptop = (open_session(customer) for _ in range(3))
        other = add_member(shop, CustomerStatus.OFFICIAL, "khac@example.com", "+84987654321")
        other_id, others = other.id, [open_session(other)]
    with app.app_context():
        svc.change_password(
            customer=db.session.get(Customer, member_id),
            current_password=PASSWORD,
            new_password="mat khau moi 2025",
            keep_session=here,
        )
        db.session.commit()
    with app.app_context():
        assert open_sessions(member_id) == [here]
        assert open_sessions(other_id) == others


def test_a_reset_token_is_refused_after_any_password_change(app, shop, member_id):
    with app.app_context():
        token = token_for(member_id, svc.make_reset_token)
        db.session.get(Customer, member_id).set_password("doi mat khau 77")
        db.session.commit()
    with app.app_context():
        with pytest.raises(BadToken):
            svc.customer_for_reset(shop=shop_row(shop), token=token)


def test_a_reset_token_lasts_one_hour(app, shop, member_id, monkeypatch):
    with app.app_context():
        fresh = made_at(monkeypatch, 59 * 60, svc.make_reset_token, member_id)
        assert svc.customer_for_reset(shop=shop_row(shop), token=fresh).id == member_id
        stale = made_at(monkeypatch, 60 * 60 + 5, svc.make_reset_token, member_id)
        with pytest.raises(BadToken):
            svc.customer_for_reset(shop=shop_row(shop), token=stale)
        with pytest.raises(BadToken):
            svc.reset_password(shop=shop_row(shop), token=stale, password="mat khau moi 2025")
        db.session.rollback()
        assert db.session.get(Customer, member_id).check_password(PASSWORD)


def test_a_confirm_token_lasts_a_week(app, shop, member_id, monkeypatch):
    with app.app_context():
        fresh = made_at(monkeypatch, 6 * 86400, svc.make_confirm_token, member_id)
        stale = made_at(monkeypatch, 7 * 86400 + 5, svc.make_confirm_token, member_id)
        with pytest.raises(BadToken):
            svc.confirm_email(shop=shop_row(shop), token=stale)
        assert svc.confirm_email(shop=shop_row(shop), token=fresh).id == member_id


def test_a_reset_token_is_refused_at_another_shop_or_tampered(app, shop, other_shop, member_id):
    with app.app_context():
        token = token_for(member_id, svc.make_reset_token)
        for where, given in [(other_shop, token), (shop, tampered(token)), (shop, "x.y.z")]:
            with pytest.raises(BadToken):
                svc.reset_password(shop=shop_row(where), token=given, password="mat khau moi 2025")
        db.session.rollback()
        assert db.session.get(Customer, member_id).check_password(PASSWORD)


def test_a_reset_with_too_short_a_password_changes_nothing(app, shop, member_id):
    with app.app_context():
        token = token_for(member_id, svc.make_reset_token)
        with pytest.raises(ServiceError) as refused:
            svc.reset_password(shop=shop_row(shop), token=token, password="ngan")
        db.session.rollback()
        assert refused.value.field == "password"
        # Still unused: the member can try again with a longer one.
        assert svc.customer_for_reset(shop=shop_row(shop), token=token).id == member_id


def test_a_reset_request_emails_a_working_link_to_a_member(app, shop, member_id):
    with app.app_context():
        svc.request_password_reset(shop=shop_row(shop), email=" AN.Nguyen@example.com")
        db.session.commit()
        [mail] = outbox()
        assert (mail.kind, mail.to_address, mail.customer_id) == (
            "member_password_reset",
            EMAIL,
            member_id,
        )
        assert event_types(member_id) == ["email_sent", "password_reset_requested"]
        token = token_of(sent_link("member_password_reset", "storefront.reset_password", shop.slug))
        assert svc.customer_for_reset(shop=shop_row(shop), token=token).id == member_id


@pytest.mark.parametrize("email", ["ai.do@example.com", "khong phai email", "", None])
def test_a_reset_request_for_an_unknown_email_queues_nothing(app, shop, member_id, email):
    with app.app_context():
        svc.request_password_reset(shop=shop_row(shop), email=email)
        db.session.commit()
        assert outbox() == []
        assert count(CustomerEvent) == 0


def test_a_reset_request_for_a_guest_queues_nothing(app, shop):
    with app.app_context():
        add_customer(shop, email="khach@example.com")
        db.session.commit()
        svc.request_password_reset(shop=shop_row(shop), email="khach@example.com")
        db.session.commit()
        assert outbox() == []


def test_a_reset_request_at_another_shop_queues_nothing(app, shop, other_shop, member_id):
    with app.app_context():
        svc.request_password_reset(shop=shop_row(other_shop), email=EMAIL)
        db.session.commit()
        assert outbox() == []


# --- Changing the email ---------------------------------------------------------------

OTHER_EMAIL = "binh.tran@example.com"


def change_email_with_other_work(shop, member_id, new_email):
    """The member's change of email in a transaction that already holds other work of the
    caller's: a new first name, a new phone (with its event) and a renamed shop. Returns
    the refusal, or None when the change went through."""
    customer = db.session.get(Customer, member_id)
    customer.first_name = "Bình"
    svc.add_member_phone(customer=customer, number="0987 654 321")
    shop_row(shop).name = "Tên mới"
    try:
        svc.change_email(
            shop=shop_row(shop), customer=customer, new_email=new_email, password=PASSWORD
        )
    except svc.DuplicateEmail as refused:
        # The refused change is undone on the object too, not only in the database.
        assert (customer.email, customer.first_name) == (EMAIL, "Bình")
        return refused
    return None


def the_other_work_was_kept(shop, member_id):
    customer = db.session.get(Customer, member_id)
    assert customer.email == EMAIL
    assert customer.first_name == "Bình"
    assert [phone.number for phone in customer.phones] == ["+84912345678", "+84987654321"]
    assert shop_row(shop).name == "Tên mới"
    assert event_types(member_id) == ["phone_added"]
    assert outbox() == []


@pytest.mark.parametrize("taken_meanwhile", [False, True])
def test_an_email_of_another_customer_refuses_only_the_change(
    app, shop, monkeypatch, taken_meanwhile
):
    # Given another member with that address, found by the check or (written by an import,
    # say, just after the check looked) refused by the database only
    with app.app_context():
        add_member(shop, CustomerStatus.OFFICIAL, email=OTHER_EMAIL, phone=None)
        member_id = add_member(shop, CustomerStatus.OFFICIAL).id
    if taken_meanwhile:
        monkeypatch.setattr(svc, "find_by_email", lambda shop, email: None)

    with app.app_context():
        refused = change_email_with_other_work(shop, member_id, "Binh.Tran@Example.com")
        assert refused is not None
        assert refused.field == "email"
        # In the shop's language, Vietnamese, whichever way it was found
        assert str(refused.message) == "Địa chỉ email này đã được dùng cho một tài khoản khác."
        db.session.commit()

    with app.app_context():
        the_other_work_was_kept(shop, member_id)
        assert count(Customer, Customer.email == OTHER_EMAIL) == 1


def test_a_changed_email_is_kept_with_the_callers_other_work(app, shop):
    with app.app_context():
        member_id = add_member(shop, CustomerStatus.OFFICIAL).id
    with app.app_context():
        assert change_email_with_other_work(shop, member_id, "Moi@Example.com") is None
        db.session.commit()
    with app.app_context():
        customer = db.session.get(Customer, member_id)
        assert (customer.email, customer.first_name) == ("moi@example.com", "Bình")
        assert shop_row(shop).name == "Tên mới"
        assert event_types(member_id) == [
            "phone_added",
            "email_changed",
            "email_sent",
            "email_sent",
        ]
        assert [(m.kind, m.to_address) for m in outbox()] == [
            ("member_confirm_email", "moi@example.com"),
            ("member_email_changed", EMAIL),
        ]


@pytest.mark.parametrize(
    ("status", "actions"),
    [
        (CustomerStatus.GUEST, set()),
        (CustomerStatus.TEMPORARY, {"approve", "cancel"}),
        (CustomerStatus.OFFICIAL, {"cancel"}),
        (CustomerStatus.CANCELLED, {"reinstate"}),
    ],
)
def test_a_customers_status_says_which_changes_it_allows(status, actions):
    customer = Customer(status=status)
    assert svc.allowed_actions(customer) == actions
