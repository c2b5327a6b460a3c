"""Shops, the staff who run them and their roles."""

import enum
import re
import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash

from core import tenancy
from core.auth import user_loader
from core.extensions import db
from core.passwords import hash_password
from core.sessions import SessionUser
from models.base import TimestampMixin, UTCDateTime, utcnow

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$")
# First path segments the platform uses itself, or may use, and words that would mislead.
RESERVED_SLUGS = frozenset(
    """
    _dev _debug about account accounts admin administrator api app apps assets auth billing
    blog cart checkout cdn config contact dashboard demo-shop docs download downloads favicon.ico
    favourites healthz help home lang language login logout mail media new orders platform
    pricing privacy products robots.txt search settings shop shops signin signup sitemap static
    status support terms uploads user users webhooks www
    """.split()
)


def new_token():
    return secrets.token_urlsafe(16)


class Role(enum.StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    STAFF = "staff"

    @property
    def rank(self):
        return {"staff": 1, "manager": 2, "owner": 3}[self.value]


@tenancy.bind_model
class Shop(TimestampMixin, db.Model):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    currency: Mapped[str] = mapped_column(String(3), default="VND")
    auto_approve_members: Mapped[bool] = mapped_column(default=False)
    notify_staff_of_registrations: Mapped[bool] = mapped_column(default=True)
    # The last number handed out for customer codes (KH000001, KH000002, …).
    customer_seq: Mapped[int] = mapped_column(default=0)
    # The last order number handed out; the first order is #1001.
    order_seq: Mapped[int] = mapped_column(default=1000)
    # Raised in the same transaction as every change to the shop's products, images,
    # collections or stock (models/catalog.py): the storefront's copies of older versions
    # are not used any more.
    catalog_version: Mapped[int] = mapped_column(default=0)
    # Selling settings: a flat shipping fee, free above a threshold (đồng; None = never free),
    # bank details shown for transfers, and after how many refused COD parcels a customer is
    # tagged "hay hoàn".
    shipping_fee: Mapped[int] = mapped_column(default=30000)
    free_shipping_threshold: Mapped[int | None] = mapped_column()
    bank_details: Mapped[str] = mapped_column(Text, default="")
    refusal_tag_threshold: Mapped[int] = mapped_column(default=2)

    memberships: Mapped[list["ShopMembership"]] = relationship(
        back_populates="shop", cascade="all, delete-orphan"
    )

    def __repr__(self):
        return f"<Shop {self.slug}>"


class StaffUser(SessionUser, TimestampMixin, db.Model):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list["ShopMembership"]] = relationship(
        back_populates="staff", cascade="all, delete-orphan"
    )

    kind = "staff"

    def set_password(self, password):
        self.password_hash = hash_password(password)

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self):
        return self.active

    def membership_in(self, shop):
        """The person's active membership of ``shop``, or None."""
        for membership in self.memberships:
            if membership.shop_id == shop.id and membership.active:
                return membership
        return None

    @property
    def display_name(self):
        return self.name or self.email

    def __repr__(self):
        return f"<StaffUser {self.email}>"


class ShopMembership(TimestampMixin, db.Model):
    __tablename__ = "shop_memberships"
    __table_args__ = (UniqueConstraint("shop_id", "staff_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default=Role.STAFF)
    # The columns this staff member chose to see in the customer list (None: the default).
    customer_columns: Mapped[list | None] = mapped_column(JSON)
    # A deactivated member keeps their place (and the customers assigned to them) but opens
    # nothing of the shop until the owner activates them again.
    active: Mapped[bool] = mapped_column(default=True)

    shop: Mapped[Shop] = relationship(back_populates="memberships")
    staff: Mapped[StaffUser] = relationship(back_populates="memberships")

    def allows(self, role):
        return Role(self.role).rank >= Role(role).rank


class StaffInvitation(db.Model):
    """An owner's invitation to join the shop's staff. The person joins only by opening the
    emailed link and accepting it, as the account the invitation names; the link's token is
    kept as a hash, so the table alone opens nothing."""

    __tablename__ = "staff_invitations"
    __table_args__ = (Index("ix_staff_invitations_shop_id_email", "shop_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(20), default=Role.STAFF)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shop: Mapped[Shop] = relationship()
    invited_by: Mapped[StaffUser | None] = relationship()

    def is_pending(self, now=None):
        now = now or utcnow()
        return self.accepted_at is None and self.withdrawn_at is None and self.expires_at > now


@user_loader("staff")
def load_staff(row):
    """The staff user a session row names, while their account is active."""
    staff = db.session.get(StaffUser, row.staff_id)
    if staff is None or not staff.active:
        return None
    return staff
