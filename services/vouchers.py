"""The shop's vouchers: writing one, checking a code for a cart and a customer, what it takes
off, and recording (and giving back) its uses.

``check_code`` answers with the voucher or one ``VoucherRefused`` whose message says why, in
words a shopper understands; ``use_voucher`` runs inside ``place_order``'s transaction, after
the shop's lock: it checks everything again and takes a use with one conditional UPDATE, so
concurrent checkouts never take more uses than are left. The caller commits."""

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from core.extensions import db
from core.i18n import format_money, format_when, register_status_labels
from core.inputs import one_line, parse_id
from core.tenancy import for_shop
from models import (
    Customer,
    CustomerTag,
    Tag,
    Voucher,
    VoucherKind,
    VoucherStatus,
    VoucherUse,
    utcnow,
)
from models.voucher import voucher_customers, voucher_tags
from services import ServiceError
from services.catalog import parse_amount

CODE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")
CODE_MAX = 40
# No 0/O or 1/I: a generated code is read aloud over the phone and typed again.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 8
MAX_LIMIT = 1_000_000
MAX_CUSTOMERS = 1000
FIELD = "voucher_code"


STATUS_LABELS = register_status_labels(
    "voucher",
    {
        VoucherStatus.ACTIVE: _l("Active"),
        VoucherStatus.SCHEDULED: _l("Upcoming"),
        VoucherStatus.EXPIRED: _l("Expired"),
        VoucherStatus.USED_UP: _l("Used up"),
        VoucherStatus.OFF: _l("Switched off"),
    },
)


class VoucherRefused(ServiceError):
    """A code that cannot be used for this order, with the one reason why."""

    def __init__(self, message):
        super().__init__(message, FIELD)


# --- Codes ----------------------------------------------------------------------------


def normalise_code(value):
    """The code as stored: trimmed, in capitals ("" when blank)."""
    return one_line(value or "").strip().upper()


def generate_code(shop):
    """A new code of the shop, such as ``K7QM2XHA``."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(GENERATED_LENGTH))
        if find_voucher(shop, code) is None:
            return code


def find_voucher(shop, code, *, lock=False):
    """The shop's voucher with this code (any case), or None."""
    code = normalise_code(code)
    if not code or len(code) > CODE_MAX:
        return None
    query = for_shop(Voucher, shop).where(Voucher.code == code)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


# --- Writing a voucher ----------------------------------------------------------------


def read_local_time(value, timezone, *, field, end_of_day=False):
    """A ``datetime-local`` value (or a date alone) in the shop's time zone, as UTC; None
    when blank. A date alone is the start of that day, or its end with ``end_of_day``."""
    text = one_line(value or "") if not isinstance(value, datetime) else None
    if text == "":
        return None
    local = value
    if text is not None:
        try:
            local = datetime.fromisoformat(text)
        except ValueError:
            raise ServiceError(
                _l("Enter a date and a time, such as 24/12/2026 09:00."), field
            ) from None
        if "T" not in text and " " not in text and end_of_day:
            local = datetime.combine(local.date(), time(23, 59, 59))
    if not 2000 <= local.year <= 2200:
        raise ServiceError(_l("Enter a date and a time, such as 24/12/2026 09:00."), field)
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def _limit(value, *, field, minimum, required=False):
    number = parse_amount(value, field=field, required=required, maximum=MAX_LIMIT)
    if number is not None and number < minimum:
        raise ServiceError(_l("Enter a number from %(n)s up.", n=minimum), field)
    return number


def _tags(shop, tag_ids):
    ids = {parse_id(value) for value in tag_ids or ()}
    tags = db.session.scalars(for_shop(Tag, shop).where(Tag.id.in_(ids))).all() if ids else []
    if len(tags) != len(ids) or None in ids:
        raise ServiceError(_l("Choose tags of this shop."), "customer_tags")
    return tags


def _customers(shop, customer_ids):
    """The shop's customers named by id, or by code (``KH000123``), several to a value when
    separated by commas or spaces; one that is not the shop's is refused."""
    ids, codes = set(), set()
    for value in customer_ids or ():
        for part in re.split(r"[\s,;]+", str(value).strip()):
            if part.isascii() and part.isdigit():
                ids.add(parse_id(part))
            elif part:
                codes.add(part.upper())
    if len(ids) + len(codes) > MAX_CUSTOMERS:
        raise ServiceError(
            _l("A voucher can name at most %(n)s customers.", n=MAX_CUSTOMERS), "customer_ids"
        )
    if None in ids or len(max(codes, key=len, default="")) > 40:
        raise ServiceError(_l("Choose customers of this shop."), "customer_ids")
    found = {}
    if ids or codes:
        query = for_shop(Customer, shop).where(
            or_(Customer.id.in_(ids), func.upper(Customer.code).in_(codes))
        )
        found = {customer.id: customer for customer in db.session.scalars(query)}
    named = {c.id for c in found.values()} | {c.code.upper() for c in found.values() if c.code}
    if not ids <= named or not codes <= named:
        raise ServiceError(_l("Choose customers of this shop."), "customer_ids")
    return list(found.values())


