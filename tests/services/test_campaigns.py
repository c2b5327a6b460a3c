"""The send of an email to many customers, as a job: in batches, each committed with how far it
got, so that a worker dying mid-send leaves whole batches and the job picked up again writes
to nobody twice; and the confirmation's counts, which are the send's own rules."""

from itertools import product

import pytest
from sqlalchemy import func, select

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
)
from services import campaign_send
from services import campaigns as campaign_service
from services.customer_list import CustomerFilter
from tests.factories import make_guest


@pytest.fixture
def crowd(app, shop):
    """Every mix of address, status and consent, twice: {id: (email?, status, accepts)}."""
    people = {}
    statuses = (CustomerStatus.GUEST, CustomerStatus.OFFICIAL, CustomerStatus.CANCELLED)
    combos = list(product((True, False), statuses, (True, False))) * 2
    for n, (has_email, status, accepts) in enumerate(combos):
        customer_id = make_guest(
            app,
            shop,
            first_name=f"Khách {n:02d}",
            email=f"khach{n:02d}@example.com" if has_email else None,
            status=status,
            accepts_marketing=accepts,
        )
        people[customer_id] = (has_email, status, accepts)
    return people


def campaign_for_all(app, shop, kind):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        campaign = campaign_service.create_campaign(
            shop=shop_row,
            staff=None,
            recipients=campaign_service.for_filter(shop=shop_row, customer_filter=CustomerFilter()),
            kind=kind,
            subject="Chào {{ first_name }}",
            body="Nội dung",
        )
        db.session.commit()
        return campaign.id


@pytest.mark.parametrize("kind", ["marketing", "service"])
def test_the_confirmation_counts_as_the_send_sends(app, shop, crowd, kind):
    campaign_id = campaign_for_all(app, shop, kind)
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        campaign = db.session.get(EmailCampaign, campaign_id)
        counted = campaign_service.tally(shop_row, campaign)
        expected = {"no_email": 0, "cancelled": 0, "no_consent": 0}
        for customer_id in crowd:
            reason = campaign_service.left_out_reason(
                campaign, db.session.get(Customer, customer_id)
            )
            if reason:
                expected[reason] += 1
        # Without an address: 12; cancelled with one: 4; and for marketing, not accepting: 4
        assert counted.left_out == expected
        assert expected == {
            "no_email": 12,
            "cancelled": 4,
            "no_consent": 4 if kind == "marketing" else 0,
        }
        assert counted.total == len(crowd) == 24
        assert counted.receive == (4 if kind == "marketing" else 8)
        campaign_service.send_now(shop=shop_row, campaign=campaign)
        db.session.commit()
    drain(app)
    with app.app_context():
        campaign = db.session.get(EmailCampaign, campaign_id)
        assert campaign.status == CampaignStatus.SENT
        assert campaign.counts == {"sent": counted.receive, **expected}
        assert db.session.get(Job, campaign.job_id).progress_done == 24


class Killed(Exception):
    """The worker dies here (as if its process were killed)."""


def test_a_send_picked_up_again_after_a_crash_writes_to_nobody_twice(app, shop, crowd, monkeypatch):
    monkeypatch.setattr(campaign_send, "BATCH", 3)
    campaign_id = campaign_for_all(app, shop, "service")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        campaign = db.session.get(EmailCampaign, campaign_id)
        campaign_service.send_now(shop=shop_row, campaign=campaign)
        db.session.commit()
        job = db.session.get(Job, campaign.job_id)
        batches = []

        def dies_after_two(done, total=None):
            job.progress_done = done
            db.session.commit()
            batches.append(done)
            if len(batches) == 2:
                raise Killed

        with pytest.raises(Killed):
            campaign_send.send_campaign(job, dies_after_two)
        written = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        assert batches == [3, 6]
        assert written == sum(
            1
            for customer_id in sorted(crowd)[:6]
            if crowd[customer_id][0] and crowd[customer_id][1] != CustomerStatus.CANCELLED
        )

        # A batch written but not marked done (the crash came between the two)
        db.session.expire_all()
        campaign = db.session.get(EmailCampaign, campaign_id)
        campaign.done_up_to = sorted(crowd)[2]
        campaign.counts = None
        db.session.commit()

        # Picked up again, it goes on to the end
        campaign_send.send_campaign(job, lambda done, total=None: db.session.commit())
        db.session.commit()
        rows = db.session.execute(
            select(OutboxMessage.customer_id, func.count()).group_by(OutboxMessage.customer_id)
        ).all()
        assert all(number == 1 for _, number in rows)
        assert len(rows) == 8
        lines = db.session.scalar(
            select(func.count())
            .select_from(CustomerEvent)
            .where(CustomerEvent.type == CustomerEvents.CAMPAIGN_SENT)
        )
        assert lines == 8
        assert db.session.get(EmailCampaign, campaign_id).status == CampaignStatus.SENT


def test_consent_withdrawn_after_writing_counts_when_sending(app, shop):
    lan = make_guest(app, shop, first_name="Lan", email="lan@example.com", accepts_marketing=True)
    hung = make_guest(
        app, shop, first_name="Hùng", email="hung@example.com", accepts_marketing=True
    )
    campaign_id = campaign_for_all(app, shop, "marketing")
    with app.app_context():
        db.session.get(Customer, hung).accepts_marketing = False
        shop_row = db.session.get(Shop, shop.id)
        campaign = db.session.get(EmailCampaign, campaign_id)
        campaign_service.send_now(shop=shop_row, campaign=campaign)
        db.session.commit()
    drain(app)
    with app.app_context():
        sent = db.session.scalars(select(OutboxMessage.customer_id)).all()
        assert sent == [lan]
        assert db.session.get(EmailCampaign, campaign_id).counts["no_consent"] == 1
