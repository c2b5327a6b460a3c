"""The import template, downloaded from the import page: the shop's own columns with two
example rows, and a second sheet explaining each column.

Managers and the owner only, as the import itself (a ``staff`` role gets 403); it holds no
customer, but it belongs to a page they alone may use."""

import io

from flask import current_app, send_file

from admin import bp
from core.auth import staff_required
from models import Role
from services import import_files
from services.customer_export import MEDIA_TYPES


@bp.get("/customers/import/template.xlsx")
@staff_required(Role.MANAGER)
def customers_import_template():
    data = import_files.template_workbook(
        max_bytes=current_app.config["IMPORT_MAX_BYTES"],
        max_rows=current_app.config["IMPORT_MAX_ROWS"],
    )
    return send_file(
        io.BytesIO(data),
        mimetype=MEDIA_TYPES["xlsx"],
        as_attachment=True,
        download_name=import_files.TEMPLATE_NAME,
    )
