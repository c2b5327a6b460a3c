"""The shop's tags for customers (``/<shop>/admin/tags``): how many customers carry each,
rename, merge and delete. Managers and owners only: a tag changes every customer it is on."""

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from admin import bp
from admin.forms import TagForm, TagMergeForm
from core.auth import staff_required
from core.extensions import db
from core.forms import EmptyForm, first_error
from core.tenancy import get_for_shop_or_404
from models import Role, Tag
from services import ServiceError
from services import tags as tag_service


@bp.get("/tags")
@staff_required(Role.MANAGER)
def customer_tags():
    return render_template(
        "admin/tags.html",
        tags=tag_service.tags_with_counts(g.shop),
        form=TagForm(formdata=None),
        merge_form=TagMergeForm(formdata=None),
    )


def done(message):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.customer_tags"))


def refused(message):
    db.session.rollback()
    flash(message, "danger")
    return redirect(url_for("admin.customer_tags"))


@bp.post("/tags/<int:tag_id>/rename")
@staff_required(Role.MANAGER)
def customer_tag_rename(tag_id):
    tag = get_for_shop_or_404(Tag, tag_id, lock=True)
    form = TagForm()
    if not form.validate_on_submit():
        return refused(first_error(form))
    old = tag.name
    try:
        kept = tag_service.rename_tag(shop=g.shop, tag=tag, name=form.name.data)
    except ServiceError as error:
        return refused(str(error.message))
    new = kept.name
    if kept is not tag:
        return done(_("“%(old)s” was merged into “%(new)s”.", old=old, new=new))
    return done(_("“%(old)s” is now “%(new)s”.", old=old, new=new))


@bp.post("/tags/<int:tag_id>/merge")
@staff_required(Role.MANAGER)
def customer_tag_merge(tag_id):
    tag = get_for_shop_or_404(Tag, tag_id, lock=True)
    form = TagMergeForm()
    if not form.validate_on_submit():
        return refused(first_error(form))
    old = tag.name
    try:
        target = tag_service.tag_named(g.shop, form.target.data)
        tag_service.merge_tags(shop=g.shop, sources=[tag], target=target)
    except ServiceError as error:
        return refused(str(error.message))
    return done(_("“%(old)s” was merged into “%(new)s”.", old=old, new=target.name))


@bp.post("/tags/<int:tag_id>/delete")
@staff_required(Role.MANAGER)
def customer_tag_delete(tag_id):
    tag = get_for_shop_or_404(Tag, tag_id, lock=True)
    if not EmptyForm().validate_on_submit():
        return refused(_("The form has expired. Please try again."))
    name = tag.name
    removed = tag_service.delete_tag(shop=g.shop, tag=tag)
    return done(_("The tag “%(name)s” was deleted from %(n)s customers.", name=name, n=removed))