def _code(shop, value, voucher):
    code = normalise_code(value)
    if not code:
        return generate_code(shop)
    if len(code) > CODE_MAX:
        raise ServiceError(_l("Please use at most %(max)d characters.", max=CODE_MAX), "code")
    if not CODE.match(code):
        raise ServiceError(
            _l("Use only letters without accents, digits and hyphens, such as TET-2027."),
            "code",
        )
    taken = find_voucher(shop, code)
    if taken is not None and taken is not voucher:
        raise ServiceError(_l("Another voucher of this shop has this code."), "code")
    return code


def _values(shop, voucher, fields):
    """Every field checked; a refusal names its field and nothing is written."""
    kind = fields.get("kind") or VoucherKind.AMOUNT
    if kind not in set(VoucherKind):
        raise ServiceError(_l("Choose one of the options."), "kind")
    value = parse_amount(fields.get("value"), field="value")
    if value < 1:
        raise ServiceError(_l("Enter a number from %(n)s up.", n=1), "value")
    if kind == VoucherKind.PERCENT and value > 100:
        raise ServiceError(_l("A percent is from 1 to 100."), "value")
    max_discount = parse_amount(fields.get("max_discount"), field="max_discount", required=False)
    starts_at = read_local_time(fields.get("starts_at"), shop.timezone, field="starts_at")
    ends_at = read_local_time(
        fields.get("ends_at"), shop.timezone, field="ends_at", end_of_day=True
    )
    if starts_at and ends_at and ends_at <= starts_at:
        raise ServiceError(_l("The end must come after the start."), "ends_at")
    per_customer = fields.get("per_customer_limit")
    return {
        "code": _code(shop, fields.get("code"), voucher),
        "kind": VoucherKind(kind),
        "value": value,
        "max_discount": max_discount or None if kind == VoucherKind.PERCENT else None,
        "min_order_total": parse_amount(
            fields.get("min_order_total"), field="min_order_total", required=False
        )
        or 0,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "usage_limit": _limit(fields.get("usage_limit"), field="usage_limit", minimum=1),
        "per_customer_limit": _limit(
            1 if per_customer in (None, "") else per_customer,
            field="per_customer_limit",
            minimum=1,
        ),
        "free_shipping": bool(fields.get("free_shipping")),
        "active": bool(fields.get("active", True)),
        "customer_tags": _tags(shop, fields.get("customer_tags")),
        "customers": _customers(shop, fields.get("customer_ids")),
    }


def create_voucher(*, shop, actor=None, **fields):
    """A new voucher from the contract's fields (``code`` blank: one is generated)."""
    values = _values(shop, None, fields)
    voucher = Voucher(shop_id=shop.id, created_by_id=getattr(actor, "id", None), **values)
    db.session.add(voucher)
    db.session.flush()
    return voucher


def update_voucher(*, shop, voucher, **fields):
    """Change a voucher; the uses it has keep the terms they were given with."""
    if voucher.shop_id != shop.id:
        raise ServiceError(_l("This voucher belongs to another shop."))
    for name, value in _values(shop, voucher, fields).items():
        setattr(voucher, name, value)
    db.session.flush()
    return voucher


def switch(*, shop, voucher, active):
    """Switch a voucher on or off (a voucher is never deleted once used)."""
    if voucher.shop_id != shop.id:
        raise ServiceError(_l("This voucher belongs to another shop."))
    voucher.active = bool(active)
    return voucher


# --- What it takes off ----------------------------------------------------------------


@dataclass
class Discount:
    """What a voucher does to an order: the goods discount and the shipping fee after it."""

    voucher: Voucher | None = None
    amount: int = 0
    shipping_fee: int = 0
    shipping_waived: int = 0


def discount_for(voucher, subtotal, shipping_fee):
    """The discount on goods worth ``subtotal`` (never more than that), and the shipping
    fee, nothing when the voucher waives it."""
    if voucher.kind == VoucherKind.PERCENT:
        amount = subtotal * voucher.value // 100
        if voucher.max_discount:
            amount = min(amount, voucher.max_discount)
    else:
        amount = voucher.value
    amount = max(0, min(amount, subtotal))
    waived = shipping_fee if voucher.free_shipping else 0
    return Discount(voucher, amount, shipping_fee - waived, waived)


