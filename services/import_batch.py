"""The new customers of an import, written a slice at a time with SQLAlchemy Core: one
``INSERT`` of many rows per table (customers, phones, addresses, tag links, notes, timeline
lines) instead of an object per row, which made the ORM eight times slower here.

The rows are what the ORM would have written: the search columns as ``refresh_search`` fills
them (``models.search_columns``) and the province of the default address, so the admin's
search and filters find an imported customer like any other; the ``imported`` line on the
timeline holds what ``events.imported`` writes. Codes left blank are taken from the shop's
counter a block at a time, skipping codes already used."""

import json
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Date,
    Text,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql

from core.bulk import one_of
from core.extensions import db
from core.tenancy import for_shop
from models import (
    Address,
    Customer,
    CustomerEvent,
    CustomerEvents,
    CustomerNote,
    CustomerPhone,
    CustomerTag,
    Shop,
    UTCDateTime,
    search_columns,
    utcnow,
)

# Rounds of drawing codes again for rows whose drawn code was in use (a shop that imported
# codes like KH000123 from another system) before such a row is given up.
MAX_CODE_ROUNDS = 20


def taken_codes(shop, codes):
    """Which of ``codes`` are the shop's customers' already."""
    if not codes:
        return set()
    query = for_shop(Customer, shop).with_only_columns(Customer.code)
    return set(db.session.scalars(query.where(one_of(Customer.code, codes))))


