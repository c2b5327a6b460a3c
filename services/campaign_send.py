"""A campaign's messages: one per customer, in their own words (the placeholders filled in with
their name), through the outbox, and a line on their timeline; the same message as a preview
on a real customer's data, and as a test to the staff member writing it.

The send is a job that takes the customers in batches, in id order, each batch committed
with the id it reached and the counts so far: a worker that dies mid-send leaves whole
batches, and the job picked up again goes on after the last one. A customer who already has
this campaign's message (a batch written twice by a crash at the wrong time) is not written
to again."""

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.jobs import job_handler
from core.outbox import SecretLinks, queue_mail, render_mail, reveal
from core.tenancy import for_shop
from core.urls import external_url
from models import (
    CampaignKind,
    CampaignStatus,
    Customer,
    EmailCampaign,
    OutboxMessage,
    Shop,
    utcnow,
)
from services import events, mail_templates
from services.campaigns import JOB_KIND, REASONS, audience_query, left_out_reason
from services.unsubscribe import unsubscribe_url

BATCH = 200
MESSAGE_KIND = "campaign"
TEST_KIND = "campaign_test"
# The unsubscribe link of a preview and of a test: its page says it is one (a staff member
# clicking it must not unsubscribe the customer whose data the preview borrowed).
TEST_TOKEN = "test"  # noqa: S105 (a name, not a secret)


@dataclass(frozen=True)
class Email:
    """A campaign's message as one customer gets it."""

    subject: str
    text: str
    html: str
    links: SecretLinks
    headers: dict | None


def compose(shop, campaign, customer, *, unsubscribe=None):
    """The campaign's message to ``customer``: a marketing email carries an unsubscribe link
    (``unsubscribe``, the customer's own by default) in its footer and its headers, so that
    mail apps show their own one-click button."""
    rendered = mail_templates.render_message(
        subject=campaign.subject, body=campaign.body, customer=customer, shop=shop
    )
    marketing = campaign.kind == CampaignKind.MARKETING
    if marketing and unsubscribe is None:
        unsubscribe = unsubscribe_url(shop, customer)
    links = SecretLinks()
    text, html = render_mail(
        "campaign",
        locale=shop.locale,
        secret_links=links,
        shop=shop,
        content_text=rendered.text,
        content_html=rendered.html,
        unsubscribe_url=unsubscribe if marketing else None,
    )
    headers = None
    if marketing:
        headers = {
            "List-Unsubscribe": f"<{links.add(unsubscribe, 'unsubscribe')}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return Email(rendered.subject, text, html, links, headers)


def test_unsubscribe_url(shop):
    return external_url("storefront.unsubscribe", shop=shop.slug, token=TEST_TOKEN)


def preview(shop, campaign, customer):
    """The message as ``customer`` would get it, its unsubscribe link a harmless one."""
    return compose(shop, campaign, customer, unsubscribe=test_unsubscribe_url(shop))


def send_test(*, shop, campaign, customer, staff):
    """The message on ``customer``'s data, to the staff member: marked as a test in its
    subject, on nobody's timeline, counted in no campaign."""
    email = preview(shop, campaign, customer)
    with force_locale(shop.locale):
        subject = str(_l("[Test] %(subject)s", subject=email.subject))
    return queue_mail(
        shop=shop,
        to=staff.email,
        to_name=staff.display_name,
        subject=subject,
        # Nothing in a test is secret: its links are written out.
        text=reveal(email.text, email.links.urls, html=False),
        html=reveal(email.html, email.links.urls, html=True),
        kind=TEST_KIND,
        headers={
            name: reveal(value, email.links.urls, html=False)
            for name, value in (email.headers or {}).items()
        },
    )


def queue_for(shop, campaign, customer):
    email = compose(shop, campaign, customer)
    queue_mail(
        shop=shop,
        to=customer.email,
        to_name=customer.full_name,
        subject=email.subject,
        text=email.text,
        html=email.html,
        customer_id=customer.id,
        kind=MESSAGE_KIND,
        secret_links=email.links,
        headers=email.headers,
        campaign_id=campaign.id,
    )
    events.campaign_sent(
        customer=customer, campaign=campaign, subject=email.subject, staff=campaign.created_by
    )


def _already_written(campaign, ids):
    return set(
        db.session.scalars(
            db.select(OutboxMessage.customer_id).where(
                OutboxMessage.campaign_id == campaign.id, OutboxMessage.customer_id.in_(ids)
            )
        )
    )


def send_batch(shop, campaign, customers, counts):
    """Write the message of each customer of the batch who gets one; count the others."""
    already = _already_written(campaign, [customer.id for customer in customers])
    for customer in customers:
        if customer.id in already:
            continue
        reason = left_out_reason(campaign, customer)
        if reason is None:
            queue_for(shop, campaign, customer)
            counts["sent"] += 1
        else:
            counts[reason] += 1


@job_handler(JOB_KIND)
def send_campaign(job, checkpoint):
    shop = db.session.get(Shop, job.shop_id)
    campaign = db.session.scalars(
        for_shop(EmailCampaign, shop).where(EmailCampaign.id == job.params["campaign_id"])
    ).one()
    counts = {"sent": 0, **dict.fromkeys(REASONS, 0), **(campaign.counts or {})}
    done = job.progress_done
    query = audience_query(shop, campaign)
    while True:
        after = campaign.done_up_to or 0
        customers = db.session.scalars(
            query.where(Customer.id > after).order_by(Customer.id).limit(BATCH)
        ).all()
        if not customers:
            break
        send_batch(shop, campaign, customers, counts)
        campaign.counts = dict(counts)
        campaign.done_up_to = customers[-1].id
        done += len(customers)
        checkpoint(done, max(done, job.progress_total or 0))
    campaign.status = CampaignStatus.SENT
    campaign.finished_at = utcnow()
    return dict(counts)