def terms_of(voucher, discount):
    """The voucher's terms as applied, kept on the order."""
    return {
        "kind": str(voucher.kind),
        "value": voucher.value,
        "max_discount": voucher.max_discount,
        "min_order_total": voucher.min_order_total,
        "free_shipping": voucher.free_shipping,
        "shipping_waived": discount.shipping_waived,
    }


# --- Who may use it, and when ---------------------------------------------------------


def status_of(voucher, now=None):
    now = now or utcnow()
    if not voucher.active:
        return VoucherStatus.OFF
    if voucher.ends_at is not None and voucher.ends_at <= now:
        return VoucherStatus.EXPIRED
    if voucher.usage_limit is not None and voucher.used_count >= voucher.usage_limit:
        return VoucherStatus.USED_UP
    if voucher.starts_at is not None and voucher.starts_at > now:
        return VoucherStatus.SCHEDULED
    return VoucherStatus.ACTIVE


def is_for(voucher, customer):
    """Whether a restricted voucher is meant for ``customer`` (by name or by tag)."""
    if customer is None:
        return False
    if any(c.id == customer.id for c in voucher.customers):
        return True
    tag_ids = {tag.id for tag in voucher.customer_tags}
    return any(link.tag_id in tag_ids for link in customer.tags)


def uses_by(voucher, customer):
    """How many uses of the voucher the customer holds."""
    return db.session.scalar(
        select(func.count(VoucherUse.id)).where(
            VoucherUse.voucher_id == voucher.id,
            VoucherUse.customer_id == customer.id,
            VoucherUse.released_at.is_(None),
        )
    )


def _check(voucher, *, subtotal, customer, buyer=None, now):
    """The one reason this voucher cannot be used, or nothing. ``customer`` is who proved
    who they are (a signed-in member, the customer staff chose; None for a guest);
    ``buyer`` the record the order goes on, whose uses count (``customer`` by default)."""
    buyer = buyer if buyer is not None else customer
    if voucher is None:
        raise VoucherRefused(_l("There is no voucher with this code. Please check it."))
    if not voucher.active:
        raise VoucherRefused(_l("This voucher is no longer valid."))
    if voucher.starts_at is not None and voucher.starts_at > now:
        raise VoucherRefused(
            _l("This voucher can be used from %(when)s.", when=format_when(voucher.starts_at))
        )
    if voucher.ends_at is not None and voucher.ends_at <= now:
        raise VoucherRefused(
            _l("This voucher expired on %(when)s.", when=format_when(voucher.ends_at))
        )
    if voucher.usage_limit is not None and voucher.used_count >= voucher.usage_limit:
        raise VoucherRefused(_l("This voucher has been used up."))
    if voucher.restricted:
        if customer is None:
            raise VoucherRefused(
                _l("This voucher is for chosen customers: please log in to use it.")
            )
        if not is_for(voucher, customer):
            raise VoucherRefused(_l("This voucher is not for your account."))
    if buyer is not None and buyer.id is not None:
        if uses_by(voucher, buyer) >= voucher.per_customer_limit:
            raise VoucherRefused(_l("You have already used this voucher."))
    if subtotal < voucher.min_order_total:
        raise VoucherRefused(
            _l(
                "This voucher is for orders of %(amount)s or more (before shipping).",
                amount=format_money(voucher.min_order_total),
            )
        )


def check_code(*, shop, code, subtotal, shipping_fee, customer=None, now=None):
    """The ``Discount`` the code gives this cart and customer (None: the signed-in member,
    or the customer staff chose; None for a guest). Refused: ``VoucherRefused``."""
    voucher = find_voucher(shop, code)
    _check(voucher, subtotal=subtotal, customer=customer, now=now or utcnow())
    return discount_for(voucher, subtotal, shipping_fee)


def apply_to(summary, *, shop, code, customer=None):
    """Apply the code to a cart's summary (``services.cart.CartSummary``): its discount,
    shipping fee and total change; refused: ``VoucherRefused`` and the summary unchanged."""
    discount = check_code(
        shop=shop,
        code=code,
        subtotal=summary.subtotal,
        shipping_fee=summary.shipping_fee,
        customer=customer,
    )
    summary.voucher_code = discount.voucher.code
    summary.discount = discount.amount
    summary.shipping_fee = discount.shipping_fee
    return summary


