"""The admin's first page, and the progress of a background job that a page polls."""

from flask import g, jsonify, render_template

from admin import bp
from admin.charts import daily_chart, day_label
from admin.common import assigned_to
from core.auth import current_staff, staff_may, staff_required
from core.tenancy import get_for_shop_or_404
from models import Job, Role
from services.dashboard import dashboard as dashboard_figures
from services.shops import shops_of
from services.tags import REFUSAL_TAG


@bp.get("/")
@staff_required()
def dashboard():
    figures = dashboard_figures(shop=g.shop, assigned_to=assigned_to())
    return render_template(
        "admin/dashboard.html",
        figures=figures,
        members_chart=daily_chart(figures.days, "members"),
        orders_chart=daily_chart(figures.days, "orders"),
        day_label=day_label,
        refusal_tag=REFUSAL_TAG,
        can_manage=staff_may(Role.MANAGER),
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
