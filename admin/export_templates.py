"""The export templates a shop saves (``/<shop>/admin/customers/export/templates``): a name
and some of our columns in an order, offered in the customer list's export menu. Managers
and the owner only, as the export itself; another shop's template is a 404."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from admin import bp
from admin.customer_export_forms import ExportTemplateForm
from core.auth import staff_required
from core.extensions import db
from core.forms import EmptyForm, show_error
from core.tenancy import get_for_shop_or_404
from models import ExportTemplate, Role
from services import ServiceError
from services import export_templates as templates
from services.customer_sheet import BY_KEY


@bp.get("/customers/export/templates")
@staff_required(Role.MANAGER)
def export_templates():
    return render_template(
        "admin/export_templates.html", templates=templates.templates_of(g.shop), columns=BY_KEY
    )


@bp.route("/customers/export/templates/new", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def export_template_create():
    form = ExportTemplateForm()
    return saved(form, None) or template_page(form, None)


@bp.route("/customers/export/templates/<int:template_id>/edit", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def export_template_edit(template_id):
    template = get_for_shop_or_404(ExportTemplate, template_id, lock=request.method == "POST")
    form = ExportTemplateForm(name=template.name, columns=template.columns)
    return saved(form, template) or template_page(form, template)


@bp.post("/customers/export/templates/<int:template_id>/delete")
@staff_required(Role.MANAGER)
def export_template_delete(template_id):
    template = get_for_shop_or_404(ExportTemplate, template_id, lock=True)
    if EmptyForm().validate_on_submit():
        name = template.name
        templates.delete_template(shop=g.shop, template=template)
        db.session.commit()
        flash(_("The export template “%(name)s” was deleted.", name=name), "success")
    return redirect(url_for("admin.export_templates"))


def template_page(form, template):
    status = 400 if request.method == "POST" else 200
    return render_template("admin/export_template_form.html", form=form, template=template), status


def saved(form, template):
    """Create the template (``template`` None) or change it from the posted form: the
    redirect to the list once saved, None when there is nothing (valid) to save."""
    if not form.validate_on_submit():
        return None
    values = {"shop": g.shop, "name": form.name.data, "columns": form.columns.data}
    try:
        if template is None:
            template = templates.create_template(**values)
        else:
            templates.update_template(template=template, **values)
    except ServiceError as error:
        db.session.rollback()
        show_error(form, error, form.name)
        return None
    db.session.commit()
    flash(_("The export template “%(name)s” was saved.", name=template.name), "success")
    return redirect(url_for("admin.export_templates"))
