"""Who is signed in. One Flask-Login session holds either a staff user or a customer, told
apart by the kind written into the session id (see ``core.sessions``); a staff user counts
only in the admin of a shop they belong to."""

from functools import wraps

from flask import abort, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import sessions
from core.extensions import login_manager

login_manager.login_message = _l("Please log in to continue.")
login_manager.login_message_category = "warning"
login_manager.session_protection = "basic"

USER_LOADERS = {}


def user_loader(kind):
    """Register the loader of one kind of user: ``loader(login_session) -> user | None``,
    given a session row that is open (its secret checked, not expired). The models of the
    people who sign in register theirs (``models.shop``, ``models.customer``)."""

    def decorator(func):
        USER_LOADERS[kind] = func
        return func

    return decorator


@login_manager.user_loader
def load_user(session_key):
    row = sessions.session_for_key(session_key)
    loader = USER_LOADERS.get(row.kind) if row is not None else None
    user = loader(row) if loader is not None else None
    # A session older than its person belongs to an earlier row that had the same id.
    if user is None or user.created_at > row.created_at:
        return None
    return sessions.attach(user, row, session_key)


@login_manager.unauthorized_handler
def unauthorized():
    abort(401)


def init_app(app):
    """Nothing to bind: the models registered their loaders when they were imported."""


def current_staff():
    """The signed-in staff user, or None (a customer session is not a staff session)."""
    user = current_user
    if user.is_authenticated and getattr(user, "kind", None) == "staff":
        return user
    return None


def current_customer():
    """The signed-in member of the current shop, or None. A member of another shop, a member
    who is no longer official, and a staff user are all None here."""
    user = current_user
    shop = g.get("shop")
    if (
        shop is not None
        and user.is_authenticated
        and getattr(user, "kind", None) == "customer"
        and user.shop_id == shop.id
        and user.is_active
    ):
        return user
    return None


def customer_required(view):
    """Storefront account pages: anyone but this shop's signed-in member goes to its login."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_customer() is None:
            return redirect(url_for("storefront.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def current_membership():
    """The signed-in staff user's membership of the current shop, or None."""
    if "membership" not in g:
        staff = current_staff()
        shop = g.get("shop")
        g.membership = staff.membership_in(shop) if staff and shop else None
    return g.membership


def staff_may(role):
    """Whether the signed-in staff user's role here is ``role`` or above: what a page offers
    (its buttons, its forms) follows the same rule as ``staff_required``."""
    membership = current_membership()
    return membership is not None and membership.allows(role)


def staff_login_key():
    """Password tries count per staff account, on every page that takes its password (the
    shop's login and the platform's)."""
    return "staff-login:" + request.form.get("email", "").strip().lower()


def staff_required(role="staff"):
    """Admin views: anonymous visitors go to the shop's staff login; staff of another shop
    and customers get the same 404 as a page that does not exist; too low a role is 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_staff() is None:
                return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
            membership = current_membership()
            if membership is None:
                abort(404)
            if not membership.allows(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target, prefix):
    """Return ``target`` if it is a local path under ``prefix``; otherwise None."""
    if not target or not isinstance(target, str):
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    path = target.split("?", 1)[0]
    if path != prefix.rstrip("/") and not path.startswith(prefix.rstrip("/") + "/"):
        return None
    return target
