"""A person's data in a shop, as Vietnam's Decree 13/2023 on personal data lets them ask:
a copy of it (the member downloads their own), and its deletion (by the shop's managers, or
by the member from their account).

Deleting a customer removes the person: their contact, phones, addresses, notes, tags,
favourites, timeline, marketing consent, sessions and waiting registrations. The shop's
orders stay, with the contact and address each order copied when it was placed, and keep
counting in the shop's figures; they no longer point at anyone, so the person can register
again with the same email as someone new. Emails already written to them are kept in the
shop's log (and delivered, when still waiting) without pointing at the record either."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, update
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.sessions import end_all_sessions
from core.tenancy import for_shop
from models import Favourite, Order, OutboxMessage, RegistrationClaim
from services import ServiceError
from services.favourites import favourites_query
from services.order_access import member_orders
from services.shops import WrongPassword


def order_count(customer):
    """How many of the shop's orders are on ``customer``'s record: all of them stay when the
    record is deleted, and move with it when it is merged."""
    return db.session.scalar(
        for_shop(Order, customer.shop)
        .with_only_columns(func.count(Order.id))
        .where(Order.customer_id == customer.id)
    )


def delete_customer(*, shop, customer):
    """Delete ``customer``'s record and what belongs to the person; keep the shop's orders.
    Returns how many orders were kept. The foreign keys say as much (``SET NULL`` and
    ``CASCADE``), but SQLite does not enforce them here, so each is done explicitly."""
    if customer.shop_id != shop.id:
        raise ServiceError(_l("This customer belongs to another shop."))
    kept = db.session.execute(
        update(Order)
        .where(Order.shop_id == shop.id, Order.customer_id == customer.id)
        .values(customer_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.shop_id == shop.id, OutboxMessage.customer_id == customer.id)
        .values(customer_id=None)
        .execution_options(synchronize_session=False)
    )
    for model in (Favourite, RegistrationClaim):
        db.session.execute(
            delete(model)
            .where(model.shop_id == shop.id, model.customer_id == customer.id)
            .execution_options(synchronize_session=False)
        )
    end_all_sessions(customer)
    # Phones, addresses, tags, notes and the timeline go with the record (its cascades).
    db.session.delete(customer)
    db.session.flush()
    return kept


def delete_customers(*, shop, customers):
    """Delete each of ``customers`` (loaded through the shop); returns (deleted, orders
    kept)."""
    kept = 0
    for customer in customers:
        kept += delete_customer(shop=shop, customer=customer)
    return len(customers), kept


def delete_own_account(*, shop, customer, password):
    """The member deletes their own account, proving it with their password. Returns how
    many of the shop's orders were kept."""
    if not customer.check_password(password or ""):
        raise WrongPassword(_l("Your current password is not correct."), "current_password")
    return delete_customer(shop=shop, customer=customer)


# --- A copy of one's own data ---------------------------------------------------------


def _when(value):
    return value.isoformat() if value is not None else None


def _profile(customer):
    return {
        "code": customer.code,
        "last_name": customer.last_name,
        "first_name": customer.first_name,
        "email": customer.email,
        "email_confirmed_at": _when(customer.email_verified_at),
        "gender": customer.gender,
        "birthday": _when(customer.birthday),
        "company": customer.company,
        "status": str(customer.status),
        "customer_since": _when(customer.created_at),
        "registered_at": _when(customer.registered_at),
        "last_login_at": _when(customer.last_login_at),
        "accepts_marketing": customer.accepts_marketing,
        "marketing_consent_at": _when(customer.marketing_consent_at),
        "marketing_consent_source": customer.marketing_consent_source,
    }


def _address(address):
    return {
        "full_name": address.full_name,
        "phone": address.phone,
        "line1": address.line1,
        "ward": address.ward,
        "district": address.district,
        "province": address.province,
        "country": address.country,
        "is_default": address.is_default,
    }


def _order(order):
    return {
        "number": order.display_number,
        "placed_at": _when(order.created_at),
        "status": str(order.status),
        "payment_status": str(order.payment_status),
        "payment_method": str(order.payment_method),
        "full_name": order.full_name,
        "email": order.email,
        "phone": order.phone,
        "address": ", ".join(
            part for part in (order.line1, order.ward, order.district, order.province) if part
        ),
        "note": order.note,
        "lines": [
            {
                "product": line.product_name,
                "sku": line.sku,
                "unit_price": line.unit_price,
                "quantity": line.quantity,
                "line_total": line.line_total,
            }
            for line in order.lines
        ],
        "subtotal": order.subtotal,
        "shipping_fee": order.shipping_fee,
        "total": order.total,
        "currency": "VND",
    }


def own_data(*, shop, customer):
    """What the shop holds about the member, for them to download: their profile, phones,
    addresses, the orders their account shows (with lines) and favourites. Never the
    staff's notes, tags, group or assigned staff: those are the shop's own working notes,
    not data the member gave."""
    if customer.shop_id != shop.id:
        raise ServiceError(_l("This customer belongs to another shop."))
    orders = db.session.scalars(
        member_orders(shop, customer).options(selectinload(Order.lines))
    ).all()
    favourites = db.session.scalars(
        favourites_query(shop=shop, customer=customer, include_hidden=True)
    ).all()
    return {
        "shop": shop.name,
        "profile": _profile(customer),
        "phones": [
            {"number": phone.number, "is_primary": phone.is_primary} for phone in customer.phones
        ],
        "addresses": [_address(address) for address in customer.addresses],
        "orders": [_order(order) for order in orders],
        "favourites": [
            {"product": favourite.product.name, "added_at": _when(favourite.created_at)}
            for favourite in favourites
        ],
    }
