"""Signed-in sessions kept on the server.

Each login writes a ``LoginSession`` row and hands Flask-Login the id
``"<kind>:<row id>:<secret>"``; the session cookie and the remember-me cookie both carry it,
and the row keeps only the secret's sha256. A request is signed in only while the row exists
and has not expired, so deleting it (logout, a password change, a cancelled membership, "sign
out that device") ends that login for every copy of its cookies.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_user, logout_user
from sqlalchemy import and_, delete, event, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core.clock import utcnow
from core.extensions import db
from core.inputs import parse_id
from core.jobs import periodic

# How often a session's "last seen" is written: a page view that comes sooner writes nothing.
TOUCH_EVERY = timedelta(minutes=5)

# The model of session rows, given by ``models.login_session`` (see ``bind_model``).
LoginSession = None


def bind_model(model):
    """Class decorator of the model of session rows (``models.login_session``): core works
    that table without importing the models, which sit above it."""
    global LoginSession
    LoginSession = model
    return model


class SessionUser(UserMixin):
    """A person who signs in (staff user or member). ``login_session`` is the row this request
    is signed in with (None for a person loaded otherwise); Flask-Login's id names that row."""

    login_session = None
    login_session_key = None

    def get_id(self):
        if self.login_session_key is None:
            raise RuntimeError("start_session() signs a person in, not login_user()")
        return self.login_session_key


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(remember):
    """How long a new session lasts: the remember-me cookie's life, or (for a session that
    ends with the browser) the idle time after which it is forgotten."""
    if remember:
        return current_app.config["REMEMBER_COOKIE_DURATION"]
    return current_app.permanent_session_lifetime


def _person(model, user):
    """The rows of one person: a staff user's in every shop, a member's in their shop."""
    if user.kind == "staff":
        return model.staff_id == user.id
    return and_(model.customer_id == user.id, model.shop_id == user.shop_id)


def start_session(user, *, remember=False, shop=None):
    """Sign ``user`` in on this browser: a new session row, then Flask-Login's cookie(s)
    naming it. ``shop`` is the shop whose login this is (by default the request's). Whoever
    this browser was signed in as before is signed out of it (a browser holds one login),
    for every copy of the old cookies too. The caller commits."""
    if shop is None:
        shop = g.get("shop")
    previous = current_session()
    if previous is not None:
        db.session.execute(delete(LoginSession).where(LoginSession.id == previous.id))
    now = utcnow()
    token = secrets.token_urlsafe(32)
    row = LoginSession(
        token_hash=hash_token(token),
        kind=user.kind,
        shop_id=shop.id if shop is not None else None,
        remember=bool(remember),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime(remember),
        ip=request.remote_addr,
        user_agent=(request.user_agent.string or "")[:255],
    )
    if user.kind == "staff":
        row.staff_id = user.id
    else:
        row.customer_id = user.id
    # This person's sessions that ran out are of no use to anyone.
    db.session.execute(
        delete(LoginSession).where(_person(LoginSession, user), LoginSession.expires_at <= now)
    )
    db.session.add(row)
    db.session.flush()
    user.login_session = row
    user.login_session_key = f"{user.kind}:{row.id}:{token}"
    login_user(user, remember=remember)
    return row


def current_session():
    """The session row the current request is signed in with, or None."""
    if not current_user.is_authenticated:
        return None
    return getattr(current_user, "login_session", None)


def current_session_id():
    row = current_session()
    return row.id if row is not None else None


def end_session():
    """Sign this browser out: its row goes, so copies of its cookies open nothing. The caller
    commits."""
    row = current_session()
    if row is not None:
        db.session.execute(delete(LoginSession).where(LoginSession.id == row.id))
    logout_user()


def end_one_session(row):
    """End one of the signed-in person's sessions; ending this browser's signs it out."""
    here = row.id == current_session_id()
    db.session.execute(delete(LoginSession).where(LoginSession.id == row.id))
    if here:
        logout_user()
    return here


