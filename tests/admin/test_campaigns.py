"""Emailing customers from the admin: written from a record, from the list's ticked rows or
whole filter, or for a segment; checked (who receives it, who is left out and why), previewed
on a real customer's data, tested on oneself, then sent as a job, or scheduled and cancelled.
Bad input gets a clear message and writes nothing; nobody reaches a customer or an email of
another shop, and a ``staff`` role reaches only the customers assigned to them."""

import re
from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, update

from core.extensions import db
from core.jobs import drain
from models import (
    CampaignStatus,
    Customer,
    CustomerEvent,
    CustomerEvents,
    CustomerStatus,
    EmailCampaign,
    Job,
    OutboxMessage,
    Shop,
    utcnow,
)
from services import campaigns as campaign_service
from services import segments as segment_service
from tests.factories import make_guest, make_member
from tests.mail import sent_message, text_of

SUBJECT = "Chào {{ first_name }}, áo dài mới về"
BODY = "Chào **{{ full_name }}**,\n\n{{ shop_name }} vừa có áo dài mới: {{ shop_url }}"


@pytest.fixture(autouse=True)
def english(client):
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def people(app, shop, other_shop):
    """The shop's customers, one per way of being left out, and one of another shop."""
    make = lambda **values: make_guest(app, shop, last_name="Hội Chợ", **values)  # noqa: E731
    return SimpleNamespace(
        lan=make(first_name="Lan", email="lan@example.com", accepts_marketing=True),
        hung=make(first_name="Hùng", email="hung@example.com", accepts_marketing=True),
        mai=make(first_name="Mai", email="mai@example.com"),
        tuan=make(first_name="Tuấn", accepts_marketing=True),
        hoa=make(
            first_name="Hoa",
            email="hoa@example.com",
            accepts_marketing=True,
            status=CustomerStatus.CANCELLED,
        ),
        other=make_guest(
            app, other_shop, first_name="Bình", email="binh@example.com", accepts_marketing=True
        ),
    )


@pytest.fixture
def as_owner(auth, owner):
    auth.login_staff(owner)
    return owner


def admin(shop, path=""):
    return f"/{shop.slug}/admin{path}"


def write(client, shop, kind="marketing", subject=SUBJECT, body=BODY, **audience):
    """Post the writing page with the audience's values; returns the response."""
    data = {"kind": kind, "subject": subject, "body": body, **audience}
    return client.post(admin(shop, "/emails/new"), data=data)


