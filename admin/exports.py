"""Files that export jobs wrote (``/<shop>/admin/exports``): the list of the last day's, and
the download the emailed link opens.

Personal data of many customers: the shop's managers and owner only, signed in (a visitor
goes to the login, a ``staff`` role gets 403, another shop's staff a 404, as every admin
page). A file is kept 24 hours; after that its link answers 410 and the bytes are gone."""

import io

from flask import current_app, g, render_template, send_file
from flask_babel import format_number

from admin import bp
from core.auth import staff_required
from core.clock import utcnow
from core.extensions import db
from core.tenancy import get_for_shop_or_404
from models import ExportFile, Role
from services import ServiceError, export_files


@bp.get("/exports")
@staff_required(Role.MANAGER)
def exports():
    return render_template(
        "admin/exports.html",
        exports=export_files.recent_exports(shop=g.shop),
        keep_hours=int(export_files.KEEP_FOR.total_seconds() // 3600),
        max_download=format_number(current_app.config["EXPORT_MAX_DOWNLOAD_ROWS"]),
        now=utcnow(),
    )


@bp.get("/exports/<int:export_id>")
@staff_required(Role.MANAGER)
def export_download(export_id):
    export_file = get_for_shop_or_404(ExportFile, export_id)
    try:
        data = export_files.downloadable(export_file)
    except ServiceError as error:
        db.session.commit()  # the expired file's bytes are wiped
        return render_template("admin/export_expired.html", message=error.message), 410
    return send_file(
        io.BytesIO(data),
        mimetype=export_file.media_type,
        as_attachment=True,
        download_name=export_file.filename,
    )
