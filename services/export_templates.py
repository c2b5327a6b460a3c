"""The export templates a shop saves: a name and some of our columns (``COLUMNS``) in the
order the shop wants them, so a file for the accountant or the delivery company comes out
the same every time ("mẫu xuất file", as Pancake calls it).

A template stores column keys, not headers: the headers written are ours, in Vietnamese, so
a file exported with a saved template still imports back by its headers."""

from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.tenancy import for_shop, get_for_shop
from models import ExportTemplate
from services import ServiceError
from services.customer_export import TEMPLATES
from services.customer_sheet import BY_KEY

NAME_MAX = 100


class TemplateRefused(ServiceError):
    pass


def templates_of(shop):
    """The shop's saved templates, by name."""
    return db.session.scalars(
        for_shop(ExportTemplate, shop).order_by(ExportTemplate.name, ExportTemplate.id)
    ).all()


def export_columns(shop, value):
    """What an export's ``template`` field names, as ``customer_export`` writes it:
    ``"default"``, ``"shopify"``, or the column keys of one of this shop's saved templates
    (by id). Another shop's template, or one deleted meanwhile, is refused."""
    if value in TEMPLATES:
        return value
    template = get_for_shop(ExportTemplate, value, shop)
    keys = [key for key in template.columns if key in BY_KEY] if template else []
    if not keys:
        raise TemplateRefused(
            _l("This export template is not one of the shop's any more: choose another."),
            field="template",
        )
    return keys


def create_template(*, shop, name, columns):
    template = ExportTemplate(shop_id=shop.id, name="", columns=[])
    _fill(shop, template, name, columns)
    db.session.add(template)
    db.session.flush()
    return template


def update_template(*, shop, template, name, columns):
    _fill(shop, template, name, columns)
    db.session.flush()
    return template


def delete_template(*, shop, template):
    """Exports already asked for with it keep its columns (a job carries them)."""
    db.session.delete(template)
    db.session.flush()


def _fill(shop, template, name, columns):
    name = (name or "").strip()
    if not name:
        raise TemplateRefused(_l("Give the template a name."), field="name")
    if len(name) > NAME_MAX:
        raise TemplateRefused(
            _l("Please use at most %(max)d characters.", max=NAME_MAX), field="name"
        )
    taken = db.session.scalars(
        for_shop(ExportTemplate, shop).where(ExportTemplate.id != (template.id or 0))
    ).all()
    if any(other.name.casefold() == name.casefold() for other in taken):
        raise TemplateRefused(
            _l("The shop already has a template named “%(name)s”.", name=name), field="name"
        )
    keys = list(dict.fromkeys(columns or ()))
    if not keys:
        raise TemplateRefused(_l("Tick at least one column."), field="columns")
    if any(key not in BY_KEY for key in keys):
        raise TemplateRefused(_l("Choose columns from the list."), field="columns")
    template.name = name
    template.columns = keys
