"""Saved filters of the customer list (``/<shop>/admin/segments``): save the current filter
by name from the list, open it again, delete it. Managers and the owner."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from admin import bp
from admin.common import acting_staff
from core.auth import staff_required
from core.extensions import db
from core.forms import EmptyForm
from core.tenancy import get_for_shop_or_404
from models import CustomerSegment, Role
from services import ServiceError, customer_list
from services import segments as segment_service


@bp.get("/segments")
@staff_required(Role.MANAGER)
def segments():
    rows = []
    for segment in segment_service.segments_of(g.shop):
        customer_filter = segment_service.segment_filter(g.shop, segment)
        count = customer_list.count(shop=g.shop, customer_filter=customer_filter)
        rows.append((segment, customer_filter, count))
    return render_template("admin/segments.html", rows=rows)


@bp.post("/segments")
@staff_required(Role.MANAGER)
def segment_create():
    query = request.form.get("query", "")
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("admin.customers"))
    try:
        segment = segment_service.save_segment(
            shop=g.shop, name=request.form.get("name"), query=query, staff=acting_staff()
        )
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return redirect(url_for("admin.customers") + ("?" + query if query else ""))
    db.session.commit()
    flash(_("The segment “%(name)s” was saved.", name=segment.name), "success")
    return redirect(url_for("admin.segments"))


@bp.post("/segments/<int:segment_id>/delete")
@staff_required(Role.MANAGER)
def segment_delete(segment_id):
    segment = get_for_shop_or_404(CustomerSegment, segment_id, lock=True)
    if EmptyForm().validate_on_submit():
        name = segment.name
        segment_service.delete_segment(shop=g.shop, segment=segment)
        db.session.commit()
        flash(_("The segment “%(name)s” was deleted.", name=name), "success")
    return redirect(url_for("admin.segments"))
