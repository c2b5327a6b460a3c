"""The shop's staff: who is on it, and the owner's invitations and removals."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from admin import bp
from admin.forms import StaffInviteForm, StaffRoleForm
from core.auth import current_staff, staff_may, staff_required
from core.extensions import db
from core.forms import EmptyForm, show_error
from core.tenancy import get_for_shop_or_404
from models import Role, ShopMembership, StaffInvitation
from services import ServiceError
from services.invitations import invite_staff, pending_invitations, withdraw_invitation
from services.shops import change_role, remove_staff, set_active, staff_of


@bp.route("/staff", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def staff():
    form = StaffInviteForm()
    can_edit = staff_may(Role.OWNER)
    if form.validate_on_submit():
        if not can_edit:
            abort(403)
        try:
            invite_staff(
                shop=g.shop,
                email=form.email.data,
                role=form.role.data,
                name=form.name.data or "",
                invited_by=current_staff(),
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.email)
        else:
            db.session.commit()
            # The same page whether the person is new, has an account elsewhere or is already
            # on this shop's staff: the staff form tells nothing about other shops.
            return render_template("admin/staff_invited.html", email=form.email.data.strip())
    return render_template(
        "admin/staff.html",
        form=form,
        members=staff_of(g.shop),
        invitations=pending_invitations(shop=g.shop),
        can_edit=can_edit,
        action_form=EmptyForm(),
        role_form=StaffRoleForm(formdata=None),
    )


@bp.post("/staff/<int:membership_id>/remove")
@staff_required(Role.OWNER)
def staff_remove(membership_id):
    membership = get_for_shop_or_404(ShopMembership, membership_id)
    if EmptyForm().validate_on_submit():
        email = membership.staff.email  # the row is gone after the commit
        try:
            remove_staff(shop=g.shop, membership=membership)
        except ServiceError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(_("%(email)s was removed from the staff.", email=email), "info")
    return redirect(url_for("admin.staff"))


@bp.post("/staff/invitations/<int:invitation_id>/withdraw")
@staff_required(Role.OWNER)
def invitation_withdraw(invitation_id):
    invitation = get_for_shop_or_404(StaffInvitation, invitation_id)
    if EmptyForm().validate_on_submit():
        withdraw_invitation(invitation=invitation)
        db.session.commit()
        flash(
            _(
                "The invitation to %(email)s is withdrawn: its link opens nothing now.",
                email=invitation.email,
            ),
            "info",
        )
    return redirect(url_for("admin.staff"))


def owner_changes(membership_id, change, message):
    """Apply ``change`` to the shop's membership ``membership_id`` (the owner's own refused:
    nobody locks themselves out); flash ``message`` with the person's email."""
    membership = get_for_shop_or_404(ShopMembership, membership_id, lock=True)
    if membership.staff_id == current_staff().id:
        flash(_("You cannot change your own role or access here."), "warning")
        return redirect(url_for("admin.staff"))
    email = membership.staff.email
    try:
        change(membership)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(message % {"email": email}, "success")
    return redirect(url_for("admin.staff"))


@bp.post("/staff/<int:membership_id>/role")
@staff_required(Role.OWNER)
def staff_role(membership_id):
    form = StaffRoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the options."), "danger")
        return redirect(url_for("admin.staff"))
    return owner_changes(
        membership_id,
        lambda m: change_role(shop=g.shop, membership=m, role=form.new_role.data),
        _("The role of %(email)s was changed."),
    )


@bp.post("/staff/<int:membership_id>/deactivate")
@staff_required(Role.OWNER)
def staff_deactivate(membership_id):
    return owner_changes(
        membership_id,
        lambda m: set_active(shop=g.shop, membership=m, active=False),
        _("%(email)s is deactivated: they open nothing of the shop until you activate them."),
    )


@bp.post("/staff/<int:membership_id>/activate")
@staff_required(Role.OWNER)
def staff_activate(membership_id):
    return owner_changes(
        membership_id,
        lambda m: set_active(shop=g.shop, membership=m, active=True),
        _("%(email)s is active again."),
    )
