"""The member's rights over their data in the shop (Vietnam's Decree 13/2023): a copy of it
to download (``/account/data.json``), and deleting the account (``/account/delete``, with the
password). The shop's orders stay when the account goes, with their own copy of the contact,
as the shop must keep them for its accounts."""

import json

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from core.auth import current_customer, customer_required
from core.extensions import db, limit_from_config, limiter
from core.forms import show_error
from core.sessions import end_session
from services import ServiceError, personal_data
from storefront import bp
from storefront.forms import AccountDeleteForm

# Deleting asks for the password: as many tries as a login gets.
delete_limit = limit_from_config("LOGIN_RATE_LIMIT")


@bp.get("/account/data.json")
@customer_required
def account_data():
    customer = current_customer()
    data = personal_data.own_data(shop=g.shop, customer=customer)
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json"
    )
    filename = f"{g.shop.slug}-{customer.code}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@customer_required
@limiter.limit(delete_limit, methods=["POST"])
def account_delete():
    customer = current_customer()
    form = AccountDeleteForm()
    if form.validate_on_submit():
        try:
            personal_data.delete_own_account(
                shop=g.shop, customer=customer, password=form.current_password.data
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.current_password)
        else:
            end_session()  # this browser's cookies; the service ended every session
            db.session.commit()
            flash(_("Your account and your personal data have been deleted."), "info")
            return redirect(url_for("storefront.home"))
    return render_template("storefront/account/delete.html", form=form)
