"""The shop's sent and queued emails, one by one, as staff see them: secret links show as a
marker. The log is ``/emails/log`` (``/emails`` lists the shop's emails to its customers);
a message keeps its address ``/emails/<id>``."""

from flask import render_template, request

from admin import bp
from admin.common import sandboxed
from core.auth import staff_required
from core.inputs import paginate
from core.outbox import html_for_staff, text_for_staff
from core.tenancy import get_for_shop_or_404, shop_query
from models import MailStatus, OutboxMessage


@bp.get("/emails/log")
@staff_required()
def email_log():
    status = request.args.get("status", "")
    query = shop_query(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in set(MailStatus):
        query = query.where(OutboxMessage.status == status)
    page = paginate(query, per_page=50)
    return render_template("admin/emails.html", page=page, status=status, statuses=MailStatus)


@bp.get("/emails/<int:message_id>")
@staff_required()
def email_detail(message_id):
    message = get_for_shop_or_404(OutboxMessage, message_id)
    return render_template(
        "admin/email_detail.html", message=message, text=text_for_staff(message.body_text)
    )


@bp.get("/emails/<int:message_id>/preview")
@staff_required()
def email_preview(message_id):
    """The HTML body alone, for the framed preview: no script runs, nothing is fetched, and
    secret links show as a marker."""
    message = get_for_shop_or_404(OutboxMessage, message_id)
    return sandboxed(html_for_staff(message.body_html))
