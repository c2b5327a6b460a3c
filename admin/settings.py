"""The shop's settings: its name, contact address, language and how new members join."""

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from admin import bp
from admin.forms import ShopSettingsForm
from core.auth import staff_required
from core.extensions import db
from core.forms import show_error
from models import Role
from services import ServiceError
from services.shops import update_settings


@bp.route("/settings", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def settings():
    form = ShopSettingsForm(obj=g.shop)
    if form.validate_on_submit():
        try:
            update_settings(
                shop=g.shop,
                name=form.name.data,
                contact_email=form.contact_email.data,
                locale=form.locale.data,
                auto_approve_members=form.auto_approve_members.data,
                notify_staff_of_registrations=form.notify_staff_of_registrations.data,
                shipping_fee=form.shipping_fee.data,
                free_shipping_threshold=form.free_shipping_threshold.data,
                bank_details=form.bank_details.data,
                refusal_tag_threshold=form.refusal_tag_threshold.data,
            )
        except ServiceError as error:
            # Refused before anything was written.
            show_error(form, error, form.name)
        else:
            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form)
