from flask import render_template

from storefront import bp


@bp.get("/")
def home():
    return render_template("storefront/home.html")
