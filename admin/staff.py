"""The shop's staff: who is on it, and the owner's invitations and removals."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from admin import bp
from admin.forms import StaffInviteForm
from core.auth import current_staff, staff_may, staff_required
from core.extensions import db
from core.forms import EmptyForm, show_error
from core.tenancy import get_for_shop_or_404
from models import Role, ShopMembership, StaffInvitation
from services import ServiceError
from services.invitations import invite_staff, pending_invitations, withdraw_invitation
from services.shops import remove_staff, staff_of


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
