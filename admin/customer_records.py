"""Changing one customer's record: the contact (with the group and the staff member who looks
after them), the phones and the address book.

Whoever may see the customer may change these: the owner and managers, and a ``staff`` role
for the customers assigned to them (``customer_or_404``); only the owner and managers choose
who looks after a customer. A phone or an address of another customer is a 404."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from admin import bp
from admin.common import acting_staff, customer_or_404
from admin.forms import CustomerAddressForm, CustomerContactForm, CustomerPhoneForm
from core.auth import staff_may, staff_required
from core.extensions import db
from core.forms import EmptyForm, first_error, show_error
from core.tenancy import get_for_shop
from models import Address, CustomerPhone, Role
from services import ServiceError
from services import addresses as address_service
from services import customer_records as record_service
from services import customers as customer_service
from services.customer_bulk import assignable_staff
from services.groups import groups_of
from services.phones import display_phone


def record_url(customer_id, part):
    return url_for("admin.customer_detail", customer_id=customer_id) + part


# Where the record shows each kind of row.
ANCHORS = {CustomerPhone: "#contact", Address: "#addresses"}


def owned_or_404(model, row_id, customer):
    """The customer's phone or address with this id; another customer's is a 404."""
    row = get_for_shop(model, row_id, g.shop)
    if row is None or row.customer_id != customer.id:
        abort(404)
    return row


# --- The contact ----------------------------------------------------------------------


def contact_form(customer):
    """The contact form, filled from the record on a GET; without the assigned staff member
    for a ``staff`` role."""
    choices = {"groups": [group for group, _count in groups_of(g.shop)]}
    choices["staff"] = assignable_staff(g.shop)
    if request.method == "POST":
        form = CustomerContactForm(**choices)
    else:
        initial = {
            name: getattr(customer, name) or ""
            for name in ("last_name", "first_name", "email", "gender", "company")
        }
        initial.update(
            birthday=customer.birthday,
            accepts_marketing=customer.accepts_marketing,
            group=str(customer.group_id or ""),
            assigned_staff=str(customer.assigned_staff_id or ""),
        )
        form = CustomerContactForm(formdata=None, data=initial, **choices)
    if not staff_may(Role.MANAGER):
        del form.assigned_staff
    return form


def contact_values(form):
    values = {name: form[name].data for name in ("last_name", "first_name", "email", "gender")}
    values.update(
        birthday=form.birthday.data,
        company=form.company.data or "",
        accepts_marketing=form.accepts_marketing.data,
        group_id=form.group.data,
    )
    if "assigned_staff" in form:
        values["assignee_id"] = form.assigned_staff.data
    return values


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
@staff_required()
def customer_edit(customer_id):
    customer = customer_or_404(customer_id, lock=request.method == "POST")
    form = contact_form(customer)
    if form.validate_on_submit():
        try:
            record_service.update_contact(
                shop=g.shop, customer=customer, staff=acting_staff(), **contact_values(form)
            )
        except record_service.RecordRefused as refused:
            db.session.rollback()
            for field, message in refused.refusals.items():
                show_error(form, ServiceError(message, field), form.first_name)
        else:
            db.session.commit()
            flash(_("The customer's details are saved."), "success")
            return redirect(record_url(customer_id, ""))
    return render_template("admin/customer_contact.html", form=form, customer=customer)


# --- Phones ---------------------------------------------------------------------------


@bp.post("/customers/<int:customer_id>/phones")
@staff_required()
def customer_phone_add(customer_id):
    customer = customer_or_404(customer_id, lock=True)
    form = CustomerPhoneForm()
    try:
        if not form.validate_on_submit():
            raise ServiceError(first_error(form))
        customer_service.add_member_phone(
            customer=customer, number=form.number.data, staff=acting_staff(), field="number"
        )
        db.session.flush()
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(_("Phone number added."), "success")
    return redirect(record_url(customer_id, "#contact"))


def change_owned(customer_id, model, row_id, change):
    """A one-button change of one of the customer's phones or addresses, then back to the
    record: ``change(customer, row, staff)`` makes it and returns what to flash."""
    customer = customer_or_404(customer_id, lock=True)
    row = owned_or_404(model, row_id, customer)
    if EmptyForm().validate_on_submit():
        message = change(customer, row, acting_staff())
        db.session.commit()
        flash(message, "success")
    return redirect(record_url(customer_id, ANCHORS[model]))


@bp.post("/customers/<int:customer_id>/phones/<int:phone_id>/primary")
@staff_required()
def customer_phone_primary(customer_id, phone_id):
    def change(customer, phone, staff):
        customer_service.make_primary_phone(customer=customer, phone=phone, staff=staff)
        return _("%(phone)s is now the main phone number.", phone=display_phone(phone.number))

    return change_owned(customer_id, CustomerPhone, phone_id, change)


@bp.post("/customers/<int:customer_id>/phones/<int:phone_id>/delete")
@staff_required()
def customer_phone_delete(customer_id, phone_id):
    def change(customer, phone, staff):
        customer_service.remove_member_phone(customer=customer, phone=phone, staff=staff)
        return _("Phone number removed.")

    return change_owned(customer_id, CustomerPhone, phone_id, change)


# --- Addresses ------------------------------------------------------------------------


def address_initial(customer, address):
    if address is None:
        return {
            "full_name": customer.full_name,
            "phone": display_phone(customer.primary_phone),
            "is_default": not customer.addresses,
        }
    return {**address_service.form_values(address), "phone": display_phone(address.phone)}


def address_page(customer, address):
    """The address form: a new address when ``address`` is None, else that one edited."""
    if request.method == "GET":
        form = CustomerAddressForm(formdata=None, data=address_initial(customer, address))
    else:
        form = CustomerAddressForm()
    if form.validate_on_submit():
        values = {name: form[name].data for name in ("full_name", "phone", "line1", "ward")}
        values.update(district=form.district.data, province=form.province.data)
        who = {"shop": g.shop, "customer": customer, "staff": acting_staff()}
        try:
            if address is None:
                address_service.create_address(is_default=form.is_default.data, **who, **values)
            else:
                address_service.update_address(
                    address=address, is_default=form.is_default.data, **who, **values
                )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.province)
        else:
            db.session.commit()
            flash(_("Address saved."), "success")
            return redirect(record_url(customer.id, "#addresses"))
    return render_template(
        "admin/customer_address.html", form=form, customer=customer, address=address
    )


@bp.route("/customers/<int:customer_id>/addresses/new", methods=["GET", "POST"])
@staff_required()
def customer_address_new(customer_id):
    customer = customer_or_404(customer_id, lock=request.method == "POST")
    return address_page(customer, None)


@bp.route("/customers/<int:customer_id>/addresses/<int:address_id>/edit", methods=["GET", "POST"])
@staff_required()
def customer_address_edit(customer_id, address_id):
    customer = customer_or_404(customer_id, lock=request.method == "POST")
    return address_page(customer, owned_or_404(Address, address_id, customer))


@bp.post("/customers/<int:customer_id>/addresses/<int:address_id>/delete")
@staff_required()
def customer_address_delete(customer_id, address_id):
    def change(customer, address, staff):
        address_service.delete_address(shop=g.shop, customer=customer, address=address, staff=staff)
        return _("Address deleted.")

    return change_owned(customer_id, Address, address_id, change)


@bp.post("/customers/<int:customer_id>/addresses/<int:address_id>/default")
@staff_required()
def customer_address_default(customer_id, address_id):
    def change(customer, address, staff):
        address_service.set_default_address(
            shop=g.shop, customer=customer, address=address, staff=staff
        )
        return _("This is now the default address.")

    return change_owned(customer_id, Address, address_id, change)
