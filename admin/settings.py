"""The shop's settings: its name, contact address, language and how new members join."""

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from admin import bp
from admin.forms import ShopSettingsForm
from core.auth import staff_required
from core.extensions import db
from models import Role
from services import ServiceError
from services.emails import normalise_email


@bp.route("/settings", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def settings():
    shop = g.shop
    form = ShopSettingsForm(obj=shop)
    if form.validate_on_submit():
        try:
            contact_email = normalise_email(form.contact_email.data, field="contact_email")
        except ServiceError as error:
            form.contact_email.errors = [*form.contact_email.errors, str(error.message)]
        else:
            # Each field by name: a crafted form cannot reach any other column of the shop.
            shop.name = form.name.data.strip()
            shop.contact_email = contact_email
            shop.locale = form.locale.data
            shop.auto_approve_members = form.auto_approve_members.data
            shop.notify_staff_of_registrations = form.notify_staff_of_registrations.data
            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form)