def allocate_codes(shop, count, avoid=frozenset(), check=True):
    """``count`` new codes like ``KH000123`` from the shop's counter, in one update for the
    lot; codes in ``avoid`` and, with ``check``, codes in use are skipped and more are
    drawn for them."""
    codes = []
    while len(codes) < count:
        wanted = count - len(codes)
        last = db.session.execute(
            update(Shop)
            .where(Shop.id == shop.id)
            .values(customer_seq=Shop.customer_seq + wanted)
            .returning(Shop.customer_seq)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        block = [f"KH{seq:06d}" for seq in range(last - wanted + 1, last + 1)]
        used = taken_codes(shop, block) if check else ()
        codes += [code for code in block if code not in used and code not in avoid]
    return codes


def insert_customers(*, shop, rows, options, staff, label, group_of, tag_ids, now):
    """Write the ``rows`` (``PlannedRow`` to create) of one slice. A row whose code (given
    in the file) or email another customer took since the plan is rejected; a code drawn
    from the counter that is in use is drawn again. ``group_of(name)``: the group's id or
    None; ``tag_ids(names)``: the ids of the shop's tags of these names.

    On SQLite the codes and emails are checked before the insert (one writer at a time). On
    PostgreSQL the insert skips the rows that clash with a customer (``ON CONFLICT DO
    NOTHING``): a look-up per slice in a table growing by thousands of rows is where a
    stale plan would hurt, and another import may be writing at the same time."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if not postgres:
        rows = _still_free(shop, rows)
    given = [row.parsed.values["code"] for row in rows if row.parsed.values["code"]]
    avoid = (rows[0].file_codes or frozenset(given)) if rows else frozenset()
    constants = {
        "shop_id": shop.id,
        "created_at": now,
        "status": str(options.status),
        "updated_at": now,
    }
    id_of, written, pending = {}, [], rows
    new_codes = iter(allocate_codes(shop, len(rows) - len(given), avoid, check=not postgres))
    for _round in range(MAX_CODE_ROUNDS):
        customers = [_customer_row(r.parsed.values, options, group_of, new_codes) for r in pending]
        if not customers:
            break
        # Their ids by their codes (unique in the shop): asking for them in the rows'
        # order would make SQLite write the rows one at a time
        id_of.update(
            insert_many(
                Customer,
                customers,
                constants,
                returning=(Customer.code, Customer.id),
                skip_clashes=True,
            )
        )
        missed = []
        for row, customer in zip(pending, customers, strict=True):
            (written if customer["code"] in id_of else missed).append((row, customer))
        clashes = _taken_emails(shop, [row for row, _customer in missed])
        _reject([row for row, _c in missed if row.parsed.values["code"] or row in clashes])
        pending = [row for row, _c in missed if row.action == "create"]
        if not pending:
            break
        new_codes = iter(allocate_codes(shop, len(pending), avoid, check=False))
    _reject(pending)
    _insert_details(shop, written, id_of, options, staff, label, tag_ids, now)
    return len(written)


def _reject(rows):
    for row in rows:
        row.action = "reject"
        row.reasons.append(_l("Another customer took this row's code or email meanwhile."))


def _insert_details(shop, written, id_of, options, staff, label, tag_ids, now):
    """The phones, address, tags, note and timeline line of each written (row, customer)."""
    phones, addresses, links, notes, lines = [], [], [], [], []
    for row, customer in written:
        values = row.parsed.values
        customer_id = id_of[customer["code"]]
        lines.append({"customer_id": customer_id})
        for index, number in enumerate(values["phones"]):
            phones.append({"customer_id": customer_id, "number": number, "is_primary": index == 0})
        if values.get("address"):
            addresses.append(_address_row(customer_id, values["address"], customer))
        names = [*options.tags, *values["tags"]]
        if names:
            links += [{"customer_id": customer_id, "tag_id": i} for i in tag_ids(names)]
        if values.get("note"):
            notes.append({"customer_id": customer_id, "body": values["note"]})
    owned = {"shop_id": shop.id, "created_at": now}
    staff_id = staff.id if staff is not None else None
    insert_many(CustomerPhone, phones, owned)
    insert_many(Address, addresses, {**owned, "updated_at": now, "phone": None, "is_default": True})
    insert_many(CustomerTag, links, owned)
    insert_many(CustomerNote, notes, {**owned, "updated_at": now, "staff_id": staff_id})
    insert_many(
        CustomerEvent,
        lines,
        {
            **owned,
            "type": str(CustomerEvents.IMPORTED),
            "actor": "staff" if staff is not None else "system",
            "staff_id": staff_id,
            "data": {"file": label, "action": "create"},
        },
    )


def _taken_emails(shop, rows):
    """The ``rows`` whose email is a customer's of the shop."""
    emails = [row.parsed.values["email"] for row in rows if row.parsed.values.get("email")]
    if not emails:
        return []
    query = for_shop(Customer, shop).with_only_columns(Customer.email)
    taken = set(db.session.scalars(query.where(one_of(Customer.email, emails))))
    return [row for row in rows if row.parsed.values.get("email") in taken]


def _still_free(shop, rows):
    """The rows whose code (if the file gives one) and email no customer took since the
    plan; the others are rejected."""
    given = [row.parsed.values["code"] for row in rows if row.parsed.values["code"]]
    taken = taken_codes(shop, given)
    _reject([row for row in rows if row.parsed.values["code"] in taken])
    _reject(_taken_emails(shop, [row for row in rows if row.action == "create"]))
    return [row for row in rows if row.action == "create"]


def insert_many(model, rows, constants, returning=(), skip_clashes=False):
    """``INSERT`` the ``rows`` (dicts of the same keys), each with the ``constants``;
    returns the ``returning`` columns of each row (in no particular order). With
    ``skip_clashes``, PostgreSQL leaves out (and does not return) the rows that clash with
    a unique constraint; the caller checks for them beforehand on SQLite.

    PostgreSQL: one statement, the rows as one JSON parameter that the server turns into
    rows of the table (``INSERT … SELECT … FROM json_populate_recordset(…)``), the constants
    as one parameter each. ``executemany`` sent a statement per row through psycopg, and a
    multi-row ``VALUES`` had psycopg parse thousands of placeholders.

    SQLite: the compiled ``INSERT`` run by the driver's ``executemany`` over plain tuples,
    each value prepared as SQLAlchemy would (dates as its text) but only for the columns
    that need it: preparing every value of every row cost more than writing it."""
    if not rows:
        return []
    table = model.__table__
    dialect = db.session.get_bind().dialect
    if dialect.name == "postgresql":
        return _insert_json(table, rows, constants, returning, dialect, skip_clashes)
    _insert_tuples(table, rows, constants, dialect)
    if not returning:
        return []
    # Found again by the first column asked for (unique in the shop: the code), in the
    # shop only: another shop has its own KH000001
    key = table.c[returning[0].key]
    back = [table.c[column.key] for column in returning]
    found = select(*back).where(
        table.c.shop_id == constants["shop_id"], one_of(key, [row[key.key] for row in rows])
    )
    return db.session.execute(found).all()


def _insert_json(table, rows, constants, returning, dialect, skip_clashes):
    keys = list(rows[0])
    document = json.dumps(rows, default=_JsonValues(dialect), ensure_ascii=False)
    records = func.json_populate_recordset(
        literal_column(f"NULL::{table.name}"), cast(bindparam(None, document, type_=Text), JSON)
    )
    source = select(
        *(bindparam(None, value, type_=table.c[key].type) for key, value in constants.items()),
        *(literal_column(f'"{key}"') for key in keys),
    ).select_from(records)
    statement = postgresql.insert(table).from_select([*constants, *keys], source)
    if skip_clashes:
        statement = statement.on_conflict_do_nothing()
    if not returning:
        db.session.execute(statement)
        return []
    back = [table.c[column.key] for column in returning]
    return db.session.execute(statement.returning(*back)).all()


def _insert_tuples(table, rows, constants, dialect):
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=[*constants, *keys])
    order = compiled.positiontup  # the statement's placeholders, in order
    if sorted(order) != sorted([*constants, *keys]):
        raise ValueError(f"{table.name}: a value for every column written ({order})")
    convert = {}
    for key in order:
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            convert[key] = process
    fixed = {
        k: convert[k](v) if k in convert and v is not None else v for k, v in constants.items()
    }
    template = [fixed.get(key) for key in order]
    slots = [(index, key, convert.get(key)) for index, key in enumerate(order) if key in keys]
    prepared = []
    for row in rows:
        values = template.copy()
        for index, key, process in slots:
            value = row[key]
            values[index] = value if process is None or value is None else process(value)
        prepared.append(tuple(values))
    db.session.connection().exec_driver_sql(compiled.string, prepared)


