"""The customers an export writes, read a batch at a time with a few plain queries (the
customers, their phones, default addresses and tags) into light records, not ORM objects:
an export of 100,000 customers spends its time writing the file, not building and tracking
half a million objects it only reads once. Each record says what the ORM customer would
(phones primary first, the default address, tags in the order they were put on)."""

from dataclasses import dataclass, field

from core.bulk import one_of, plan_each_query
from core.extensions import db
from core.tenancy import for_shop
from models import Address, Customer, CustomerGroup, CustomerPhone, CustomerTag, Tag

# Customers read at once (one array parameter on PostgreSQL).
BATCH = 5000
COLUMNS = (
    Customer.id,
    Customer.code,
    Customer.first_name,
    Customer.last_name,
    Customer.email,
    Customer.gender,
    Customer.birthday,
    Customer.company,
    Customer.group_id,
    Customer.accepts_marketing,
    Customer.total_spent,
    Customer.orders_count,
)


@dataclass(frozen=True, slots=True)
class ExportedAddress:
    line1: str
    ward: str
    province: str
    country: str
    phone: str | None


@dataclass(slots=True)
class ExportedCustomer:
    id: int
    code: str
    first_name: str
    last_name: str
    email: str | None
    gender: str | None
    birthday: object
    company: str
    group_name: str
    accepts_marketing: bool
    total_spent: int
    orders_count: int
    phone_numbers: list = field(default_factory=list)  # E.164, primary first
    tag_names: list = field(default_factory=list)
    default_address: ExportedAddress | None = None

    @property
    def primary_phone(self):
        return self.phone_numbers[0] if self.phone_numbers else None


def _rows(query):
    """The rows of ``query`` (through the session's connection: no ORM on the way)."""
    return db.session.connection().execute(query).all()


def _plain_rows(query):
    """The driver's own tuples of ``query``, for columns that need no conversion (texts
    and numbers): a row object each would cost more than the rest of the row's work."""
    result = db.session.connection().execute(query)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def customers_in_batches(shop, ids):
    """The shop's customers of ``ids``, in that order, a batch of records at a time."""
    groups = dict(
        _rows(for_shop(CustomerGroup, shop).with_only_columns(CustomerGroup.id, CustomerGroup.name))
    )
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        found = {}
        with plan_each_query():
            for row in _rows(
                for_shop(Customer, shop)
                .with_only_columns(*COLUMNS)
                .where(one_of(Customer.id, chunk))
            ):
                found[row.id] = ExportedCustomer(*row[:8], groups.get(row.group_id, ""), *row[9:])
            _add_details(shop, found)
        yield [found[i] for i in chunk if i in found]


def _add_details(shop, found):
    if not found:
        return
    ids = list(found)
    phones = (
        for_shop(CustomerPhone, shop)
        .with_only_columns(CustomerPhone.customer_id, CustomerPhone.number)
        .where(one_of(CustomerPhone.customer_id, ids))
        .order_by(CustomerPhone.customer_id, CustomerPhone.is_primary.desc(), CustomerPhone.id)
    )
    for customer_id, number in _plain_rows(phones):
        found[customer_id].phone_numbers.append(number)
    tags = (
        for_shop(CustomerTag, shop)
        .join(Tag, Tag.id == CustomerTag.tag_id)
        .with_only_columns(CustomerTag.customer_id, Tag.name)
        .where(one_of(CustomerTag.customer_id, ids))
        .order_by(CustomerTag.customer_id, CustomerTag.id)
    )
    for customer_id, name in _plain_rows(tags):
        found[customer_id].tag_names.append(name)
    addresses = (
        for_shop(Address, shop)
        .with_only_columns(
            Address.customer_id,
            Address.line1,
            Address.ward,
            Address.province,
            Address.country,
            Address.phone,
        )
        .where(one_of(Address.customer_id, ids))
        .order_by(Address.customer_id, Address.is_default.desc(), Address.id)
    )
    for customer_id, *values in _plain_rows(addresses):
        customer = found[customer_id]
        if customer.default_address is None:
            customer.default_address = ExportedAddress(*values)
