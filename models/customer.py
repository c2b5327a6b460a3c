"""Customers of a shop (guests and members), their phones, addresses and timeline."""

import enum
import unicodedata
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from werkzeug.security import check_password_hash

from core.auth import user_loader
from core.extensions import db
from core.passwords import hash_password
from core.sessions import SessionUser
from models.base import TimestampMixin, UTCDateTime, utcnow


class CustomerStatus(enum.StrEnum):
    GUEST = "guest"
    TEMPORARY = "temporary"
    OFFICIAL = "official"
    CANCELLED = "cancelled"


class CustomerEvents(enum.StrEnum):
    """The kinds of line on a customer's timeline, stored as these strings (rows written
    long ago hold them too: a value never changes). ``services.events`` writes each one and
    ``admin.timeline`` says each one in the reader's language."""

    REGISTERED = "registered"
    APPROVED = "approved"
    CANCELLED = "cancelled"
    REINSTATED = "reinstated"
    CREATED_FROM_CHECKOUT = "created_from_checkout"
    CREATED_BY_STAFF = "created_by_staff"
    INVITED = "invited"
    EMAIL_CONFIRMED = "email_confirmed"
    EMAIL_SENT = "email_sent"
    EMAIL_CHANGED = "email_changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105 (a name, not a secret)
    PASSWORD_RESET = "password_reset"  # noqa: S105
    PASSWORD_CHANGED = "password_changed"  # noqa: S105
    PROFILE_UPDATED = "profile_updated"
    PHONE_ADDED = "phone_added"
    PHONE_REMOVED = "phone_removed"
    PRIMARY_PHONE_CHANGED = "primary_phone_changed"
    ADDRESS_ADDED = "address_added"
    ADDRESS_UPDATED = "address_updated"
    ADDRESS_REMOVED = "address_removed"
    DEFAULT_ADDRESS_CHANGED = "default_address_changed"
    ORDER_PLACED = "order_placed"
    ORDER_STATUS_CHANGED = "order_status_changed"
    ORDER_PAID = "order_paid"
    TAG_ADDED = "tag_added"
    TAG_REMOVED = "tag_removed"
    GROUP_CHANGED = "group_changed"
    STAFF_ASSIGNED = "staff_assigned"
    NOTE_ADDED = "note_added"
    NOTE_EDITED = "note_edited"
    NOTE_DELETED = "note_deleted"
    MERGED = "merged"
    IMPORTED = "imported"
    CAMPAIGN_SENT = "campaign_sent"
    UNSUBSCRIBED = "unsubscribed"
    SUBSCRIBED = "subscribed"


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


