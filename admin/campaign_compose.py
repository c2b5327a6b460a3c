"""Writing an email to customers: from a customer's record (``/customers/<id>/email``), from
the list's bulk actions (the ticked ``customer_ids``, or ``scope=filter`` with the list's
query values) or for a saved segment (``segment``), at ``/emails/new``; and changing a draft.
What is written is kept as a draft, and its page (``admin.campaigns``) previews and sends it.

Who may: an email to many customers (the ticked ones, a filter, a segment) is for managers
and the owner (a ``staff`` role gets 403); anyone who may open a customer's record may write
to that customer, so a ``staff`` role writes only to the customers assigned to them. Ids of
another shop's customers are never loaded, so never written to nor counted."""

from flask import flash, g, redirect, render_template, request, url_for

from admin import bp
from admin.campaign_forms import CampaignForm
from admin.common import acting_staff, assigned_to, campaign_or_404, customer_or_404, ticked_ids
from admin.customer_filters import filter_parts
from core.auth import safe_next, staff_required
from core.extensions import db
from core.forms import show_error
from core.inputs import parse_id
from core.tenancy import get_for_shop_or_404
from models import Audience, CampaignStatus, CustomerSegment, Role
from services import ServiceError, campaigns
from services.customer_list import read_filter
from services.mail_templates import PLACEHOLDERS


def chosen_recipients():
    """Who the email is for, from the list's form or a segment's link."""
    values = request.values
    segment_id = parse_id(values.get("segment"))
    if segment_id is not None:
        segment = get_for_shop_or_404(CustomerSegment, segment_id)
        return campaigns.for_segment(shop=g.shop, segment=segment), {"segment": segment.id}
    if values.get("scope") == "filter":
        customer_filter = read_filter(values, g.shop)
        recipients = campaigns.for_filter(shop=g.shop, customer_filter=customer_filter)
        return recipients, {"scope": "filter", **customer_filter.params()}
    recipients = campaigns.for_ticked(shop=g.shop, ids=ticked_ids())
    return recipients, {"customer_ids": list(recipients.customer_ids)}


def compose_page(form, recipients, *, customer=None, campaign=None, keep=None):
    """The page that writes (or changes) an email for ``recipients``; ``keep``: the hidden
    values that say again who it is for."""
    unsaved = campaign or campaigns.unsaved(recipients, assigned_to=assigned_to())
    customer_filter = campaigns.filter_of(g.shop, unsaved)
    return render_template(
        "admin/campaign_compose.html",
        form=form,
        recipients=recipients,
        total=campaigns.audience_size(g.shop, unsaved),
        parts=filter_parts(g.shop, customer_filter) if customer_filter else [],
        customer=customer,
        campaign=campaign,
        keep=keep or {},
        placeholders=PLACEHOLDERS,
    ), (400 if form.errors else 200)


def written(form, recipients):
    """The draft of a posted form, or None (the errors are on the form)."""
    try:
        campaign = campaigns.create_campaign(
            shop=g.shop,
            staff=acting_staff(),
            recipients=recipients,
            kind=form.kind.data,
            subject=form.subject.data,
            body=form.body.data,
            assigned_to=assigned_to(),
        )
    except ServiceError as error:
        db.session.rollback()
        show_error(form, error, form.body)
        return None
    db.session.commit()
    return campaign


@bp.route("/emails/new", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def email_new():
    try:
        recipients, keep = chosen_recipients()
    except ServiceError as error:
        flash(str(error.message), "warning")
        back = safe_next(request.values.get("next"), url_for("admin.dashboard"))
        return redirect(back or url_for("admin.customers"))
    form = CampaignForm(formdata=request.form if "subject" in request.form else None)
    if "subject" in request.form and form.validate_on_submit():
        campaign = written(form, recipients)
        if campaign is not None:
            return redirect(url_for("admin.email_campaign", campaign_id=campaign.id))
    return compose_page(form, recipients, keep=keep)


@bp.route("/customers/<int:customer_id>/email", methods=["GET", "POST"])
@staff_required()
def customer_email(customer_id):
    customer = customer_or_404(customer_id)
    recipients = campaigns.for_customer(customer)
    form = CampaignForm()
    if form.validate_on_submit():
        campaign = written(form, recipients)
        if campaign is not None:
            return redirect(url_for("admin.email_campaign", campaign_id=campaign.id))
    return compose_page(form, recipients, customer=customer)


@bp.route("/emails/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@staff_required()
def email_campaign_edit(campaign_id):
    campaign = campaign_or_404(campaign_id)
    back = redirect(url_for("admin.email_campaign", campaign_id=campaign.id))
    if campaign.status != CampaignStatus.DRAFT:
        return back
    form = CampaignForm(obj=None, data=_values_of(campaign))
    if form.validate_on_submit():
        try:
            campaigns.update_campaign(
                campaign, kind=form.kind.data, subject=form.subject.data, body=form.body.data
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.body)
        else:
            db.session.commit()
            return back
    recipients = campaigns.Recipients(
        campaign.audience,
        customer_ids=tuple(campaign.customer_ids or ()),
        query=campaign.query,
        segment_name=campaign.segment_name,
    )
    customer = None
    if campaign.audience == Audience.CUSTOMER:
        customer = campaigns.preview_customer(g.shop, campaign)
    return compose_page(form, recipients, customer=customer, campaign=campaign)


def _values_of(campaign):
    return {"kind": campaign.kind, "subject": campaign.subject, "body": campaign.body}
