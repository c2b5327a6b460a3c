"""Importing customers from a file: the plan (what each row will do, shown as a preview before
anything is written) and the run that writes it.

Each row is parsed by ``import_rows``; duplicates are matched by code, then email, then phone,
within the shop and within the file. ``on_duplicate`` decides what a row matching a customer
of the shop does: ``skip`` it, ``update`` that customer, or ``create`` another (refused when
the code or email is the match: those are unique in a shop). A row repeating an earlier row
of the file is refused, naming that row."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from core.bulk import collector_paused, one_of, plan_each_query
from core.extensions import db
from core.tenancy import for_shop
from models import (
    Address,
    Customer,
    CustomerGroup,
    CustomerNote,
    CustomerPhone,
    CustomerStatus,
    Tag,
    utcnow,
)
from services import ServiceError, events
from services.customers import add_phone
from services.groups import create_group
from services.import_batch import insert_customers
from services.import_rows import parse_row
from services.tags import clean_name, tag_customer

ON_DUPLICATE = ("skip", "update", "create")
ACTIONS = ("create", "update", "skip", "reject")  # what a planned row does
STATUSES = (CustomerStatus.GUEST, CustomerStatus.TEMPORARY, CustomerStatus.OFFICIAL)
# Values looked up at once among the shop's customers (one array parameter on PostgreSQL).
LOOKUP_BATCH = 1000
UPDATE_LOADS = (
    selectinload(Customer.phones),
    selectinload(Customer.addresses),
    selectinload(Customer.tags),
)


@dataclass(frozen=True)
class ImportOptions:
    on_duplicate: str = "skip"
    status: str = CustomerStatus.GUEST
    tags: tuple = ()  # put on every imported customer
    keep_totals: bool = False


@dataclass(slots=True)
class PlannedRow:
    parsed: object  # import_rows.ParsedRow
    action: str = "create"  # create, update, skip, reject
    existing_id: int | None = None
    reasons: list = field(default_factory=list)
    # The codes the whole file gives: one set, shared by every row of a plan, so that a
    # slice of the plan run on its own gives no blank-code row a code a later row brings.
    file_codes: frozenset = frozenset()

    @property
    def line(self):
        return self.parsed.line


@dataclass
class Plan:
    rows: list

    def count(self, action):
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self):
        return {action: self.count(action) for action in ACTIONS}


def _lookup(shop, column, values, model=Customer, owner=None):
    """{value: customer id} of the shop's rows whose ``column`` is one of ``values``."""
    found = {}
    values = sorted(set(values))
    owner = owner if owner is not None else model.id
    for start in range(0, len(values), LOOKUP_BATCH):
        chunk = values[start : start + LOOKUP_BATCH]
        query = for_shop(model, shop).with_only_columns(column, owner)
        for value, customer_id in db.session.execute(
            query.where(one_of(column, chunk)).order_by(owner)
        ):
            found.setdefault(value, customer_id)
    return found


def plan_import(*, shop, table, mapping, options):
    """What each row of ``table`` (``spreadsheets.Table``) will do, with ``mapping``
    (``{column index: field}``); nothing is written."""
    with plan_each_query(), collector_paused():
        return _plan(shop, table, mapping, options)


def _plan(shop, table, mapping, options):
    parsed = []
    keep_totals = options.keep_totals
    for number, cells in enumerate(table.rows, start=2):
        if not any(cells):
            continue
        width = len(cells)
        values = {key: cells[index] for index, key in mapping.items() if index < width}
        parsed.append(parse_row(number, values, keep_totals=keep_totals))
    good = [p.values for p in parsed if not p.errors]
    codes = _lookup(shop, Customer.code, [v["code"] for v in good if v["code"]])
    emails = _lookup(shop, Customer.email, [v["email"] for v in good if v.get("email")])
    phones = _lookup(
        shop,
        CustomerPhone.number,
        [n for v in good for n in v["phones"]],
        model=CustomerPhone,
        owner=CustomerPhone.customer_id,
    )
    del good
    seen = {"code": {}, "email": {}, "phone": {}}
    file_codes = frozenset(p.values["code"] for p in parsed if p.values.get("code"))
    rows = []
    for row in parsed:
        planned = PlannedRow(row, file_codes=file_codes)
        rows.append(planned)
        if row.errors:
            planned.action, planned.reasons = "reject", list(row.errors)
            continue
        _within_file(planned, seen)
        if planned.action == "reject":
            continue
        if codes or emails or phones:
            _against_shop(planned, options, codes, emails, phones)
    return Plan(rows)


def _within_file(planned, seen):
    values = planned.parsed.values
    keys = [("code", values["code"]), ("email", values.get("email"))]
    keys += [("phone", number) for number in values["phones"]]
    for kind, value in keys:
        if value and value in seen[kind]:
            planned.action = "reject"
            planned.reasons.append(
                _l("Same %(what)s as line %(line)s.", what=_WHAT[kind], line=seen[kind][value])
            )
            return
    for kind, value in keys:
        if value:
            seen[kind][value] = planned.line


_WHAT = {"code": _l("customer code"), "email": _l("email"), "phone": _l("phone")}