def fold(text):
    """Lower case without Vietnamese accents, so ``nguyen van a`` finds ``Nguyễn Văn A``.
    Text typed composed (NFC) or decomposed (NFD) folds the same."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(plain.lower().split())


def lower_exact(text):
    """Lower case with the accents kept, composed (NFC) whichever way it was typed: what
    tells ``Hà`` from ``Hạ``, which ``fold`` makes the same."""
    composed = unicodedata.normalize("NFC", text or "")
    return " ".join(unicodedata.normalize("NFC", composed.lower()).split())


@lru_cache(maxsize=1 << 16)
def _fold_cached(text):
    return fold(text)


def fold_parts(parts):
    """``fold(" ".join(parts))``, a part at a time: plain ASCII (emails, codes, phones) only
    lower-cased, other parts folded once per distinct value (names repeat: Nguyễn, Thị
    Lan…), which an import of 100,000 customers needs. The same answer, since nothing
    ``fold`` does to a letter depends on the letters of another word."""
    folded = []
    for part in parts:
        if part:
            if not part.isascii():
                part = _fold_cached(part)
            elif " " in part or not part.isprintable():  # whitespace to tidy
                part = " ".join(part.lower().split())
            else:
                part = part.lower()
            if part:
                folded.append(part)
    return " ".join(folded)


def search_columns(*, last_name, first_name, email, code, phones):
    """``(search_text, search_exact)`` of a customer: what ``refresh_search`` stores, and
    what an import writing rows without the ORM stores too. ``phones``: E.164, primary
    first."""
    parts = [last_name, first_name, email, code, *phones]
    parts += ["0" + number[3:] for number in phones if number.startswith("+84")]
    names = (last_name, first_name, email)
    return fold_parts(parts), lower_exact(" ".join(p for p in names if p))


class Customer(SessionUser, TimestampMixin, db.Model):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("shop_id", "email"),
        UniqueConstraint("shop_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    gender: Mapped[str | None] = mapped_column(String(10))
    birthday: Mapped[date | None] = mapped_column(Date)
    accepts_marketing: Mapped[bool] = mapped_column(default=False)
    marketing_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    marketing_consent_source: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(12), default=CustomerStatus.GUEST)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When they became a member; None for a guest. A guest who registers keeps the record (and
    # the ``created_at``) of their first checkout, so the record's age is not the account's.
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the password-reset link sent last: a newer link, a new password or the link's
    # own use spends it (``services.customers``).
    reset_nonce: Mapped[str | None] = mapped_column(String(32))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Names, email, code and phones folded by ``fold``: what the admin search looks in.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Names and email lower case with their accents (``lower_exact``): the rows whose accents
    # match what was typed come first.
    search_exact: Mapped[str] = mapped_column(Text, default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    # At most one group ("nhóm khách hàng"); the staff member who looks after the customer.
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer_groups.id", ondelete="SET NULL"), index=True
    )
    assigned_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    # Derived, kept so that a list of a million customers filters and sorts by them: the
    # province of the default address, and the orders that count (not cancelled, not refused;
    # ``services.order_status.refresh_totals``).
    province: Mapped[str | None] = mapped_column(String(120))
    total_spent: Mapped[int] = mapped_column(BigInteger, default=0)
    orders_count: Mapped[int] = mapped_column(default=0)
    last_order_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shop = relationship("Shop")
    group: Mapped["CustomerGroup | None"] = relationship()
    assigned_staff = relationship("StaffUser")
    phones: Mapped[list["CustomerPhone"]] = relationship(
        back_populates="customer",
        cascade="all, delete-orphan",
        order_by="(CustomerPhone.is_primary.desc(), CustomerPhone.id)",
    )
    addresses: Mapped[list["Address"]] = relationship(
        back_populates="customer",
        cascade="all, delete-orphan",
        order_by="(Address.is_default.desc(), Address.id)",
    )
    tags: Mapped[list["CustomerTag"]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="CustomerTag.id"
    )
    notes: Mapped[list["CustomerNote"]] = relationship(
        back_populates="customer",
        cascade="all, delete-orphan",
        order_by="(CustomerNote.created_at.desc(), CustomerNote.id.desc())",
    )
    events: Mapped[list["CustomerEvent"]] = relationship(
        back_populates="customer",
        cascade="all, delete-orphan",
        order_by="(CustomerEvent.created_at.desc(), CustomerEvent.id.desc())",
    )

    kind = "customer"

    @property
    def full_name(self):
        """Vietnamese order: family name first."""
        return " ".join(part for part in (self.last_name, self.first_name) if part)

    @property
    def display_name(self):
        return self.full_name or self.email or self.code

    @property
    def primary_phone(self):
        return self.phones[0].number if self.phones else None

    @property
    def default_address(self):
        return self.addresses[0] if self.addresses else None

    @hybrid_property
    def joined_at(self):
        """What the customer list shows and sorts by: when a member registered, when a guest
        was first recorded (and when a member's record was, if it does not say when they
        registered)."""
        return self.registered_at or self.created_at

    @joined_at.inplace.expression
    @classmethod
    def _joined_at_expression(cls):
        return func.coalesce(cls.registered_at, cls.created_at)

    @property
    def is_member(self):
        return self.status != CustomerStatus.GUEST

    @property
    def is_active(self):
        return self.status == CustomerStatus.OFFICIAL

    def set_password(self, password):
        self.password_hash = hash_password(password)
        self.reset_nonce = None

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def tag_names(self):
        return [link.name for link in self.tags]

    def refresh_search(self):
        self.search_text, self.search_exact = search_columns(
            last_name=self.last_name,
            first_name=self.first_name,
            email=self.email,
            code=self.code,
            phones=[phone.number for phone in self.phones],
        )

    def refresh_province(self):
        """A customer's province is the province of their default address."""
        address = next((a for a in self.addresses if a.is_default), None)
        address = address or (self.addresses[0] if self.addresses else None)
        province = address.province if address is not None else None
        if (province or None) != self.province:
            self.province = province or None

    def __repr__(self):
        return f"<Customer {self.code} {self.status}>"


