"""The unsubscribe link of a marketing email (``/<shop>/unsubscribe/<token>``), which works
without logging in: the token names the customer (``services.unsubscribe``).

Opening the link shows the page and changes nothing: mail scanners open every link of an
email, and must not unsubscribe anybody. The page's button unsubscribes, and once
unsubscribed it subscribes again. A mail app's own button (``List-Unsubscribe-Post:
List-Unsubscribe=One-Click``, RFC 8058) posts ``List-Unsubscribe=One-Click`` to the same
address with no CSRF token, as no mail app has one: that post alone goes without it, and
only unsubscribes. A token changed by hand, of another shop or of a customer who is gone is
a clear page, never an error."""

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.extensions import csrf, db
from services import unsubscribe as consent
from services.campaign_send import TEST_TOKEN
from storefront import bp


def link_invalid(error):
    return render_template(
        "storefront/account/link_invalid.html",
        message=str(error.message),
        hint=_("Emails about your orders and your account still reach you."),
        action_url=url_for("storefront.login"),
        action_label=_("Log in"),
    ), 404


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token):
    one_click = request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click"
    if request.method == "POST" and not one_click and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()
    if token == TEST_TOKEN:
        return render_template("storefront/unsubscribe.html", test=True)
    try:
        customer = consent.customer_for(shop=g.shop, token=token)
    except consent.BadUnsubscribeToken as error:
        return link_invalid(error)
    if request.method == "POST":
        if not one_click and request.form.get("action") == "subscribe":
            changed = consent.subscribe(customer=customer, source=consent.LINK)
            message = _(
                "Welcome back: %(shop)s will send you its news and offers again.",
                shop=g.shop.name,
            )
        else:
            source = consent.ONE_CLICK if one_click else consent.LINK
            changed = consent.unsubscribe(customer=customer, source=source)
            message = _(
                "Done: %(shop)s will not send you news and offers any more.", shop=g.shop.name
            )
        db.session.commit()
        if one_click:
            return render_template("storefront/unsubscribe.html", customer=customer)
        if changed:
            flash(message, "success")
        return redirect(url_for("storefront.unsubscribe", token=token))
    return render_template(
        "storefront/unsubscribe.html", customer=customer, email=consent.masked(customer.email)
    )
