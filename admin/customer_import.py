"""Importing customers from a file: upload, match the columns and choose the options, preview,
run as a background job, and read the result with its error report.

Writing many customers at once is for managers and the owner (a ``staff`` role gets 403); an
import of another shop is a 404 whatever its id."""

from io import BytesIO

from flask import flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from admin import bp
from admin.common import acting_staff
from admin.customer_import_forms import (
    FIELD_LABELS,
    ImportOptionsForm,
    ImportUploadForm,
    posted_mapping,
)
from core.auth import staff_required
from core.extensions import db
from core.forms import EmptyForm, first_error, show_error
from core.tenancy import get_for_shop_or_404
from models import CustomerImport, ImportStatus, JobStatus, Role
from services import ServiceError, imports
from services.customer_export import MEDIA_TYPES


@bp.route("/customers/import", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def customer_import():
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            customer_import = imports.upload(
                shop=g.shop, staff=acting_staff(), filename=upload.filename, data=upload.read()
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, default=form.file)
        else:
            db.session.commit()
            return redirect(url_for("admin.customer_import_detail", import_id=customer_import.id))
    return render_template(
        "admin/customer_import.html",
        form=form,
        imports=imports.imports_of(g.shop),
        status=display_status,
    ), (400 if form.errors else 200)


def display_status(customer_import):
    """The import's state as the manager sees it: a run whose job failed has failed."""
    job = customer_import.job
    if customer_import.status == ImportStatus.RUNNING and job and job.status == JobStatus.FAILED:
        return ImportStatus.FAILED
    return customer_import.status


@bp.route("/customers/import/<int:import_id>", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def customer_import_detail(import_id):
    customer_import = get_for_shop_or_404(CustomerImport, import_id)
    if customer_import.status != ImportStatus.UPLOADED:
        return render_template(
            "admin/customer_import_result.html",
            customer_import=customer_import,
            status=display_status(customer_import),
        )
    options = customer_import.options
    form = ImportOptionsForm(data={**options, "tags": ", ".join(options.get("tags") or ())})
    table = imports.table_of(customer_import)
    mapping = imports.mapping_of(customer_import)
    if request.method == "POST":
        mapping = posted_mapping(request.form, len(table.headers))
    if form.validate_on_submit() and saved(customer_import, form, mapping):
        return redirect(url_for(".customer_import_detail", import_id=import_id, preview=1))
    if form.errors and request.method == "POST":
        flash(first_error(form), "danger")
    preview = None
    if request.method == "GET" and request.args.get("preview"):
        plan = imports.preview(customer_import, g.shop)
        preview = imports.preview_of(plan, table, mapping)
    return render_template(
        "admin/customer_import_mapping.html",
        customer_import=customer_import,
        form=form,
        table=table,
        mapping=mapping,
        samples=samples(table),
        labels=FIELD_LABELS,
        preview=preview,
        run_form=EmptyForm(),
    )


def saved(customer_import, form, mapping):
    """Keep the posted mapping and options; False (the error shown) when refused."""
    try:
        imports.save_choices(customer_import, mapping=mapping, **choices(form))
    except ServiceError as error:
        db.session.rollback()
        if show_error(form, error) is None:
            flash(str(error.message), "danger")
        return False
    db.session.commit()
    return True


def choices(form):
    return {
        "on_duplicate": form.on_duplicate.data,
        "status": form.status.data,
        "tags": form.tags.data,
        "keep_totals": form.keep_totals.data,
    }


def samples(table, count=3):
    """The first values of each column, to recognise it by."""
    found = [[] for _header in table.headers]
    for cells in table.rows[:200]:
        for index, value in enumerate(cells[: len(found)]):
            if value not in ("", None) and len(found[index]) < count:
                found[index].append(str(value))
    return found


@bp.post("/customers/import/<int:import_id>/run")
@staff_required(Role.MANAGER)
def customer_import_run(import_id):
    customer_import = get_for_shop_or_404(CustomerImport, import_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for(".customer_import_detail", import_id=import_id))
    try:
        imports.start(customer_import, shop=g.shop, staff=acting_staff())
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "warning")
    else:
        db.session.commit()
        flash(_("The import is running. You can leave this page: we email you the result."))
    return redirect(url_for(".customer_import_detail", import_id=import_id))


@bp.get("/customers/import/<int:import_id>/errors.xlsx")
@staff_required(Role.MANAGER)
def customer_import_errors(import_id):
    customer_import = get_for_shop_or_404(CustomerImport, import_id)
    report = imports.report_of(customer_import, g.shop)
    if report is None:
        flash(_("This import has no rejected rows."), "info")
        return redirect(url_for(".customer_import_detail", import_id=import_id))
    stem = customer_import.filename.rsplit(".", 1)[0]
    return send_file(
        BytesIO(report),
        mimetype=MEDIA_TYPES["xlsx"],
        as_attachment=True,
        download_name=f"{stem}-loi.xlsx",
    )
