"""The shop's emails to its customers, from the choice of who gets one to the send: written as
a draft, checked (who will receive it and who is left out, and why), then sent at once or at
a time chosen, by a job (``services.campaign_send``).

Who a campaign is for is read again when it is sent, so that consent withdrawn in the
meantime counts. A customer is left out when they have no email address, when their account
is cancelled, or, for a marketing email, when they do not accept marketing. Ids of another
shop's customers never name anyone: every read goes through the shop."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, update
from werkzeug.datastructures import MultiDict

from core.extensions import db
from core.i18n import register_status_labels
from core.inputs import multi_line, one_line
from core.jobs import periodic, start_job
from core.tenancy import for_shop
from models import (
    Audience,
    CampaignKind,
    CampaignStatus,
    Customer,
    CustomerStatus,
    EmailCampaign,
    JobStatus,
    MailStatus,
    OutboxMessage,
    Shop,
    utcnow,
)
from services import ServiceError, mail_templates
from services.customer_list import CustomerFilter, customers_query, read_filter
from services.segments import segment_filter

JOB_KIND = "campaigns.send"
MAX_SUBJECT = 200
MAX_BODY = 20_000
# At most this many ticked customers in one email, as for the list's other bulk actions; a
# filter or a segment has no limit (the job sends it in batches).
MAX_TICKED = 5000
# How far ahead an email can be scheduled.
MAX_SCHEDULE_AHEAD = timedelta(days=365)
# Why a customer of the audience is left out, in the order they are counted (one reason each).
REASONS = ("no_email", "cancelled", "no_consent")


STATUS_LABELS = register_status_labels(
    "campaign",
    {
        CampaignStatus.DRAFT: _l("Draft"),
        CampaignStatus.SCHEDULED: _l("Scheduled"),
        CampaignStatus.SENDING: _l("Sending"),
        CampaignStatus.SENT: _l("Sent"),
        CampaignStatus.STOPPED: _l("Stopped"),
    },
)


class NobodyToEmail(ServiceError):
    pass


# --- Who it is for --------------------------------------------------------------------


@dataclass(frozen=True)
class Recipients:
    """Who an email is for, as chosen: ids (a record, or the ticked rows) or a filter's query
    string (the list's filter, or a segment's, named)."""

    audience: str
    customer_ids: tuple = ()
    query: str | None = None
    segment_name: str | None = None


def for_customer(customer):
    return Recipients(Audience.CUSTOMER, customer_ids=(customer.id,))


def for_ticked(*, shop, ids, assigned_to=None):
    """The ticked rows: only ids of the shop's customers (seen by ``assigned_to``) count."""
    if not ids:
        raise NobodyToEmail(_l("Tick at least one customer first."))
    if len(ids) > MAX_TICKED:
        raise NobodyToEmail(
            _l(
                "One email goes to at most %(max)s ticked customers: use the filter instead.",
                max=MAX_TICKED,
            )
        )
    query = customers_query(shop=shop, customer_filter=CustomerFilter(), assigned_to=assigned_to)
    found = db.session.scalars(
        query.where(Customer.id.in_(ids)).with_only_columns(Customer.id).order_by(None)
    ).all()
    if not found:
        raise NobodyToEmail(_l("Tick at least one customer first."))
    return Recipients(Audience.SELECTED, customer_ids=tuple(sorted(found)))


def for_filter(*, shop, customer_filter):
    if _count(shop, customer_filter, None) == 0:
        raise NobodyToEmail(_l("No customer matches this filter."))
    return Recipients(Audience.FILTER, query=customer_filter.query_string())


def for_segment(*, shop, segment):
    customer_filter = segment_filter(shop, segment)
    if _count(shop, customer_filter, None) == 0:
        raise NobodyToEmail(_l("The segment “%(name)s” has no customers today.", name=segment.name))
    return Recipients(
        Audience.SEGMENT, query=customer_filter.query_string(), segment_name=segment.name
    )


def _count(shop, customer_filter, assigned_to):
    query = customers_query(shop=shop, customer_filter=customer_filter, assigned_to=assigned_to)
    return db.session.scalar(query.with_only_columns(func.count(Customer.id)).order_by(None))


def filter_of(shop, campaign):
    """The ``CustomerFilter`` of a campaign for a filter or a segment (None for ids)."""
    if campaign.audience in (Audience.FILTER, Audience.SEGMENT):
        return read_filter(MultiDict(parse_qsl(campaign.query or "")), shop)
    return None


def audience_query(shop, campaign):
    """A select of the shop's customers the campaign is for (left-out ones included)."""
    customer_filter = filter_of(shop, campaign) or CustomerFilter()
    query = customers_query(
        shop=shop, customer_filter=customer_filter, assigned_to=campaign.assigned_to
    ).order_by(None)
    if campaign.audience in (Audience.CUSTOMER, Audience.SELECTED):
        query = query.where(Customer.id.in_(list(campaign.customer_ids or ()) or [0]))
    return query