def use_voucher(*, shop, order, code, customer, buyer, subtotal, shipping_fee):
    """Inside ``place_order``, after the shop's lock: check the code again (``customer``
    and ``buyer`` as for ``_check``), take one use with a conditional UPDATE and record it
    for ``order``. Returns the ``Discount``."""
    voucher = find_voucher(shop, code, lock=True)
    _check(voucher, subtotal=subtotal, customer=customer, buyer=buyer, now=utcnow())
    taken = db.session.execute(
        update(Voucher)
        .where(Voucher.id == voucher.id, Voucher.active.is_(True))
        .where(or_(Voucher.usage_limit.is_(None), Voucher.used_count < Voucher.usage_limit))
        .values(used_count=Voucher.used_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise VoucherRefused(_l("This voucher has been used up."))
    db.session.refresh(voucher)
    discount = discount_for(voucher, subtotal, shipping_fee)
    db.session.add(
        VoucherUse(
            shop_id=shop.id,
            voucher_id=voucher.id,
            order=order,
            customer=buyer,
            discount=discount.amount + discount.shipping_waived,
        )
    )
    return discount


def release_use(*, shop, order):
    """A cancelled or returned order gives its use back (once)."""
    use = db.session.scalar(
        for_shop(VoucherUse, shop).where(
            VoucherUse.order_id == order.id, VoucherUse.released_at.is_(None)
        )
    )
    if use is None:
        return None
    use.released_at = utcnow()
    db.session.execute(
        update(Voucher)
        .where(Voucher.id == use.voucher_id, Voucher.used_count > 0)
        .values(used_count=Voucher.used_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(use.voucher)
    return use


# --- What the pages show --------------------------------------------------------------


def vouchers_of(shop):
    """[(voucher, status, uses, discount given)] of the shop, newest first."""
    vouchers = db.session.scalars(for_shop(Voucher, shop).order_by(Voucher.id.desc())).all()
    given = dict(
        db.session.execute(
            for_shop(VoucherUse, shop)
            .where(VoucherUse.released_at.is_(None))
            .with_only_columns(VoucherUse.voucher_id, func.sum(VoucherUse.discount))
            .group_by(VoucherUse.voucher_id)
        ).all()
    )
    now = utcnow()
    return [(v, status_of(v, now), v.used_count, int(given.get(v.id) or 0)) for v in vouchers]


def vouchers_for_member(shop, customer, now=None):
    """The vouchers a member may use now or later: those meant for them (by name or by one
    of their tags), active, not expired nor used up, and not used to their own limit."""
    now = now or utcnow()
    tag_ids = select(CustomerTag.tag_id).where(CustomerTag.customer_id == customer.id)
    named = select(voucher_customers.c.voucher_id).where(
        voucher_customers.c.customer_id == customer.id
    )
    tagged = select(voucher_tags.c.voucher_id).where(voucher_tags.c.tag_id.in_(tag_ids))
    vouchers = db.session.scalars(
        for_shop(Voucher, shop)
        .where(Voucher.active.is_(True))
        .where(or_(Voucher.ends_at.is_(None), Voucher.ends_at > now))
        .where(or_(Voucher.usage_limit.is_(None), Voucher.used_count < Voucher.usage_limit))
        .where(or_(Voucher.id.in_(named), Voucher.id.in_(tagged)))
        .order_by(Voucher.ends_at.is_(None), Voucher.ends_at, Voucher.id)
    ).all()
    held = dict(
        db.session.execute(
            select(VoucherUse.voucher_id, func.count(VoucherUse.id))
            .where(VoucherUse.customer_id == customer.id, VoucherUse.released_at.is_(None))
            .group_by(VoucherUse.voucher_id)
        ).all()
    )
    return [v for v in vouchers if held.get(v.id, 0) < v.per_customer_limit]


def local_input(value, timezone):
    """An aware time as a ``datetime-local`` value in the shop's time zone ("" for None)."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M")


def current_fields(shop, voucher):
    """The voucher's fields as its form shows them, for editing."""
    return {
        "code": voucher.code,
        "kind": str(voucher.kind),
        "value": str(voucher.value),
        "max_discount": str(voucher.max_discount or ""),
        "min_order_total": str(voucher.min_order_total or ""),
        "starts_at": local_input(voucher.starts_at, shop.timezone),
        "ends_at": local_input(voucher.ends_at, shop.timezone),
        "usage_limit": str(voucher.usage_limit or ""),
        "per_customer_limit": str(voucher.per_customer_limit),
        "customer_tags": [str(tag.id) for tag in voucher.customer_tags],
        "customer_ids": ", ".join(c.code or str(c.id) for c in voucher.customers),
        "free_shipping": voucher.free_shipping,
        "active": voucher.active,
    }
