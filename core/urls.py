"""Absolute links for emails.

Links that leave in an email are built from ``PUBLIC_URL`` when it is set, never from the
request's Host header: a forged Host must not turn a password-reset link into the attacker's.
Without ``PUBLIC_URL`` (development) the request's own address is used."""

from flask import current_app, has_request_context, url_for


def external_url(endpoint, **values):
    base = current_app.config["PUBLIC_URL"]
    if has_request_context() and not base:
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=base or "http://127.0.0.1:5000"):
        return url_for(endpoint, _external=True, **values)