def left_out_reason(campaign, customer):
    """Why ``customer`` does not get the campaign's email, or None when they do."""
    if not customer.email:
        return "no_email"
    if customer.status == CustomerStatus.CANCELLED:
        return "cancelled"
    if campaign.kind == CampaignKind.MARKETING and not customer.accepts_marketing:
        return "no_consent"
    return None


def _reason_expression(campaign):
    """``left_out_reason`` in SQL: the reason, or None."""
    whens = [
        ((Customer.email.is_(None)) | (Customer.email == ""), "no_email"),
        (Customer.status == CustomerStatus.CANCELLED, "cancelled"),
    ]
    if campaign.kind == CampaignKind.MARKETING:
        whens.append((Customer.accepts_marketing.is_(False), "no_consent"))
    return case(*whens, else_=None)


@dataclass(frozen=True)
class Tally:
    """How many customers the campaign is for, will receive it, and are left out by reason."""

    total: int
    receive: int
    left_out: dict

    @property
    def left_out_total(self):
        return sum(self.left_out.values())


def tally(shop, campaign):
    """Who the campaign would reach if it were sent now: what the confirmation says."""
    reason = _reason_expression(campaign).label("reason")
    rows = db.session.execute(
        audience_query(shop, campaign)
        .with_only_columns(reason, func.count(Customer.id))
        .group_by(reason)
    ).all()
    found = {key: number for key, number in rows}
    left_out = {key: found.get(key, 0) for key in REASONS}
    receive = found.get(None, 0)
    return Tally(total=receive + sum(left_out.values()), receive=receive, left_out=left_out)


def receivers(shop, campaign, limit=20):
    """The first customers who would receive it (the preview's choice of whose data)."""
    query = audience_query(shop, campaign).where(_reason_expression(campaign).is_(None))
    return db.session.scalars(query.order_by(Customer.id).limit(limit)).all()


def audience_size(shop, campaign):
    return tally(shop, campaign).total


def preview_customer(shop, campaign, customer_id=None):
    """Whose data the preview shows: the customer asked for when the campaign is for them,
    else the first who would receive it, else the first it is for (None: nobody)."""
    query = audience_query(shop, campaign)
    if customer_id is not None:
        chosen = db.session.scalar(query.where(Customer.id == customer_id))
        if chosen is not None:
            return chosen
    first = receivers(shop, campaign, limit=1)
    return first[0] if first else db.session.scalar(query.order_by(Customer.id).limit(1))


def unsaved(recipients, *, kind=CampaignKind.MARKETING, assigned_to=None):
    """A campaign for ``recipients`` that is not written anywhere: what the page that writes
    one counts before there is a draft."""
    return EmailCampaign(
        kind=kind,
        audience=recipients.audience,
        customer_ids=list(recipients.customer_ids) or None,
        query=recipients.query,
        segment_name=recipients.segment_name,
        assigned_to=assigned_to,
    )


# --- Writing it -----------------------------------------------------------------------


def _clean(kind, subject, body):
    """(kind, subject, body) once checked: every refusal names its field."""
    if kind not in set(CampaignKind):
        raise ServiceError(_l("Choose what kind of email this is."), "kind")
    subject = " ".join(one_line(subject or "").split())
    body = multi_line(body or "").strip("\n")
    if not subject:
        raise ServiceError(_l("Write a subject."), "subject")
    if len(subject) > MAX_SUBJECT:
        raise ServiceError(_l("Please use at most %(max)d characters.", max=MAX_SUBJECT), "subject")
    if not body.strip():
        raise ServiceError(_l("Write the email."), "body")
    if len(body) > MAX_BODY:
        raise ServiceError(_l("Please use at most %(max)d characters.", max=MAX_BODY), "body")
    mail_templates.check(subject, field="subject")
    mail_templates.check(body, field="body")
    return kind, subject, body


