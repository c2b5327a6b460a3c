"""What several admin pages share, in a module without routes: the route modules import it,
never each other."""

from flask import abort, make_response, request
from flask_login import current_user

from core.auth import staff_may
from core.inputs import parse_id
from core.tenancy import get_for_shop_or_404
from models import Customer, EmailCampaign, Role


def acting_staff():
    return current_user._get_current_object()


def assigned_to():
    """Whose customers the signed-in person sees: a ``staff`` role sees only the customers
    assigned to them (their id); managers and the owner see all (None)."""
    return None if staff_may(Role.MANAGER) else current_user.id


def customer_or_404(customer_id, lock=False):
    """The shop's customer with this id, when the signed-in person may see them: a 404 for
    another shop's, and for a customer not assigned to a ``staff`` role."""
    customer = get_for_shop_or_404(Customer, customer_id, lock=lock)
    viewer = assigned_to()
    if viewer is not None and customer.assigned_staff_id != viewer:
        abort(404)
    return customer


def campaign_or_404(campaign_id):
    """The shop's email campaign with this id, when the signed-in person may see it: managers
    and the owner see every one; a ``staff`` role only those they wrote (another's, or
    another shop's, is a 404)."""
    campaign = get_for_shop_or_404(EmailCampaign, campaign_id)
    viewer = assigned_to()
    if viewer is not None and campaign.created_by_id != viewer:
        abort(404)
    return campaign


def sandboxed(html):
    """An email's HTML as a framed preview: no script in it runs, nothing is fetched."""
    response = make_response(html)
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'self'; sandbox"
    )
    return response


def ticked_ids():
    """The ids of the rows ticked in the customer list's form (``customer_ids``), each once;
    whose they are is for the caller to check."""
    ids = []
    for value in request.form.getlist("customer_ids"):
        customer_id = parse_id(value)
        if customer_id is not None and customer_id not in ids:
            ids.append(customer_id)
    return ids
