"""The admin's first page, and the progress of a background job that a page polls."""

from flask import jsonify, render_template

from admin import bp
from core.auth import current_staff, staff_required
from core.extensions import db
from core.tenancy import get_for_shop_or_404, shop_query
from models import Customer, CustomerStatus, Job, MailStatus, OutboxMessage, ShopMembership
from services.shops import shops_of


@bp.get("/")
@staff_required()
def dashboard():
    queued = db.session.scalar(
        shop_query(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.QUEUED)
        .with_only_columns(db.func.count())
    )
    staff_count = db.session.scalar(shop_query(ShopMembership).with_only_columns(db.func.count()))
    waiting_members = db.session.scalar(
        shop_query(Customer)
        .where(Customer.status == CustomerStatus.TEMPORARY)
        .with_only_columns(db.func.count())
    )
    return render_template(
        "admin/dashboard.html",
        queued_mail=queued,
        staff_count=staff_count,
        waiting_members=waiting_members,
        my_shops=shops_of(current_staff()),
    )


@bp.get("/jobs/<int:job_id>.json")
@staff_required()
def job_status(job_id):
    job = get_for_shop_or_404(Job, job_id)
    return jsonify(
        id=job.id,
        kind=job.kind,
        status=job.status,
        progress={"done": job.progress_done, "total": job.progress_total, "percent": job.percent},
        result=job.result,
        error=job.error,
        created_at=job.created_at.isoformat(),
        started_at=job.started_at.isoformat() if job.started_at else None,
        finished_at=job.finished_at.isoformat() if job.finished_at else None,
    )
