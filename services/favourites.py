"""A member's favourite products: the heart on a product, and the list in their account.

One row per member and product (the table's unique constraint); adding what is already a
favourite, or removing what is not, changes nothing, so a double click or two tabs never
fail. A favourite is not an event of the customer's timeline: it is the shopper's bookmark,
not a change of their record. The caller commits."""

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.tenancy import for_shop
from models import Favourite, Product


def _check(shop, customer, product):
    # Programming errors, not a shopper's: views load both through the tenancy helpers.
    if customer.shop_id != shop.id or product.shop_id != shop.id:
        raise ValueError("customer or product of another shop")


def _find(shop, customer, product):
    return db.session.scalar(
        for_shop(Favourite, shop).where(
            Favourite.customer_id == customer.id, Favourite.product_id == product.id
        )
    )


def is_favourite(*, shop, customer, product):
    return _find(shop, customer, product) is not None


def add_favourite(*, shop, customer, product):
    """Make ``product`` a favourite of ``customer``; returns the row (new or already there)."""
    _check(shop, customer, product)
    found = _find(shop, customer, product)
    if found is not None:
        return found
    favourite = Favourite(shop_id=shop.id, customer_id=customer.id, product_id=product.id)
    # A savepoint: the same heart clicked in two tabs at once loses the race without
    # undoing anything else of the caller's transaction.
    savepoint = db.session.begin_nested()
    try:
        db.session.add(favourite)
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        return _find(shop, customer, product)
    savepoint.commit()
    return favourite


def remove_favourite(*, shop, customer, product):
    """Whether there was a favourite to remove."""
    _check(shop, customer, product)
    result = db.session.execute(
        delete(Favourite).where(
            Favourite.shop_id == shop.id,
            Favourite.customer_id == customer.id,
            Favourite.product_id == product.id,
        )
    )
    return result.rowcount > 0


def toggle_favourite(*, shop, customer, product, favourite=None):
    """Add or remove the favourite; ``favourite`` says which (True/False), None turns it
    over. Returns whether ``product`` is now a favourite."""
    if favourite is None:
        favourite = not is_favourite(shop=shop, customer=customer, product=product)
    if favourite:
        add_favourite(shop=shop, customer=customer, product=product)
    else:
        remove_favourite(shop=shop, customer=customer, product=product)
    return favourite


def favourite_product_ids(*, shop, customer):
    """The ids of the member's favourite products, for the hearts of a page."""
    query = for_shop(Favourite, shop).where(Favourite.customer_id == customer.id)
    return set(db.session.scalars(query.with_only_columns(Favourite.product_id)))


def favourites_query(*, shop, customer, include_hidden=False):
    """A select of the member's favourites, latest first, with their products and images.
    The shopper's list leaves hidden products out; the shop's staff see them all."""
    query = (
        for_shop(Favourite, shop)
        .join(Product, Product.id == Favourite.product_id)
        .where(Favourite.customer_id == customer.id, Product.shop_id == shop.id)
        .order_by(Favourite.created_at.desc(), Favourite.id.desc())
        .options(selectinload(Favourite.product).selectinload(Product.images))
    )
    if not include_hidden:
        query = query.where(Product.hidden.is_(False))
    return query