def end_other_sessions(user, *, keep):
    """End every session of ``user`` but the one whose id is ``keep`` (None ends them all).
    Returns how many ended."""
    query = delete(LoginSession).where(_person(LoginSession, user))
    if keep is not None:
        query = query.where(LoginSession.id != keep)
    return db.session.execute(query).rowcount


def end_all_sessions(user):
    return end_other_sessions(user, keep=None)


def sessions_of(user):
    """The person's sessions still open, the most recently seen first."""
    return db.session.scalars(
        db.select(LoginSession)
        .where(_person(LoginSession, user), LoginSession.expires_at > utcnow())
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    ).all()


def session_of(user, session_id):
    """One of the person's open sessions by id, or None (someone else's id is None too)."""
    if parse_id(session_id) is None:
        return None
    return db.session.scalar(
        db.select(LoginSession).where(
            LoginSession.id == session_id,
            _person(LoginSession, user),
            LoginSession.expires_at > utcnow(),
        )
    )


def device_name(row):
    """What a person calls the device of a session: "Chrome on Android"."""
    browser, system = row.browser, row.system
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    if system:
        return _("A browser on %(system)s", system=system)
    return browser or _("Unknown browser")


def device_icon(row):
    """A Bootstrap icon of the kind of device."""
    return {"Android": "bi-phone", "iPhone": "bi-phone", "iPad": "bi-tablet"}.get(
        row.system, "bi-laptop"
    )


def init_app(app):
    app.jinja_env.globals.update(device_name=device_name, device_icon=device_icon)


# --- Loading the signed-in person -------------------------------------------------------


def session_for_key(key):
    """The open session row named by a Flask-Login id, or None: unknown, ended, expired or
    with the wrong secret."""
    kind, _, rest = str(key).partition(":")
    row_id, _, token = rest.partition(":")
    row_id = parse_id(row_id)
    if row_id is None or not token:
        return None
    row = db.session.get(LoginSession, row_id)
    if row is None or row.kind != kind:
        return None
    if not hmac.compare_digest(row.token_hash, hash_token(token)):
        return None
    if row.expires_at <= utcnow():
        return None
    return row


def attach(user, row, key):
    """``user`` is signed in with ``row`` for this request."""
    user.login_session = row
    user.login_session_key = key
    touch(row)
    return user


def touch(row):
    """Note when the session was last seen, at most once every ``TOUCH_EVERY``: most page
    views write nothing. A session that ends with the browser is forgotten after an idle
    time, so each note moves its end too."""
    now = utcnow()
    if now - row.last_seen_at < TOUCH_EVERY or _request_has_written():
        return
    values = {"last_seen_at": now, "ip": request.remote_addr}
    if not row.remember:
        values["expires_at"] = now + lifetime(False)
    # On a connection of its own, so that the note is kept whether or not the request
    # commits, and commits nothing of the request's.
    with db.engine.begin() as connection:
        connection.execute(update(LoginSession).where(LoginSession.id == row.id).values(values))
    for name, value in values.items():
        set_committed_value(row, name, value)


def _request_has_written():
    """True once this request's transaction holds writes: a second connection writing now
    would wait for it (SQLite has one writer at a time). The note waits for the next view."""
    session = db.session
    return bool(session.info.get("has_written") or session.new or session.dirty or session.deleted)


@event.listens_for(Session, "after_flush")
def _note_written(session, flush_context):
    session.info["has_written"] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement_written(state):
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["has_written"] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_written(session, transaction):
    if transaction.parent is None:
        session.info.pop("has_written", None)


@periodic("sessions.purge", minute="17")
def purge_expired():
    """Delete the rows of sessions that ran out (they open nothing already)."""
    db.session.execute(delete(LoginSession).where(LoginSession.expires_at <= utcnow()))
    db.session.commit()
