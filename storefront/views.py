from flask import g, render_template

from storefront import bp, showcase


@bp.get("/")
def home():
    featured, newest = showcase.home_products(g.shop)
    return render_template("storefront/home.html", featured=featured, newest=newest)
