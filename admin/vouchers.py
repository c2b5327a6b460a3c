"""The shop's vouchers (``/<shop>/admin/vouchers``, "mã giảm giá"): the list with each one's
status, uses and the discount given so far; create, edit, switch off and on. A voucher is
never deleted: orders keep its code and terms, and switching it off is how it ends. Managers
and owners only: a voucher gives the shop's money away."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from admin import bp
from admin.common import acting_staff
from admin.voucher_forms import VoucherForm
from core.auth import staff_required
from core.extensions import db
from core.forms import EmptyForm, show_error
from core.tenancy import get_for_shop_or_404
from models import Role, Voucher
from services import ServiceError
from services import vouchers as voucher_service
from services.tags import shop_tags


def voucher_form(voucher=None):
    data = None
    if request.method != "POST" and voucher is not None:
        data = voucher_service.current_fields(g.shop, voucher)
    return VoucherForm(tags=shop_tags(g.shop), data=data)


def saved(form, voucher=None):
    """The voucher written from the form, or None with the refusal beside its field."""
    values = form.values(request.form.getlist("customer_ids"))
    try:
        if voucher is None:
            return voucher_service.create_voucher(shop=g.shop, actor=acting_staff(), **values)
        return voucher_service.update_voucher(shop=g.shop, voucher=voucher, **values)
    except ServiceError as error:
        db.session.rollback()
        if show_error(form, error) is None:
            flash(str(error.message), "danger")
        return None


@bp.get("/vouchers")
@staff_required(Role.MANAGER)
def vouchers():
    rows = voucher_service.vouchers_of(g.shop)
    return render_template("admin/vouchers.html", rows=rows, switch_form=EmptyForm())


def form_page(voucher=None):
    """The new voucher's page (``voucher`` None) or the voucher's own: shown, or saved and
    back to the list."""
    form = voucher_form(voucher)
    if form.validate_on_submit() and (written := saved(form, voucher)) is not None:
        code = written.code
        db.session.commit()
        if voucher is None:
            flash(_("The voucher %(code)s was created.", code=code), "success")
        else:
            flash(_("The voucher %(code)s was saved.", code=code), "success")
        return redirect(url_for("admin.vouchers"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/voucher_form.html", form=form, voucher=voucher), status


@bp.route("/vouchers/new", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def voucher_new():
    return form_page()


@bp.route("/vouchers/<int:voucher_id>", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def voucher_edit(voucher_id):
    return form_page(get_for_shop_or_404(Voucher, voucher_id, lock=request.method == "POST"))


@bp.post("/vouchers/<int:voucher_id>/active")
@staff_required(Role.MANAGER)
def voucher_switch(voucher_id):
    voucher = get_for_shop_or_404(Voucher, voucher_id, lock=True)
    if EmptyForm().validate_on_submit():
        on = request.form.get("active") == "1"
        voucher_service.switch(shop=g.shop, voucher=voucher, active=on)
        code = voucher.code
        db.session.commit()
        if on:
            flash(_("The voucher %(code)s is on.", code=code), "success")
        else:
            flash(_("The voucher %(code)s is off: no order can use it.", code=code), "success")
    return redirect(url_for("admin.vouchers"))
