"""The shop's customer groups (``/<shop>/admin/groups``, "nhóm khách hàng"): create, rename,
describe and delete. Managers and owners only."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from admin import bp
from admin.forms import GroupForm
from core.auth import staff_required
from core.extensions import db
from core.forms import EmptyForm, first_error, show_error
from core.tenancy import get_for_shop_or_404
from models import CustomerGroup, Role
from services import ServiceError
from services import groups as group_service


@bp.route("/groups", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def customer_groups():
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = group_service.create_group(
                shop=g.shop, name=form.name.data, description=form.description.data
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.name)
        else:
            db.session.commit()
            flash(_("The group “%(name)s” was created.", name=group.name), "success")
            return redirect(url_for("admin.customer_groups"))
    status = 400 if request.method == "POST" else 200
    groups = group_service.groups_of(g.shop)
    return render_template("admin/groups.html", groups=groups, form=form), status


@bp.post("/groups/<int:group_id>/edit")
@staff_required(Role.MANAGER)
def customer_group_edit(group_id):
    group = get_for_shop_or_404(CustomerGroup, group_id, lock=True)
    form = GroupForm()
    try:
        if not form.validate_on_submit():
            raise ServiceError(first_error(form))
        group_service.update_group(
            shop=g.shop, group=group, name=form.name.data, description=form.description.data
        )
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(_("The group “%(name)s” was saved.", name=group.name), "success")
    return redirect(url_for("admin.customer_groups"))


@bp.post("/groups/<int:group_id>/delete")
@staff_required(Role.MANAGER)
def customer_group_delete(group_id):
    group = get_for_shop_or_404(CustomerGroup, group_id, lock=True)
    if EmptyForm().validate_on_submit():
        name = group.name
        freed = group_service.delete_group(shop=g.shop, group=group)
        db.session.commit()
        flash(
            _(
                "The group “%(name)s” was deleted; its %(n)s customers are in no group.",
                name=name,
                n=freed,
            ),
            "success",
        )
    return redirect(url_for("admin.customer_groups"))
