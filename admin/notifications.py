"""The notification emails the shop may write in its own words (``/emails/notifications``):
the list of kinds, each "default" or "edited", and one kind's editor
(``/emails/notifications/<kind>``): subject and body with its placeholders, a preview on a
sample customer and order, save, and reset to the built-in email.

Who may: managers and the owner; a ``staff`` role gets 403, another shop's staff a 404. What
is refused (a text that does not read, a placeholder the kind does not offer) is shown beside
its field and nothing is saved."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from admin import bp
from admin.common import acting_staff
from admin.notification_forms import NotificationTemplateForm
from core.auth import staff_required
from core.extensions import db
from core.forms import show_error
from core.outbox import reveal
from models import Role
from services import ServiceError
from services import notification_templates as notices


@bp.get("/emails/notifications")
@staff_required(Role.MANAGER)
def email_notifications():
    return render_template(
        "admin/notifications.html",
        kinds=notices.KINDS.values(),
        edited=notices.edited_templates(g.shop),
    )


def previewed(form, kind):
    """The preview of the form's text, or None (the errors are on the form)."""
    try:
        email = notices.preview(g.shop, kind, subject=form.subject.data, body=form.body.data)
    except ServiceError as error:
        show_error(form, error, form.body)
        return None
    return {
        "subject": email.subject,
        # markdown-it's HTML, with the sample's addresses (escaped) where its links go.
        "html": Markup(reveal(str(email.content_html), email.links.urls, html=True)),  # noqa: S704
        "text": reveal(email.text, email.links.urls, html=False),
    }


def act(form, kind):
    """Save or reset on a checked post; True when done."""
    if not form.validate_on_submit() or "preview" in request.form:
        return False
    if "reset" in request.form:
        notices.reset(shop=g.shop, kind=kind)
        message = _("“%(kind)s” is back to the default email.", kind=kind.label)
    else:
        try:
            notices.save(
                shop=g.shop,
                kind=kind,
                subject=form.subject.data,
                body=form.body.data,
                staff=acting_staff(),
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.body)
            return False
        message = _("“%(kind)s” is saved: it is sent from now on.", kind=kind.label)
    db.session.commit()
    flash(message, "success")
    return True


@bp.route("/emails/notifications/<kind_name>", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def email_notification(kind_name):
    kind = notices.kind_or_none(kind_name) or abort(404)
    current = notices.current_text(g.shop, kind)
    form = NotificationTemplateForm(data={"subject": current.subject, "body": current.body})
    if act(form, kind):
        return redirect(url_for("admin.email_notification", kind_name=kind.name))
    preview = previewed(form, kind) if not form.errors else None
    return render_template(
        "admin/notification_edit.html",
        form=form,
        kind=kind,
        edited=current.edited,
        preview=preview,
        placeholders=kind.allowed,
        secret=kind.secret,
    ), (400 if form.errors else 200)