# The customer list, newest first: all of a shop's customers, or one status (a tab). SQLite
# cannot reflect an index on an expression, so autogenerate does not compare these there, and
# a batch migration that copies ``customers`` on SQLite must create them again.
Index("ix_customers_shop_id_joined_at", Customer.shop_id, Customer.joined_at)
Index(
    "ix_customers_shop_id_status_joined_at", Customer.shop_id, Customer.status, Customer.joined_at
)
# The list's other sort orders and filters.
Index("ix_customers_shop_id_total_spent", Customer.shop_id, Customer.total_spent)
Index("ix_customers_shop_id_orders_count", Customer.shop_id, Customer.orders_count)
Index("ix_customers_shop_id_last_order_at", Customer.shop_id, Customer.last_order_at)
Index("ix_customers_shop_id_province", Customer.shop_id, Customer.province)
# A fragment of a name, an email or a phone anywhere in ``search_text`` (``LIKE '%…%'``)
# among a million customers: a trigram index, which PostgreSQL has (pg_trgm) and SQLite has
# not. Autogenerate does not know ``ddl_if``: migrations/env.py leaves it out on SQLite.
Index(
    "ix_customers_search_text_trgm",
    Customer.search_text,
    postgresql_using="gin",
    postgresql_ops={"search_text": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")


class CustomerGroup(TimestampMixin, db.Model):
    """A shop's group of customers ("Khách sỉ", "Đại lý"…): a customer is in at most one."""

    __tablename__ = "customer_groups"
    __table_args__ = (UniqueConstraint("shop_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self):
        return f"<CustomerGroup {self.name}>"


class CustomerPhone(db.Model):
    """A phone on a customer's record. A number proves nothing (there is no SMS check): a
    family may share one, a member may type anybody's. So several records of a shop may
    carry the same number; it is matched only where that reveals and grants nothing."""

    __tablename__ = "customer_phones"
    __table_args__ = (
        UniqueConstraint("customer_id", "number"),
        Index("ix_customer_phones_shop_id_number", "shop_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(20))  # E.164, e.g. +84912345678
    is_primary: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="phones")


class Address(TimestampMixin, db.Model):
    __tablename__ = "customer_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    full_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    line1: Mapped[str] = mapped_column(String(255), default="")
    ward: Mapped[str] = mapped_column(String(120), default="")
    # Only for addresses written before the 2025 reform, which abolished districts.
    district: Mapped[str | None] = mapped_column(String(120))
    province: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(2), default="VN")
    is_default: Mapped[bool] = mapped_column(default=False)

    customer: Mapped[Customer] = relationship(back_populates="addresses")

    def lines(self):
        return [part for part in (self.line1, self.ward, self.district, self.province) if part]


class CustomerEvent(db.Model):
    """One line of a customer's timeline. ``staff_id`` is who acted when staff did; the
    customer is always ``customer_id``; ``actor`` says which of the two (or the system)."""

    __tablename__ = "customer_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(10), default="system")
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="events")
    staff = relationship("StaffUser")


@event.listens_for(Session, "before_flush")
def _refresh_customer_search(session, flush_context, instances):
    """Keep ``search_text`` true to the names, email, code and phones, however they changed."""
    touched = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Customer):
            touched.add(obj)
        elif isinstance(obj, CustomerPhone | Address) and obj.customer is not None:
            touched.add(obj.customer)
    for customer in touched:
        if customer not in session.deleted:
            customer.refresh_search()
            customer.refresh_province()


class Tag(db.Model):
    """One of a shop's labels for customers ("VIP", "tiềm năng", "hay hoàn"…); every new shop
    starts with ``DEFAULT_TAGS``."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("shop_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self):
        return f"<Tag {self.name}>"


class CustomerTag(db.Model):
    """A tag on a customer, for filtering and segments."""

    __tablename__ = "customer_tags"
    __table_args__ = (UniqueConstraint("customer_id", "tag_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="tags")
    tag: Mapped[Tag] = relationship(lazy="joined")

    @property
    def name(self):
        return self.tag.name


class CustomerNote(TimestampMixin, db.Model):
    """An internal note on a customer ("Trao đổi"): staff only, never shown to the shopper
    nor written in an email to them."""

    __tablename__ = "customer_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)

    customer: Mapped[Customer] = relationship(back_populates="notes")
    staff = relationship("StaffUser")


class CustomerSegment(TimestampMixin, db.Model):
    """A saved filter of the customer list, by name: the list, emails and exports reuse it."""

    __tablename__ = "customer_segments"
    __table_args__ = (UniqueConstraint("shop_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The list's query string without page and sort, e.g. ``status=official&tag=12``.
    query: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )


class RegistrationClaim(db.Model):
    """Someone registered with the email of a guest record. Nothing of the guest's record
    changes, and nothing of it is shown, until the link sent to that email is followed; the
    registration waits here until then."""

    __tablename__ = "registration_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    password_hash: Mapped[str] = mapped_column(String(255))
    accepts_marketing: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship()


@user_loader("customer")
def load_customer(row):
    """The member a session row names, in the shop whose login it was."""
    customer = db.session.get(Customer, row.customer_id)
    if customer is None or customer.shop_id != row.shop_id:
        return None
    return customer
