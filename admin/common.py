"""What several admin pages share, in a module without routes: the route modules import it,
never each other."""

from flask_babel import gettext as _
from flask_login import current_user


def acting_staff():
    return current_user._get_current_object()


def first_error(form):
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("The form has expired. Please try again.")