def campaign_of(response):
    assert response.status_code == 302, response.text
    match = re.search(r"/emails/campaigns/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(db.select(func.count()).select_from(model).where(*where))


def messages_of(app, campaign_id):
    with app.app_context():
        return db.session.scalars(
            db.select(OutboxMessage)
            .where(OutboxMessage.campaign_id == campaign_id)
            .order_by(OutboxMessage.id)
        ).all()


# --- Writing, checking, previewing, sending -------------------------------------------


def test_a_manager_writes_to_a_filter_previews_and_sends(app, client, shop, people, as_owner):
    # The bulk bar posts the filter: the writing page says how many it is for
    page = client.post(admin(shop, "/emails/new"), data={"scope": "filter", "q": "hoi cho"})
    assert page.status_code == 200
    assert "5 customers matching the filter" in page.text
    assert "Search: hoi cho" in page.text

    # Written, it is a draft whose page says who receives it and why the others do not
    campaign_id = campaign_of(write(client, shop, scope="filter", q="hoi cho"))
    review = client.get(admin(shop, f"/emails/campaigns/{campaign_id}")).text
    assert re.search(r'tally-receive">2<', review)
    assert "3 customers are left out" in review
    for reason in ("no email address", "do not accept marketing emails", "account cancelled"):
        assert f"1 — {reason}" in review
    # The preview is written with the first receiver's own data
    assert "Chào Lan, áo dài mới về" in review
    preview = client.get(admin(shop, f"/emails/campaigns/{campaign_id}/preview"))
    assert "<strong>Hội Chợ Lan</strong>" in preview.text
    assert "sandbox" in preview.headers["Content-Security-Policy"]
    other = client.get(
        admin(shop, f"/emails/campaigns/{campaign_id}"), query_string={"customer": people.hung}
    )
    assert "Chào Hùng, áo dài mới về" in other.text
    # Another shop's customer is never the preview's
    for stranger in (people.other, "9" * 30, "abc"):
        page = client.get(
            admin(shop, f"/emails/campaigns/{campaign_id}/preview"),
            query_string={"customer": stranger},
        )
        assert "Bình" not in page.text
        assert "Hội Chợ Lan" in page.text
    assert count(app, OutboxMessage) == 0

    # Sent: a job writes one message each, with their own names, and a line on each timeline
    sent = client.post(admin(shop, f"/emails/campaigns/{campaign_id}/send"), follow_redirects=True)
    assert "The email is being sent to 2 customers." in sent.text
    drain(app)
    messages = messages_of(app, campaign_id)
    assert sorted(m.customer_id for m in messages) == sorted([people.lan, people.hung])
    with app.app_context():
        subjects = {m.to_address: sent_message(m.id)["Subject"] for m in messages}
        lan_text = text_of(sent_message(messages[0].id))
        campaign = db.session.get(EmailCampaign, campaign_id)
        assert campaign.status == CampaignStatus.SENT
        assert campaign.counts == {"sent": 2, "no_email": 1, "cancelled": 1, "no_consent": 1}
        lines = db.session.scalars(
            db.select(CustomerEvent.customer_id).where(
                CustomerEvent.type == CustomerEvents.CAMPAIGN_SENT
            )
        ).all()
    assert subjects == {
        "lan@example.com": "Chào Lan, áo dài mới về",
        "hung@example.com": "Chào Hùng, áo dài mới về",
    }
    assert "Chào **Hội Chợ Lan**," in lan_text
    assert "Thời Trang Mai vừa có áo dài mới: http://shop.test/thoi-trang-mai/" in lan_text
    assert sorted(lines) == sorted([people.lan, people.hung])

    # The list shows it with what its messages did
    listing = client.get(admin(shop, "/emails")).text
    assert "Chào {{ first_name }}, áo dài mới về" in listing
    assert re.search(r'campaign-sent[^"]*">2<', listing)
    assert re.search(r'campaign-failed[^"]*">0<', listing)
    # And a record's timeline says it
    record = client.get(admin(shop, f"/customers/{people.lan}")).text
    assert "Marketing email sent: “Chào Lan, áo dài mới về”" in record


def test_a_service_email_goes_to_everyone_with_an_address_and_no_unsubscribe_link(
    app, client, shop, people, as_owner
):
    campaign_id = campaign_of(write(client, shop, kind="service", scope="filter", q="hoi cho"))
    review = client.get(admin(shop, f"/emails/campaigns/{campaign_id}")).text
    assert re.search(r'tally-receive">3<', review)
    assert "1 — no email address" in review
    assert "1 — account cancelled" in review
    client.post(admin(shop, f"/emails/campaigns/{campaign_id}/send"))
    drain(app)
    messages = messages_of(app, campaign_id)
    assert len(messages) == 3
    with app.app_context():
        sent = sent_message(messages[0].id)
    assert "List-Unsubscribe" not in sent
    assert "unsubscribe" not in text_of(sent).lower()


def test_ticked_rows_of_another_shop_are_neither_counted_nor_written_to(
    app, client, shop, people, as_owner
):
    ticked = {"customer_ids": [people.other, people.lan, "abc", "9" * 30]}
    page = client.post(admin(shop, "/emails/new"), data=ticked)
    assert "1 customer you ticked" in page.text
    campaign_id = campaign_of(write(client, shop, **ticked))
    with app.app_context():
        assert db.session.get(EmailCampaign, campaign_id).customer_ids == [people.lan]
    client.post(admin(shop, f"/emails/campaigns/{campaign_id}/send"))
    drain(app)
    assert [m.to_address for m in messages_of(app, campaign_id)] == ["lan@example.com"]
    assert count(app, OutboxMessage, OutboxMessage.to_address == "binh@example.com") == 0


def test_ticking_only_another_shops_customers_writes_nothing(app, client, shop, people, as_owner):
    response = write(client, shop, customer_ids=[people.other], next=admin(shop, "/customers"))
    assert response.status_code == 302
    assert response.headers["Location"] == admin(shop, "/customers")
    assert "Tick at least one customer first." in client.get(admin(shop, "/customers")).text
    assert count(app, EmailCampaign) == 0


def test_a_segment_is_written_to_and_an_empty_one_is_refused(
    app, client, shop, other_shop, people, as_owner, owner
):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        vip = segment_service.save_segment(
            shop=shop_row, name="Nhận tin", query="accepts_marketing=yes", staff=None
        )
        empty = segment_service.save_segment(
            shop=shop_row, name="Không ai", query="q=khong+co+ai", staff=None
        )
        other = segment_service.save_segment(
            shop=db.session.get(Shop, other_shop.id), name="Của Bình", query="q=b", staff=None
        )
        db.session.commit()
        vip_id, empty_id, other_id = vip.id, empty.id, other.id

    page = client.get(admin(shop, "/emails/new"), query_string={"segment": vip_id})
    assert "4 customers of the segment “Nhận tin”" in page.text
    campaign_id = campaign_of(write(client, shop, segment=vip_id))
    with app.app_context():
        campaign = db.session.get(EmailCampaign, campaign_id)
        assert (campaign.audience, campaign.segment_name) == ("segment", "Nhận tin")
        assert campaign.query == "accepts_marketing=yes"

    refused = client.get(admin(shop, "/emails/new"), query_string={"segment": empty_id})
    assert refused.status_code == 302
    assert "The segment “Không ai” has no customers today." in client.get(admin(shop, "/")).text
    assert write(client, shop, segment=empty_id).status_code == 302
    assert client.get(admin(shop, f"/emails/new?segment={other_id}")).status_code == 404
    assert count(app, EmailCampaign) == 1


def test_a_filter_nobody_matches_is_refused(app, client, shop, people, as_owner):
    response = write(client, shop, scope="filter", q="khong co ai")
    assert response.status_code == 302
    assert "No customer matches this filter." in client.get(admin(shop, "/")).text
    assert count(app, EmailCampaign) == 0


BAD = [
    ({"subject": ""}, "Write a subject."),
    ({"subject": "   "}, "Write a subject."),
    ({"body": ""}, "Write the email."),
    ({"body": "\n \n"}, "Write the email."),
    ({"subject": "Chào {{ ten }}"}, "{{ ten }} is not a placeholder we know."),
    ({"body": "{% for x in range(9) %}x{% endfor %}"}, "no {% … %}"),
    ({"body": "{{ first_name.__class__ }}"}, "Only the placeholders listed can be used"),
    ({"body": "{{ first_name|upper }}"}, "Only the placeholders listed can be used"),
    ({"body": "Chào {{ first_name"}, "cannot be read as a template (line 1)"),
    ({"kind": "spam"}, "Choose what kind of email this is."),
    ({"subject": "x" * 201}, "Please use at most 200 characters."),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_input_gets_a_clear_message_and_writes_nothing(
    app, client, shop, people, as_owner, change, message
):
    response = write(client, shop, **{"customer_ids": [people.lan], **change})
    assert response.status_code == 400
    assert message in response.text
    assert count(app, EmailCampaign) == 0
    # The same from a customer's record
    data = {"kind": "marketing", "subject": SUBJECT, "body": BODY, **change}
    response = client.post(admin(shop, f"/customers/{people.lan}/email"), data=data)
    assert response.status_code == 400
    assert message in response.text
    assert count(app, EmailCampaign) == 0


def test_nobody_to_receive_it_is_said_and_nothing_is_sent(app, client, shop, people, as_owner):
    # Mai does not accept marketing emails: written from her record, it reaches nobody
    response = client.post(
        admin(shop, f"/customers/{people.mai}/email"),
        data={"kind": "marketing", "subject": SUBJECT, "body": BODY},
    )
    campaign_id = campaign_of(response)
    review = client.get(admin(shop, f"/emails/campaigns/{campaign_id}")).text
    assert re.search(r'tally-receive">0<', review)
    assert "1 — do not accept marketing emails" in review
    refused = client.post(
        admin(shop, f"/emails/campaigns/{campaign_id}/send"), follow_redirects=True
    )
    assert "Nobody would receive this email" in refused.text
    assert count(app, Job) == 0
    assert count(app, OutboxMessage) == 0
    with app.app_context():
        assert db.session.get(EmailCampaign, campaign_id).status == CampaignStatus.DRAFT


def test_a_customer_without_an_email_is_offered_no_email_and_is_left_out(
    app, client, shop, people, as_owner
):
    record = client.get(admin(shop, f"/customers/{people.tuan}")).text
    assert "customer-write-email" not in record
    assert "customer-write-email" in client.get(admin(shop, f"/customers/{people.lan}")).text
    response = client.post(
        admin(shop, f"/customers/{people.tuan}/email"),
        data={"kind": "service", "subject": "Đơn hàng", "body": "Chào {{ first_name }}"},
    )
    review = client.get(response.headers["Location"]).text
    assert "(no email address)" in review
    assert "1 — no email address" in review


def test_send_me_a_test_goes_to_the_staff_member_only(app, client, shop, people, as_owner, owner):
    campaign_id = campaign_of(write(client, shop, customer_ids=[people.lan, people.hung]))
    done = client.post(
        admin(shop, f"/emails/campaigns/{campaign_id}/test"),
        data={"customer": people.hung},
        follow_redirects=True,
    )
    assert f"A test was sent to {owner.email}." in done.text
    with app.app_context():
        test = db.session.scalars(db.select(OutboxMessage)).one()
        assert (test.to_address, test.customer_id, test.campaign_id) == (owner.email, None, None)
        assert test.subject == "[Thử] Chào Hùng, áo dài mới về"
        drain(app)
        sent = sent_message(test.id)
        assert "/thoi-trang-mai/unsubscribe/test" in text_of(sent)
        assert db.session.get(EmailCampaign, campaign_id).status == CampaignStatus.DRAFT
    assert count(app, CustomerEvent, CustomerEvent.type == CustomerEvents.CAMPAIGN_SENT) == 0


def test_a_draft_is_changed_and_deleted_until_it_is_sent(app, client, shop, people, as_owner):
    campaign_id = campaign_of(write(client, shop, customer_ids=[people.lan]))
    path = admin(shop, f"/emails/campaigns/{campaign_id}")
    assert SUBJECT in client.get(path + "/edit").text
    client.post(path + "/edit", data={"kind": "service", "subject": "Mới", "body": "Nội dung"})
    with app.app_context():
        campaign = db.session.get(EmailCampaign, campaign_id)
        assert (campaign.kind, campaign.subject, campaign.body) == ("service", "Mới", "Nội dung")
    bad = client.post(path + "/edit", data={"kind": "service", "subject": "", "body": "x"})
    assert bad.status_code == 400
    assert "Write a subject." in bad.text

    client.post(path + "/send")
    # Sent: it cannot change nor go away, and a second send changes nothing
    assert client.get(path + "/edit").status_code == 302
    client.post(path + "/edit", data={"kind": "marketing", "subject": "Khác", "body": "x"})
    again = client.post(path + "/send", follow_redirects=True)
    assert "already been sent" in again.text
    client.post(path + "/delete")
    drain(app)
    with app.app_context():
        assert db.session.get(EmailCampaign, campaign_id).subject == "Mới"
    assert len(messages_of(app, campaign_id)) == 1

    draft_id = campaign_of(write(client, shop, customer_ids=[people.lan]))
    client.post(admin(shop, f"/emails/campaigns/{draft_id}/delete"))
    assert count(app, EmailCampaign, EmailCampaign.id == draft_id) == 0
    # Its old address is not found
    assert client.get(admin(shop, f"/emails/campaigns/{draft_id}")).status_code == 404


# --- Later: scheduled, and cancelled until then ---------------------------------------


def local(moment):
    return moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%dT%H:%M")


def test_a_scheduled_email_is_sent_when_its_time_comes(app, client, shop, people, as_owner):
    campaign_id = campaign_of(write(client, shop, scope="filter", q="hoi cho"))
    path = admin(shop, f"/emails/campaigns/{campaign_id}")
    when = utcnow() + timedelta(hours=3)
    done = client.post(path + "/schedule", data={"send_at": local(when)}, follow_redirects=True)
    assert "The email will be sent on" in done.text
    assert "Will be sent on" in done.text
    with app.app_context():
        assert campaign_service.send_due() == 0
    assert count(app, Job) == 0
    # The time comes
    with app.app_context():
        db.session.execute(
            update(EmailCampaign).values(scheduled_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
        assert campaign_service.send_due() == 1
        assert campaign_service.send_due() == 0
    drain(app)
    assert len(messages_of(app, campaign_id)) == 2
    assert "Sent" in client.get(path).text
    late = client.post(path + "/cancel", follow_redirects=True)
    assert "Too late to cancel" in late.text


def test_a_scheduled_email_is_cancelled_until_its_time(app, client, shop, people, as_owner):
    campaign_id = campaign_of(write(client, shop, customer_ids=[people.lan]))
    path = admin(shop, f"/emails/campaigns/{campaign_id}")
    client.post(path + "/schedule", data={"send_at": local(utcnow() + timedelta(days=1))})
    cancelled = client.post(path + "/cancel", follow_redirects=True)
    assert "The schedule is cancelled: nothing was sent." in cancelled.text
    with app.app_context():
        campaign = db.session.get(EmailCampaign, campaign_id)
        assert (campaign.status, campaign.scheduled_at) == (CampaignStatus.DRAFT, None)
        db.session.execute(update(EmailCampaign).values(scheduled_at=utcnow()))
        db.session.commit()
        assert campaign_service.send_due() == 0
    assert count(app, OutboxMessage) == 0


@pytest.mark.parametrize(
    ("send_at", "message"),
    [
        ("", "Enter a date and a time"),
        ("ngày mai", "Enter a date and a time"),
        ("2026-13-45T25:61", "Enter a date and a time"),
        ("2001-01-01T09:00", "Choose a time in the future."),
        ("2999-01-01T09:00", "Choose a time within the next year."),
    ],
)
def test_a_bad_time_is_refused(app, client, shop, people, as_owner, send_at, message):
    campaign_id = campaign_of(write(client, shop, customer_ids=[people.lan]))
    path = admin(shop, f"/emails/campaigns/{campaign_id}")
    done = client.post(path + "/schedule", data={"send_at": send_at}, follow_redirects=True)
    assert message in done.text
    with app.app_context():
        assert db.session.get(EmailCampaign, campaign_id).status == CampaignStatus.DRAFT


# --- Who may --------------------------------------------------------------------------

CAMPAIGN_PATHS = ["", "/preview", "/edit"]
CAMPAIGN_POSTS = ["/test", "/send", "/schedule", "/cancel", "/delete", "/edit"]


def a_campaign(app, shop, customer_id, staff_id=None, assigned_to=None):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = db.session.get(Customer, customer_id)
        campaign = campaign_service.create_campaign(
            shop=shop_row,
            staff=SimpleNamespace(id=staff_id) if staff_id else None,
            recipients=campaign_service.for_customer(customer),
            kind="marketing",
            subject="Bí mật của cửa hàng",
            body="Nội dung riêng",
            assigned_to=assigned_to,
        )
        db.session.commit()
        return campaign.id


def untouched(app, campaign_id):
    with app.app_context():
        campaign = db.session.get(EmailCampaign, campaign_id)
        assert campaign is not None
        assert (campaign.status, campaign.subject) == (CampaignStatus.DRAFT, "Bí mật của cửa hàng")
    assert count(app, OutboxMessage) == 0


def test_a_logged_out_visitor_is_sent_to_the_login(app, client, shop, people):
    campaign_id = a_campaign(app, shop, people.lan)
    base = admin(shop, f"/emails/campaigns/{campaign_id}")
    gets = [admin(shop, "/emails"), admin(shop, "/emails/new"), admin(shop, "/customers/1/email")]
    for path in gets + [base + p for p in CAMPAIGN_PATHS]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/admin/login" in response.headers["Location"], path
    for path in [base + p for p in CAMPAIGN_POSTS] + [admin(shop, "/emails/new")]:
        assert client.post(path, data={"send_at": "2030-01-01T09:00"}).status_code == 302, path
    untouched(app, campaign_id)


def test_another_shops_owner_reaches_nothing(
    app, client, auth, shop, other_shop, other_owner, people
):
    campaign_id = a_campaign(app, shop, people.lan)
    auth.login_staff(other_owner)
    # Through their own shop's address: another shop's ids are not found
    base = admin(other_shop, f"/emails/campaigns/{campaign_id}")
    for path in [base + p for p in CAMPAIGN_PATHS]:
        assert client.get(path).status_code == 404, path
    for path in [base + p for p in CAMPAIGN_POSTS]:
        assert client.post(path).status_code == 404, path
    assert client.get(admin(other_shop, f"/customers/{people.lan}/email")).status_code == 404
    assert "Bí mật của cửa hàng" not in client.get(admin(other_shop, "/emails")).text
    # Through the shop's own address: they are nobody there
    for path in ("/emails", f"/emails/campaigns/{campaign_id}", f"/customers/{people.lan}/email"):
        assert client.get(admin(shop, path)).status_code == 404, path
    untouched(app, campaign_id)


def test_a_staff_role_writes_only_to_the_customers_assigned_to_them(
    app, client, auth, shop, people, staff_member, manager
):
    with app.app_context():
        db.session.execute(
            update(Customer)
            .where(Customer.id == people.lan)
            .values(assigned_staff_id=staff_member.id)
        )
        db.session.commit()
    managers_campaign = a_campaign(app, shop, people.hung, staff_id=manager.id)
    auth.login_staff(staff_member)

    # Many customers at once is for managers
    assert client.get(admin(shop, "/emails/new")).status_code == 403
    assert write(client, shop, customer_ids=[people.lan]).status_code == 403
    assert write(client, shop, scope="filter").status_code == 403
    # A customer not assigned to them is not found
    assert client.get(admin(shop, f"/customers/{people.hung}/email")).status_code == 404
    # Nor is a manager's email
    for path in CAMPAIGN_PATHS:
        path = admin(shop, f"/emails/campaigns/{managers_campaign}{path}")
        assert client.get(path).status_code == 404, path
    for path in CAMPAIGN_POSTS:
        path = admin(shop, f"/emails/campaigns/{managers_campaign}{path}")
        assert client.post(path).status_code == 404, path
    untouched(app, managers_campaign)

    # Their own customer: written, previewed, sent
    response = client.post(
        admin(shop, f"/customers/{people.lan}/email"),
        data={"kind": "marketing", "subject": SUBJECT, "body": BODY},
    )
    campaign_id = campaign_of(response)
    listing = client.get(admin(shop, "/emails")).text
    assert SUBJECT in listing
    assert "Bí mật của cửa hàng" not in listing
    assert "Chào Lan" in client.get(admin(shop, f"/emails/campaigns/{campaign_id}")).text
    with app.app_context():
        assert db.session.get(EmailCampaign, campaign_id).assigned_to == staff_member.id
        # Before it goes, the customer is given to someone else: it reaches nobody
        db.session.execute(
            update(Customer).where(Customer.id == people.lan).values(assigned_staff_id=None)
        )
        db.session.commit()
    refused = client.post(
        admin(shop, f"/emails/campaigns/{campaign_id}/send"), follow_redirects=True
    )
    assert "Nobody would receive this email" in refused.text
    assert count(app, OutboxMessage) == 0


def test_a_member_session_opens_nothing_in_the_admin(app, client, shop, people):
    member = make_member(app, shop, "thanh.vien@example.com")
    client.post(
        f"/{shop.slug}/account/login", data={"login": member.email, "password": member.password}
    )
    campaign_id = a_campaign(app, shop, people.lan)
    for path in ("/emails", f"/emails/campaigns/{campaign_id}", "/emails/new"):
        response = client.get(admin(shop, path))
        assert response.status_code in (302, 404), path
        assert "Bí mật" not in response.text
    untouched(app, campaign_id)
