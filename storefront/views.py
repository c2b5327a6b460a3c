from flask import render_template

from storefront import bp
from storefront.catalog import home_products


@bp.get("/")
def home():
    featured, newest = home_products()
    return render_template("storefront/home.html", featured=featured, newest=newest)