class _JsonValues:
    """Dates and times in a JSON row as the database stores them: ISO 8601 with the offset
    for PostgreSQL to read, or the text SQLAlchemy writes in SQLite (a row written here
    sorts and reads like a row written by the ORM)."""

    def __init__(self, dialect):
        self.as_datetime = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
        self.as_date = Date().dialect_impl(dialect).bind_processor(dialect)

    def __call__(self, value):
        if isinstance(value, datetime):
            value = self.as_datetime(value) if self.as_datetime else value
        elif isinstance(value, date):
            value = self.as_date(value) if self.as_date else value
        else:
            raise TypeError(f"{type(value).__name__} is not JSON")
        return value if isinstance(value, str) else value.isoformat()


def _customer_row(values, options, group_of, new_codes):
    code = values["code"] or next(new_codes)
    email = values.get("email") or None
    first, last = values.get("first_name") or "", values.get("last_name") or ""
    search_text, search_exact = search_columns(
        last_name=last, first_name=first, email=email, code=code, phones=values["phones"]
    )
    marketing = bool(values.get("accepts_marketing"))
    address = values.get("address")
    kept = options.keep_totals and "total_spent" in values
    return {
        "code": code,
        "first_name": first,
        "last_name": last,
        "email": email,
        "gender": values.get("gender") or None,
        "birthday": values.get("birthday"),
        "company": values.get("company") or "",
        "accepts_marketing": marketing,
        "marketing_consent_at": utcnow() if marketing else None,
        "marketing_consent_source": "import" if marketing else None,
        "group_id": group_of(values["group"]) if values.get("group") else None,
        "province": (address["province"] or None) if address else None,
        "total_spent": values["total_spent"] if kept else 0,
        "orders_count": values["orders_count"] if kept else 0,
        "search_text": search_text,
        "search_exact": search_exact,
    }


def _address_row(customer_id, address, customer):
    full_name = " ".join(p for p in (customer["last_name"], customer["first_name"]) if p)
    return {
        "customer_id": customer_id,
        "full_name": full_name,
        "line1": address["line1"],
        "ward": address["ward"],
        "district": address["district"],
        "province": address["province"],
        "country": address["country"],
    }
