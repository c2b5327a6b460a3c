"""Password hashing in one place: the method is a setting (tests use a fast one)."""

from functools import cache

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

DEFAULT_METHOD = "scrypt"


def hash_password(password):
    method = DEFAULT_METHOD
    if has_app_context():
        method = current_app.config.get("PASSWORD_HASH_METHOD") or DEFAULT_METHOD
    return generate_password_hash(password, method=method)


@cache
def _dummy_hash(method):
    return generate_password_hash("not the password", method=method)


def burn_password_check(password):
    """Spend as long on an unknown login as on a wrong password."""
    method = DEFAULT_METHOD
    if has_app_context():
        method = current_app.config.get("PASSWORD_HASH_METHOD") or DEFAULT_METHOD
    check_password_hash(_dummy_hash(method), password or "")
