"""Merging two records of one person (``/customers/<id>/merge/<other_id>``): the two side by
side, the manager picks the record to keep and, detail by detail, whose value wins; the
rest of both ends up on the kept record. Managers and the owner only; an id of another
shop's is a 404, and a record is never merged with itself."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from admin import bp
from admin.common import acting_staff, customer_or_404
from admin.customer_filters import GENDER_LABELS
from admin.forms import CustomerMergeForm
from core.auth import staff_required
from core.extensions import db
from core.i18n import status_label
from core.tenancy import for_shop
from models import Customer, Role
from services import customer_merge as merge_service
from services.personal_data import order_count
from services.phones import display_phone
from services.totals import customer_totals


def shown(customer, name):
    """How the merge page writes a customer's value of one of ``merge_service.FIELDS``."""
    values = {
        "names": lambda: customer.full_name,
        "email": lambda: customer.email,
        "gender": lambda: GENDER_LABELS.get(customer.gender or ""),
        "birthday": lambda: customer.birthday and customer.birthday.strftime("%d/%m/%Y"),
        "company": lambda: customer.company,
        "group": lambda: customer.group and customer.group.name,
        "assigned_staff": lambda: customer.assigned_staff and customer.assigned_staff.display_name,
        "accepts_marketing": lambda: (
            _("Accepts") if customer.accepts_marketing else _("Does not accept")
        ),
        "status": lambda: status_label("customer", customer.status),
    }
    return values[name]() or "—"


def what_moves(customer):
    """What a record brings to the merge, counted."""
    return {
        "orders": order_count(customer),
        "spent": customer_totals(customer)[0],
        "phones": ", ".join(display_phone(p.number) for p in customer.phones) or "—",
        "addresses": len(customer.addresses),
        "notes": len(customer.notes),
        "tags": ", ".join(customer.tag_names) or "—",
    }


def sides(first, second):
    return {"a": first, "b": second}


def default_form(first, second):
    """The form as first shown: the kept record and the winning values the service
    suggests."""
    keep = merge_service.default_keep(first, second)
    other = second if keep is first else first
    winners = merge_service.default_winners(keep, other)
    side_of = {first.id: "a", second.id: "b"}
    data = {name: side_of[record.id] for name, record in winners.items()}
    return CustomerMergeForm(formdata=None, data={"keep": side_of[keep.id], **data})


def the_two(customer_id, other_id, lock=False):
    first = customer_or_404(customer_id, lock=lock)
    second = customer_or_404(other_id, lock=lock)
    return first, second


@bp.get("/customers/<int:customer_id>/merge")
@staff_required(Role.MANAGER)
def customer_merge_find(customer_id):
    """The record's "merge with…" box: the other record by its code."""
    customer = customer_or_404(customer_id)
    code = (request.args.get("code") or "").strip().upper()[:32]
    other = db.session.scalar(for_shop(Customer, g.shop).where(Customer.code == code))
    if other is None:
        flash(_("No customer has the code “%(code)s”.", code=code), "warning")
        return redirect(url_for("admin.customer_detail", customer_id=customer.id))
    return redirect(url_for("admin.customer_merge", customer_id=customer.id, other_id=other.id))


@bp.route("/customers/<int:customer_id>/merge/<int:other_id>", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def customer_merge(customer_id, other_id):
    first, second = the_two(customer_id, other_id, lock=request.method == "POST")
    if first.id == second.id:
        flash(_("A record cannot be merged with itself."), "warning")
        return redirect(url_for("admin.customer_detail", customer_id=first.id))
    form = CustomerMergeForm() if request.method == "POST" else default_form(first, second)
    if form.validate_on_submit():
        records = sides(first, second)
        keep = records[form.keep.data]
        other = second if keep is first else first
        from_other = {
            name for name in merge_service.FIELDS if records.get(form[name].data) is other
        }
        code, name = other.code, other.display_name
        merge_service.merge_customers(
            shop=g.shop, keep=keep, other=other, from_other=from_other, staff=acting_staff()
        )
        db.session.commit()
        flash(_("%(code)s (%(name)s) is merged into this record.", code=code, name=name), "success")
        return redirect(url_for("admin.customer_detail", customer_id=keep.id))
    if request.method == "POST":
        db.session.rollback()
        flash(_("Choose one of the options."), "danger")
    return render_template(
        "admin/customer_merge.html",
        form=form,
        first=first,
        second=second,
        fields=list(merge_service.FIELDS),
        shown=shown,
        moves={"a": what_moves(first), "b": what_moves(second)},
    )
