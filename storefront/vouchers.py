"""The member's vouchers (``/<shop>/account/vouchers``): the codes meant for them, by name
or by one of their tags, that they may still use, with the value, the conditions and until
when. Only this shop's signed-in member sees it; a voucher open to everyone is not listed
(the shop announces those itself)."""

from flask import g, render_template

from core.auth import current_customer, customer_required
from models import utcnow
from services import vouchers as voucher_service
from storefront import bp


@bp.get("/account/vouchers")
@customer_required
def account_vouchers():
    member = current_customer()
    mine = voucher_service.vouchers_for_member(g.shop, member)
    return render_template("storefront/account/vouchers.html", vouchers=mine, now=utcnow())
