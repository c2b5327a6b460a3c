"""Response headers that keep pages from being framed, loading foreign code or being kept
in caches."""

from flask import request

CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "font-src 'self'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)


def register_security_headers(app):
    @app.after_request
    def set_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["ENV"] == "production":
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response


def no_store(response):
    """A personal page: neither the browser nor a proxy keeps a copy, so the back button on a
    shared computer after logging out shows nothing of it."""
    response.headers["Cache-Control"] = "no-store"
    return response


def no_store_under(*rule_prefixes):
    """An ``after_request`` of a blueprint: ``no_store`` for the routes under these rules."""

    def after_request(response):
        rule = request.url_rule
        if rule is not None and rule.rule.startswith(rule_prefixes):
            no_store(response)
        return response

    return after_request
