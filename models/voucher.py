"""A shop's vouchers (mã giảm giá) and each use of one by an order.

A voucher takes an amount in đồng or a percent (with an optional cap) off the goods total,
and may waive the shipping fee. Who may use it is open to all, or narrowed to customers
carrying one of its tags, or to the customers it names. ``used_count`` is the number of
uses that hold (an order cancelled or returned gives its use back); it is raised by one
conditional UPDATE, so concurrent checkouts never use more than ``usage_limit``."""

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from models.base import TimestampMixin, UTCDateTime, utcnow


class VoucherKind(enum.StrEnum):
    AMOUNT = "amount"  # đồng off
    PERCENT = "percent"  # percent off, up to max_discount


class VoucherStatus(enum.StrEnum):
    """What a voucher is today (computed, never stored)."""

    ACTIVE = "active"
    SCHEDULED = "scheduled"
    EXPIRED = "expired"
    USED_UP = "used_up"
    OFF = "off"


voucher_tags = Table(
    "voucher_tags",
    db.metadata,
    Column("voucher_id", Integer, ForeignKey("vouchers.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)

voucher_customers = Table(
    "voucher_customers",
    db.metadata,
    Column("voucher_id", Integer, ForeignKey("vouchers.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "customer_id",
        Integer,
        ForeignKey("customers.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Voucher(TimestampMixin, db.Model):
    __tablename__ = "vouchers"
    # Codes are kept in capitals: unique per shop whatever case was typed.
    __table_args__ = (UniqueConstraint("shop_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(8), default=VoucherKind.AMOUNT)
    value: Mapped[int] = mapped_column()  # đồng, or a percent from 1 to 100
    max_discount: Mapped[int | None] = mapped_column()
    # The goods total before shipping must reach this.
    min_order_total: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    usage_limit: Mapped[int | None] = mapped_column()
    per_customer_limit: Mapped[int] = mapped_column(default=1)
    free_shipping: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    used_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )

    customer_tags = relationship("Tag", secondary=voucher_tags, order_by="Tag.name")
    customers = relationship("Customer", secondary=voucher_customers, order_by="Customer.id")

    @property
    def restricted(self):
        """Only for some customers (by tag or by name)."""
        return bool(self.customer_tags or self.customers)


class VoucherUse(db.Model):
    """One order's use of a voucher; ``released_at`` once the order was cancelled or
    returned (the use no longer counts)."""

    __tablename__ = "voucher_uses"
    __table_args__ = (UniqueConstraint("order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    voucher_id: Mapped[int] = mapped_column(
        ForeignKey("vouchers.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    # What the buyer saved: the goods discount and the shipping fee waived.
    discount: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    voucher: Mapped[Voucher] = relationship()
    order = relationship("Order")
    customer = relationship("Customer")