def _against_shop(planned, options, codes, emails, phones):
    values = planned.parsed.values
    match, by = None, None
    for kind, found in (
        ("code", codes.get(values["code"])),
        ("email", emails.get(values.get("email"))),
        ("phone", next((phones[n] for n in values["phones"] if n in phones), None)),
    ):
        if found is not None:
            match, by = found, kind
            break
    if match is None:
        return
    planned.existing_id = match
    if options.on_duplicate == "update":
        planned.action = "update"
    elif options.on_duplicate == "create" and by == "phone":
        planned.action = "create"
    elif options.on_duplicate == "create":
        planned.action = "reject"
        planned.reasons.append(
            _l("The %(what)s is already a customer's: choose update or skip.", what=_WHAT[by])
        )
    else:
        planned.action = "skip"
        planned.reasons.append(_l("Already a customer (same %(what)s).", what=_WHAT[by]))


# --- The run --------------------------------------------------------------------------


def run_import(*, shop, plan, options, staff, label):
    """Write the plan's creates and updates; returns the plan's counts. ``label`` names the
    import on each customer's timeline (the file's name). The creates are written with
    Core inserts (``import_batch``), the updates through the ORM; the caller commits, a
    slice of the plan at a time for a large file."""
    with collector_paused():
        return _run(shop, plan, options, staff, label)


def _run(shop, plan, options, staff, label):
    now = utcnow()
    groups = _Groups(shop)
    tags = _Tags(shop)
    creates = [row for row in plan.rows if row.action == "create"]
    if creates:
        insert_customers(
            shop=shop,
            rows=creates,
            options=options,
            staff=staff,
            label=label,
            group_of=groups.id_of,
            tag_ids=tags.ids_of,
            now=now,
        )
    updates = [row for row in plan.rows if row.action == "update"]
    if updates:
        # The slice's customers at once, with what an update reads of them
        db.session.scalars(
            for_shop(Customer, shop)
            .where(one_of(Customer.id, [row.existing_id for row in updates]))
            .options(*UPDATE_LOADS)
        ).all()
    for planned in updates:
        customer = db.session.get(Customer, planned.existing_id)
        if customer is None or customer.shop_id != shop.id:
            continue
        _update(shop, customer, planned.parsed.values, options, groups, tags, staff)
        events.imported(customer=customer, staff=staff, file=label, action=planned.action)
    db.session.flush()
    return plan.counts


def _update(shop, customer, values, options, groups, tags, staff):  # noqa: PLR0913
    """Put the values the file gives on an existing customer (an email only where there is
    none: it may be a login)."""
    for key in ("first_name", "last_name", "company", "gender", "birthday"):
        value = values.get(key)
        if value not in (None, ""):
            setattr(customer, key, value)
    if values.get("email") and not customer.email:
        customer.email = values["email"]
    if values.get("accepts_marketing") and not customer.accepts_marketing:
        customer.accepts_marketing = True
        customer.marketing_consent_at = utcnow()
        customer.marketing_consent_source = "import"
    for number in values["phones"]:
        add_phone(customer=customer, number=number)
    if values.get("address"):
        address = Address(shop_id=shop.id, full_name=customer.full_name, **values["address"])
        if not any(a.lines() == address.lines() for a in customer.addresses):
            address.is_default = not customer.addresses
            customer.addresses.append(address)
    if values.get("group"):
        customer.group = groups.get(values["group"])
    for tag in tags.get_all([*options.tags, *values.get("tags", ())]):
        tag_customer(customer, tag)
    if values.get("note"):
        customer.notes.append(
            CustomerNote(shop_id=shop.id, staff_id=staff.id if staff else None, body=values["note"])
        )
    if options.keep_totals and "total_spent" in values:
        customer.total_spent = values["total_spent"]
        customer.orders_count = values["orders_count"]


class _Groups:
    """The shop's groups by name (ignoring case), read once per slice; a new name creates
    its group (a name too long is left out)."""

    def __init__(self, shop):
        self.shop = shop
        self.by_key = {
            g.name.casefold(): g for g in db.session.scalars(for_shop(CustomerGroup, shop))
        }

    def get(self, name):
        group = self.by_key.get(name.casefold())
        if group is None:
            try:
                group = create_group(shop=self.shop, name=name)
            except ServiceError:
                return None
            self.by_key[group.name.casefold()] = group
        return group

    def id_of(self, name):
        group = self.get(name)
        return group.id if group is not None else None


class _Tags:
    """The shop's tags by name (ignoring case, as ``tags.find_tag``), read once per slice; a
    new name creates its tag (a name that is no tag, e.g. only control characters, is left
    out)."""

    def __init__(self, shop):
        self.shop = shop
        self.by_key = {t.name.casefold(): t for t in db.session.scalars(for_shop(Tag, shop))}

    def get(self, name):
        tag = self.by_key.get(name.casefold())
        if tag is None:
            try:
                tag = Tag(shop_id=self.shop.id, name=clean_name(name))
            except ServiceError:
                return None
            tag = self.by_key.setdefault(tag.name.casefold(), tag)
            db.session.add(tag)
            db.session.flush()
        return tag

    def get_all(self, names):
        """The tags of ``names``, each once."""
        found = {}
        for name in names:
            tag = self.get(name)
            if tag is not None:
                found.setdefault(tag.id, tag)
        return list(found.values())

    def ids_of(self, names):
        if not names:
            return []
        return [tag.id for tag in self.get_all(names)]
