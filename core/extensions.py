"""Extensions, created unbound and bound to the app in ``create_app``."""

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
migrate = Migrate()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


@limiter.request_filter
def _reading_is_not_limited():
    """The limits guard what writes (logins, registrations, password resets, emails sent),
    all of them POSTs: a page view is never counted, and costs no look at the storage."""
    return request.method in ("GET", "HEAD", "OPTIONS")


def limit_from_config(name):
    """The limit of a ``limiter.limit`` decorator, read from the setting ``name`` at each
    request (so a test app sets its own): ``limit_from_config("LOGIN_RATE_LIMIT")``."""

    def limit():
        return current_app.config[name]

    return limit
