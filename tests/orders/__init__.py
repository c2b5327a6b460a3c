"""Orders after they are placed: their status, the member's pages and the admin's.
Helpers shared by the tests of this package."""

from sqlalchemy import func, select

from core.extensions import db
from models import CustomerEvent, OutboxMessage, Product

# --- Reading what the database holds --------------------------------------------------


def stock_of(product_id):
    return db.session.get(Product, product_id).stock


def mails(kind="order_status"):
    """(to address, subject) of the queued messages of ``kind``, oldest first."""
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    )
    return [(m.to_address, m.subject) for m in rows]


def events_of(customer_id, type_):
    return db.session.scalars(
        select(CustomerEvent)
        .where(CustomerEvent.customer_id == customer_id)
        .where(CustomerEvent.type == type_)
        .order_by(CustomerEvent.id)
    ).all()


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))
