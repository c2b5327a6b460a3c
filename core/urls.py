"""Absolute links for emails, inside a request or not (jobs, the CLI)."""

from flask import current_app, has_request_context, url_for


def external_url(endpoint, **values):
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = current_app.config["PUBLIC_URL"] or "http://127.0.0.1:5000"
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)