def create_campaign(*, shop, staff, recipients, kind, subject, body, assigned_to=None):
    """A draft for ``recipients``; ``assigned_to``: a ``staff`` role's id, whose email only
    ever reaches the customers assigned to them."""
    kind, subject, body = _clean(kind, subject, body)
    campaign = EmailCampaign(
        shop_id=shop.id,
        created_by_id=staff.id if staff is not None else None,
        kind=kind,
        subject=subject,
        body=body,
        audience=recipients.audience,
        customer_ids=list(recipients.customer_ids) or None,
        query=recipients.query,
        segment_name=recipients.segment_name,
        assigned_to=assigned_to,
        status=CampaignStatus.DRAFT,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _check_draft(campaign):
    if campaign.status != CampaignStatus.DRAFT:
        raise ServiceError(_l("This email has already been sent or scheduled: it cannot change."))


def update_campaign(campaign, *, kind, subject, body):
    _check_draft(campaign)
    campaign.kind, campaign.subject, campaign.body = _clean(kind, subject, body)


def delete_draft(campaign):
    _check_draft(campaign)
    db.session.delete(campaign)


# --- Sending it, now or later ---------------------------------------------------------


def _claim(campaign, old, new, **values):
    """Move the campaign from ``old`` to ``new`` unless someone moved it first."""
    result = db.session.execute(
        update(EmailCampaign)
        .where(EmailCampaign.id == campaign.id, EmailCampaign.status == old)
        .values(status=new, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(campaign)
    return result.rowcount == 1


def _check_someone_receives(shop, campaign):
    counted = tally(shop, campaign)
    if counted.receive == 0:
        raise NobodyToEmail(
            _l(
                "Nobody would receive this email: every customer chosen is left out (see why "
                "below)."
            )
        )
    return counted


def _start(shop, campaign, total):
    job = start_job(
        shop=shop,
        kind=JOB_KIND,
        params={"campaign_id": campaign.id},
        created_by=campaign.created_by,
        total=total,
    )
    campaign.job_id = job.id
    campaign.started_at = utcnow()
    return job


def send_now(*, shop, campaign):
    """Send the draft now, as a job; refused when nobody would receive it. Returns the
    ``Tally`` it was sent with."""
    _check_draft(campaign)
    counted = _check_someone_receives(shop, campaign)
    if not _claim(campaign, CampaignStatus.DRAFT, CampaignStatus.SENDING):
        raise ServiceError(_l("This email has already been sent or scheduled: it cannot change."))
    _start(shop, campaign, counted.total)
    return counted


def read_send_at(value, timezone):
    """A ``datetime-local`` value (``2026-12-24T09:00``), in the shop's time zone, as UTC."""
    try:
        local = datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise ServiceError(
            _l("Enter a date and a time, such as 24/12/2026 09:00."), "send_at"
        ) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def schedule(*, shop, campaign, when):
    """Send the draft at ``when`` (an aware time, in the future and within a year)."""
    _check_draft(campaign)
    now = utcnow()
    if when is None or when <= now + timedelta(minutes=1):
        raise ServiceError(_l("Choose a time in the future."), "send_at")
    if when > now + MAX_SCHEDULE_AHEAD:
        raise ServiceError(_l("Choose a time within the next year."), "send_at")
    _check_someone_receives(shop, campaign)
    if not _claim(campaign, CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, scheduled_at=when):
        raise ServiceError(_l("This email has already been sent or scheduled: it cannot change."))


def cancel_schedule(campaign):
    """Back to a draft, until the time comes; too late once the send has started."""
    if not _claim(campaign, CampaignStatus.SCHEDULED, CampaignStatus.DRAFT, scheduled_at=None):
        raise ServiceError(_l("Too late to cancel: this email is being sent or was sent."))


@periodic("campaigns.send_due", minute="*")
def send_due():
    """Every minute: start the scheduled emails whose time has come. Returns how many."""
    now = utcnow()
    due = db.session.scalars(
        db.select(EmailCampaign)
        .where(EmailCampaign.status == CampaignStatus.SCHEDULED)
        .where(EmailCampaign.scheduled_at <= now)
        .order_by(EmailCampaign.scheduled_at, EmailCampaign.id)
    ).all()
    started = 0
    for campaign in due:
        if _claim(campaign, CampaignStatus.SCHEDULED, CampaignStatus.SENDING):
            shop = db.session.get(Shop, campaign.shop_id)
            _start(shop, campaign, audience_size(shop, campaign))
            db.session.commit()
            started += 1
    db.session.commit()
    return started


# --- What the pages show --------------------------------------------------------------


def display_status(campaign):
    """The campaign's state as staff see it: a send whose job gave up has stopped."""
    job = campaign.job
    if campaign.status == CampaignStatus.SENDING and job is not None:
        if job.status == JobStatus.FAILED:
            return CampaignStatus.STOPPED
    return CampaignStatus(campaign.status)


def campaigns_query(shop, created_by=None):
    """The shop's campaigns, newest first; only those of ``created_by`` when given (what a
    ``staff`` role sees)."""
    query = for_shop(EmailCampaign, shop).order_by(EmailCampaign.id.desc())
    if created_by is not None:
        query = query.where(EmailCampaign.created_by_id == created_by)
    return query


def message_counts(shop, campaign_ids):
    """{campaign id: {"queued": n, "sent": n, "failed": n}} of the campaigns' messages."""
    counts = {campaign_id: dict.fromkeys(MailStatus, 0) for campaign_id in campaign_ids}
    if not campaign_ids:
        return counts
    rows = db.session.execute(
        for_shop(OutboxMessage, shop)
        .where(OutboxMessage.campaign_id.in_(campaign_ids))
        .with_only_columns(OutboxMessage.campaign_id, OutboxMessage.status, func.count())
        .group_by(OutboxMessage.campaign_id, OutboxMessage.status)
    ).all()
    for campaign_id, status, number in rows:
        counts[campaign_id][MailStatus(status)] = number
    return counts
