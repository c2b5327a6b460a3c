"""The shop's settings: its name, contact address, language and how new members join."""

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from admin import bp
from admin.forms import ShopSettingsForm
from core.auth import staff_required
from core.extensions import db
from core.forms import show_error
from core.inputs import one_line
from models import Role
from services import ServiceError
from services.catalog import parse_amount
from services.emails import normalise_email


def selling_values(form):
    """The selling settings, read as a person types them (30000 or 30.000)."""
    return {
        "shipping_fee": parse_amount(form.shipping_fee.data, field="shipping_fee"),
        "free_shipping_threshold": parse_amount(
            form.free_shipping_threshold.data, field="free_shipping_threshold", required=False
        ),
        "bank_details": (form.bank_details.data or "").strip(),
        "refusal_tag_threshold": parse_amount(
            form.refusal_tag_threshold.data, field="refusal_tag_threshold", maximum=100
        ),
    }


@bp.route("/settings", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def settings():
    shop = g.shop
    form = ShopSettingsForm(obj=shop)
    if form.validate_on_submit():
        try:
            contact_email = normalise_email(form.contact_email.data, field="contact_email")
            selling = selling_values(form)
        except ServiceError as error:
            show_error(form, error, form.name)
        else:
            # Each field by name: a crafted form cannot reach any other column of the shop.
            shop.name = one_line(form.name.data)
            shop.contact_email = contact_email
            shop.locale = form.locale.data
            shop.auto_approve_members = form.auto_approve_members.data
            shop.notify_staff_of_registrations = form.notify_staff_of_registrations.data
            shop.shipping_fee = selling["shipping_fee"]
            shop.free_shipping_threshold = selling["free_shipping_threshold"]
            shop.bank_details = selling["bank_details"]
            shop.refusal_tag_threshold = selling["refusal_tag_threshold"]
            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form)
