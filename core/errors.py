"""Translated error pages."""

from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from core.extensions import db
from core.forms import FORM_EXPIRED

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please try again.")),
    401: (_l("Please log in"), _l("You need to log in to see this page.")),
    403: (_l("Access denied"), _l("You do not have permission to do this.")),
    404: (_l("Page not found"), _l("The page you are looking for does not exist or has moved.")),
    405: (_l("Not allowed"), _l("This action is not allowed here.")),
    413: (_l("File too large"), _l("The file you sent is larger than this site accepts.")),
    429: (
        _l("Too many attempts"),
        _l("You have tried too many times. Please wait a moment and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred. Please try again in a moment."),
    ),
}


def wants_json():
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.endswith(".json") or (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def render_error(code, message=None):
    title, default = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    message = message or default
    if wants_json():
        return jsonify(error=str(title), message=str(message)), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register_errorhandlers(app):
    @app.errorhandler(CSRFError)
    def handle_csrf(error):
        """The one answer to a post without its valid token, whatever page sent it: checked
        before any view runs (``CSRFProtect``), so no view handles it and nothing is written."""
        return render_error(400, FORM_EXPIRED)

    @app.errorhandler(HTTPException)
    def handle_http(error):
        code = error.code or 500
        if code >= 500:
            db.session.rollback()
        body, status = render_error(code)
        keep = {k: v for k, v in error.get_headers() if k in ("Retry-After", "Allow")}
        return body, status, keep
