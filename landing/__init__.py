"""The platform's own pages, outside any shop: landing, sign-up, staff login, health.

The blueprint keeps the name ``platform``: its endpoints are ``platform.landing``,
``platform.signup``… and its templates live in ``templates/platform/``."""

from flask import Blueprint

bp = Blueprint("platform", __name__)

from landing import views  # noqa: E402, F401
