"""What several admin pages share, in a module without routes: the route modules import it,
never each other."""

from flask_login import current_user


def acting_staff():
    return current_user._get_current_object()
