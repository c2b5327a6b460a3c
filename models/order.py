"""Orders, their lines and the members' favourites.

An order keeps its own copy of the buyer's contact, the delivery address and each line's
product name and price: deleting a customer or changing a product never rewrites history."""

import enum
import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from models.base import TimestampMixin, UTCDateTime, utcnow


class OrderStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    SHIPPING = "shipping"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    RETURNED = "returned"  # a COD parcel refused at delivery: "hoàn hàng"


class PaymentStatus(enum.StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"


class PaymentMethod(enum.StrEnum):
    COD = "cod"
    BANK_TRANSFER = "bank_transfer"


def order_token():
    return secrets.token_urlsafe(24)


class Order(TimestampMixin, db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("shop_id", "number"),
        UniqueConstraint("token"),
        Index("ix_orders_shop_id_created_at", "shop_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()  # shown as #1001
    # Unguessable: whoever has the link sees the order.
    token: Mapped[str] = mapped_column(String(48), default=order_token)
    # The customer record it belongs to; None once the customer was deleted.
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), default=OrderStatus.PENDING, index=True)
    payment_status: Mapped[str] = mapped_column(String(8), default=PaymentStatus.UNPAID)
    payment_method: Mapped[str] = mapped_column(String(16), default=PaymentMethod.COD)
    # Placed by the shopper as a guest, as a member, or by staff in the admin.
    source: Mapped[str] = mapped_column(String(12), default="guest")
    created_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    # A guest checkout with the email of a cancelled member: taken (a refusal would tell the
    # shopper the account exists), and shown to the manager as a warning.
    cancelled_member_email: Mapped[bool] = mapped_column(default=False)

    # Snapshot of contact and delivery address.
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(20))
    line1: Mapped[str] = mapped_column(String(255))
    ward: Mapped[str] = mapped_column(String(120), default="")
    district: Mapped[str | None] = mapped_column(String(120))
    province: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2), default="VN")
    note: Mapped[str] = mapped_column(Text, default="")

    # Money in đồng.
    subtotal: Mapped[int] = mapped_column(default=0)
    shipping_fee: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # A voucher as applied: its code, what it took off the goods, and its terms then
    # (kind, value, cap, minimum, free shipping, the shipping fee it waived).
    voucher_code: Mapped[str | None] = mapped_column(String(40))
    discount: Mapped[int] = mapped_column(default=0)
    voucher_terms: Mapped[dict | None] = mapped_column(JSON)

    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    customer = relationship("Customer")

    @property
    def display_number(self):
        return f"#{self.number}"

    @property
    def counts_for_customer(self):
        """Cancelled orders (and refused parcels) do not count toward a customer's totals."""
        return self.status not in (OrderStatus.CANCELLED, OrderStatus.RETURNED)


class OrderLine(db.Model):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # None once the product was deleted; the name and price below stay.
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    product_name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str | None] = mapped_column(String(64))
    unit_price: Mapped[int] = mapped_column()
    quantity: Mapped[int] = mapped_column()
    line_total: Mapped[int] = mapped_column()

    order: Mapped[Order] = relationship(back_populates="lines")
    product = relationship("Product")


class Favourite(db.Model):
    __tablename__ = "favourites"
    __table_args__ = (UniqueConstraint("customer_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product = relationship("Product")
    customer = relationship("Customer")
