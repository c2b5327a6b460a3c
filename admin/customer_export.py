"""Customers downloaded as a spreadsheet from the list: the current page, all of them, the
ticked ones or everything the filter finds, as xlsx, csv or txt, in our columns, Shopify's or
a template the shop saved (``services.export_templates``).

Personal data of many customers at once: managers and the owner only (a ``staff`` role gets
403). Ids of another shop's customers are never loaded, so never written. Up to
``EXPORT_MAX_DOWNLOAD_ROWS`` customers download at once; more are written by a job
(``services.export_files``) and the link is emailed."""

from flask import (
    Response,
    current_app,
    flash,
    g,
    redirect,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import format_number
from flask_babel import gettext as _
from markupsafe import Markup

from admin import bp
from admin.common import acting_staff, assigned_to, ticked_ids
from admin.customer_export_forms import export_form
from core.auth import safe_next, staff_required
from core.extensions import db
from core.forms import first_error
from core.inputs import parse_page
from models import Role
from services import ServiceError, customer_list, export_files, export_templates
from services import customer_export as export


def chosen_ids(form):
    """The ids of the customers the form asks for, in the order they are written."""
    return export.export_ids(
        shop=g.shop,
        scope=form.scope.data,
        customer_filter=customer_list.read_filter(request.form, g.shop),
        sort=customer_list.read_sort(request.form.get("sort")),
        page=parse_page(request.form.get("page")),
        per_page=customer_list.read_per_page(request.form.get("per_page")),
        ids=ticked_ids(),
        assigned_to=assigned_to(),
    )


@bp.post("/customers/export")
@staff_required(Role.MANAGER)
def customers_export():
    form = export_form(g.shop)
    back = safe_next(request.form.get("next"), url_for("admin.dashboard")) or url_for(
        "admin.customers"
    )
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return redirect(back)
    try:
        template = export_templates.export_columns(g.shop, form.template.data)
        ids = chosen_ids(form)
    except ServiceError as error:
        flash(str(error.message), "warning")
        return redirect(back)
    file_format = form.format.data
    if len(ids) > current_app.config["EXPORT_MAX_DOWNLOAD_ROWS"]:
        export_later(ids, file_format, template)
        return redirect(back)
    return download_now(ids, file_format, template)


def download_now(ids, file_format, template):
    name = export.file_name(g.shop, file_format)
    if file_format == "xlsx":
        file = export.write_xlsx(g.shop, ids, template)
        return send_file(
            file, mimetype=export.MEDIA_TYPES["xlsx"], as_attachment=True, download_name=name
        )
    chunks = export.text_chunks(g.shop, ids, template, file_format)
    return Response(
        stream_with_context(chunks),
        mimetype=export.MEDIA_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def export_later(ids, file_format, template):
    """Too many rows to wait for: a job writes the file and the link is emailed."""
    export_files.start_export_job(
        shop=g.shop, actor=acting_staff(), ids=ids, file_format=file_format, template=template
    )
    db.session.commit()
    message = _(
        "%(n)s customers to export: the file is being prepared. You will get an email with a "
        "download link.",
        n=format_number(len(ids)),
    )
    link = _("See the exports")
    flash(Markup('{} <a href="{}">{}</a>').format(message, url_for("admin.exports"), link), "info")
