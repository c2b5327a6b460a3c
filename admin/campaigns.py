"""The shop's emails to its customers (``/emails``): the list with what each one did, and one
email's page: who it goes to and who is left out (and why), a preview on a real customer's
data, a test to oneself, then send now, schedule, or cancel a schedule.

Who may: managers and the owner see and send every email of the shop; a ``staff`` role only
the emails they wrote (to a customer assigned to them, ``admin.campaign_compose``): another's
is a 404, as is another shop's."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _

from admin import bp
from admin.campaign_forms import CampaignScheduleForm
from admin.common import acting_staff, assigned_to, campaign_or_404, sandboxed
from admin.customer_filters import filter_parts
from core.auth import staff_may, staff_required
from core.extensions import db
from core.forms import EmptyForm
from core.inputs import paginate, parse_id
from core.outbox import reveal
from core.tenancy import get_for_shop
from models import Audience, CampaignStatus, Customer, Role
from services import ServiceError, campaign_send, campaigns
from services.segments import segments_of


@bp.get("/emails")
@staff_required()
def emails():
    page = paginate(campaigns.campaigns_query(g.shop, created_by=assigned_to()), per_page=20)
    return render_template(
        "admin/campaigns.html",
        page=page,
        counts=campaigns.message_counts(g.shop, [c.id for c in page.items]),
        status_of=campaigns.display_status,
        segments=segments_of(g.shop) if staff_may(Role.MANAGER) else [],
    )


def audience_of(campaign):
    """What the page says the email is for."""
    customer_filter = campaigns.filter_of(g.shop, campaign)
    customer = None
    if campaign.audience == Audience.CUSTOMER and campaign.customer_ids:
        customer = get_for_shop(Customer, campaign.customer_ids[0], g.shop)
    return {
        "parts": filter_parts(g.shop, customer_filter) if customer_filter else [],
        "customer": customer,
    }


def review(campaign):
    """A draft's or a scheduled email's confirmation and preview."""
    customer = campaigns.preview_customer(g.shop, campaign, parse_id(request.args.get("customer")))
    email = campaign_send.preview(g.shop, campaign, customer) if customer else None
    return {
        "tally": campaigns.tally(g.shop, campaign),
        "receivers": campaigns.receivers(g.shop, campaign),
        "preview_customer": customer,
        "email": email,
        "preview_text": reveal(email.text, email.links.urls, html=False) if email else "",
    }


@bp.get("/emails/campaigns/<int:campaign_id>")
@staff_required()
def email_campaign(campaign_id):
    campaign = campaign_or_404(campaign_id)
    status = campaigns.display_status(campaign)
    waiting = status in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)
    return render_template(
        "admin/campaign_detail.html",
        campaign=campaign,
        status=status,
        who=audience_of(campaign),
        counts=campaigns.message_counts(g.shop, [campaign.id])[campaign.id],
        action_form=EmptyForm(formdata=None),
        schedule_form=CampaignScheduleForm(formdata=None),
        **(review(campaign) if waiting else {}),
    )


@bp.get("/emails/campaigns/<int:campaign_id>/preview")
@staff_required()
def email_campaign_preview(campaign_id):
    """The HTML of the email as the chosen customer would get it, for the framed preview."""
    campaign = campaign_or_404(campaign_id)
    customer = campaigns.preview_customer(g.shop, campaign, parse_id(request.args.get("customer")))
    if customer is None:
        return sandboxed("")
    email = campaign_send.preview(g.shop, campaign, customer)
    return sandboxed(reveal(email.html, email.links.urls, html=True))


def act(campaign_id, action):
    """Run ``action(campaign)`` (which returns what to tell) on a checked post; back to the
    email's page."""
    campaign = campaign_or_404(campaign_id)
    back = redirect(url_for("admin.email_campaign", campaign_id=campaign.id))
    if not EmptyForm().validate_on_submit():
        return back
    try:
        message = action(campaign)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "warning")
        return back
    db.session.commit()
    flash(message, "success")
    return back


@bp.post("/emails/campaigns/<int:campaign_id>/test")
@staff_required()
def email_campaign_test(campaign_id):
    def send_test(campaign):
        customer_id = parse_id(request.form.get("customer"))
        customer = campaigns.preview_customer(g.shop, campaign, customer_id)
        if customer is None:
            raise ServiceError(_("No customer to take the placeholders from."))
        staff = acting_staff()
        campaign_send.send_test(shop=g.shop, campaign=campaign, customer=customer, staff=staff)
        return _("A test was sent to %(email)s.", email=staff.email)

    return act(campaign_id, send_test)


@bp.post("/emails/campaigns/<int:campaign_id>/send")
@staff_required()
def email_campaign_send(campaign_id):
    def send(campaign):
        counted = campaigns.send_now(shop=g.shop, campaign=campaign)
        return ngettext(
            "The email is being sent to %(num)d customer.",
            "The email is being sent to %(num)d customers.",
            counted.receive,
        )

    return act(campaign_id, send)


@bp.post("/emails/campaigns/<int:campaign_id>/schedule")
@staff_required()
def email_campaign_schedule(campaign_id):
    def schedule(campaign):
        when = campaigns.read_send_at(request.form.get("send_at"), g.shop.timezone)
        campaigns.schedule(shop=g.shop, campaign=campaign, when=when)
        when = format_datetime(when, "dd/MM/yyyy HH:mm")
        return _("The email will be sent on %(when)s.", when=when)

    return act(campaign_id, schedule)


@bp.post("/emails/campaigns/<int:campaign_id>/cancel")
@staff_required()
def email_campaign_cancel(campaign_id):
    def cancel(campaign):
        campaigns.cancel_schedule(campaign)
        return _("The schedule is cancelled: nothing was sent. The email is kept as a draft.")

    return act(campaign_id, cancel)


@bp.post("/emails/campaigns/<int:campaign_id>/delete")
@staff_required()
def email_campaign_delete(campaign_id):
    campaign = campaign_or_404(campaign_id)
    if EmptyForm().validate_on_submit():
        try:
            campaigns.delete_draft(campaign)
        except ServiceError as error:
            db.session.rollback()
            flash(str(error.message), "warning")
            return redirect(url_for("admin.email_campaign", campaign_id=campaign.id))
        db.session.commit()
        flash(_("The draft was deleted."), "success")
    return redirect(url_for("admin.emails"))
