"""The form of a notification email the shop edits: its subject and its Markdown body. The
checks that say what is wrong are the service's, shown beside the field they name."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from core.forms import Form


class NotificationTemplateForm(Form):
    subject = StringField(_l("Subject"))
    body = TextAreaField(_l("Message"))
