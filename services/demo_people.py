"""The customers and orders of the demo shop that ``make run`` serves: about sixty customers
in every status, with groups, tags, notes, assigned staff, phones and addresses over the
country, and about 150 orders of the last sixty days in every status.

A random generator with a fixed seed makes them, so every run makes the same shop, dated
from the day it runs. History is written as the shop would have lived it (timeline rows
dated when each thing happened) but without its emails: nobody is told of an order."""

import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from core.extensions import db
from core.passwords import hash_password
from models import (
    Address,
    Customer,
    CustomerEvents,
    CustomerStatus,
    Gender,
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    fold,
    utcnow,
)
from services import customers as customer_service
from services import events
from services.customer_bulk import add_tag, assign_staff, set_group
from services.groups import create_group
from services.notes import add_note
from services.order_status import tag_refuser
from services.orders import order_line, shipping_fee_for
from services.phones import InvalidPhone, normalise_phone
from services.places import province_names
from services.totals import refresh_totals

SEED = 20250712
NEW_CUSTOMERS = 54
ORDERS = 150
ORDER_DAYS = 60

# (name, description)
GROUPS = [
    ("Khách sỉ", "Mua số lượng lớn theo giá sỉ, chuyển khoản hoặc COD từng đợt."),
    ("Khách lẻ thân thiết", "Khách lẻ mua thường xuyên, ưu tiên tư vấn mẫu mới."),
    ("Đại lý", "Cửa hàng bán lại sản phẩm của shop, nhập hàng hằng tháng."),
]
# A kind of customer: their group, how often and how much they buy (a member waiting for
# approval has not bought yet).
AGENT, WHOLESALE, LOYAL, REGULAR, REFUSER = "agent", "wholesale", "loyal", "regular", "refuser"
WAITING = "waiting"
GROUP_OF = {AGENT: "Đại lý", WHOLESALE: "Khách sỉ", LOYAL: "Khách lẻ thân thiết"}
ORDER_WEIGHT = {AGENT: 6, WHOLESALE: 4, LOYAL: 3, REGULAR: 1, REFUSER: 1, WAITING: 0}
# The new customers of each status, by kind.
NEW_PEOPLE = {
    CustomerStatus.OFFICIAL: {AGENT: 4, WHOLESALE: 6, LOYAL: 9, REFUSER: 2, REGULAR: 5},
    CustomerStatus.GUEST: {WHOLESALE: 1, LOYAL: 3, REFUSER: 1, REGULAR: 13},
    CustomerStatus.TEMPORARY: {WAITING: 6},
    CustomerStatus.CANCELLED: {REFUSER: 1, REGULAR: 3},
}
# The classic demo customers (by the part of the email before the @), and their kind.
CLASSIC_KINDS = {"minh.anh": LOYAL, "duc.long": REFUSER}

FAMILY_NAMES = {
    "Nguyễn": 30,
    "Trần": 11,
    "Lê": 9,
    "Phạm": 7,
    "Hoàng": 5,
    "Huỳnh": 4,
    "Phan": 4,
    "Vũ": 4,
    "Võ": 4,
    "Đặng": 3,
    "Bùi": 3,
    "Đỗ": 3,
    "Hồ": 2,
    "Ngô": 2,
    "Dương": 2,
    "Lý": 1,
}
MIDDLE_NAMES = {
    Gender.FEMALE: ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Phương", "Kim", "Bảo", "Mỹ"],
    Gender.MALE: ["Văn", "Minh", "Quốc", "Đức", "Hữu", "Thành", "Gia", "Hoàng", "Anh", "Công"],
}
GIVEN_NAMES = {
    Gender.FEMALE: [
        "Anh",
        "Linh",
        "Trang",
        "Hương",
        "Lan",
        "Hà",
        "Ngân",
        "Thảo",
        "Vy",
        "Yến",
        "Nhung",
        "Hạnh",
        "Giang",
        "Quỳnh",
        "Trâm",
        "Hoa",
        "Diễm",
        "My",
        "Nga",
        "Châu",
    ],  # fmt: skip
    Gender.MALE: [
        "Hùng",
        "Dũng",
        "Nam",
        "Khoa",
        "Huy",
        "Tuấn",
        "Phúc",
        "Long",
        "Sơn",
        "Hải",
        "Thắng",
        "Kiên",
        "Tú",
        "Bình",
        "Trung",
        "Quân",
    ],  # fmt: skip
}
COMPANIES = [
    "Shop Thời Trang Hương Giang",
    "Công ty TNHH May Mặc An Phát",
    "Cửa hàng Áo Dài Bảo Ngọc",
    "Hộ kinh doanh Minh Châu",
    "Boutique Lam Phương",
    "Công ty TNHH Thương Mại Hòa Bình",
    "Shop Nhà Mây",
    "Thời trang Gia Hân",
    "Cửa hàng Vải Sợi Phú Lộc",
    "Shop Mộc Miên",
    "Công ty CP Thời Trang Sen Việt",
]
# Mobile prefixes of Viettel, Vinaphone, MobiFone and Vietnamobile.
MOBILE_PREFIXES = [
    "032", "033", "034", "035", "036", "037", "038", "039", "070", "076", "077", "078",
    "079", "081", "082", "083", "084", "085", "086", "088", "089", "090", "091", "093",
    "094", "096", "097", "098",
]  # fmt: skip
STREETS = [
    "Nguyễn Trãi", "Lê Lợi", "Trần Hưng Đạo", "Hai Bà Trưng", "Lý Thường Kiệt", "Quang Trung",
    "Nguyễn Huệ", "Phan Chu Trinh", "Điện Biên Phủ", "Hùng Vương", "Lê Duẩn", "Bạch Đằng",
    "Nguyễn Văn Cừ", "Trường Chinh", "Võ Thị Sáu", "Pasteur",
]  # fmt: skip
WARDS = [
    "Phường Tân An", "Phường Hòa Bình", "Xã Tân Phú", "Phường An Phú", "Phường Phú Lợi",
    "Xã Long Hưng", "Phường Trung Tâm", "Phường Thống Nhất", "Xã Bình Minh", "Phường Quang Trung",
]  # fmt: skip
# The two big cities are where most parcels go.
PROVINCE_WEIGHTS = {"Hồ Chí Minh": 14, "Hà Nội": 12, "Đà Nẵng": 4, "Hải Phòng": 3, "Cần Thơ": 3}
CANCEL_REASONS = [
    "Bom hàng, không nghe máy khi giao",
    "Đăng ký nhiều tài khoản trùng nhau",
    "Khách yêu cầu ngừng nhận thông tin và đóng tài khoản",
    "Thông tin đăng ký không đúng",
]
ORDER_NOTES = ["Giao giờ hành chính", "Gọi trước khi giao", "Gói quà giúp mình nhé", ""]
NOTES = {
    AGENT: [
        "Đại lý nhập hàng đầu tháng, chuyển khoản trước 50%.",
        "Chiết khấu đại lý 25%, đã gửi bảng giá mới qua Zalo.",
        "Hỏi mẫu áo dài Tết sớm, báo khi có hàng về.",
    ],
    WHOLESALE: [
        "Lấy 20–30 áo mỗi đợt, thích màu trung tính.",
        "Cần xuất hóa đơn VAT, gửi thông tin công ty qua email.",
        "Hẹn xem mẫu tại kho vào thứ Bảy.",
    ],
    LOYAL: [
        "Mặc size M, thích màu pastel.",
        "Sinh nhật tháng này, nhớ gửi lời chúc và quà nhỏ.",
        "Đã tư vấn áo dài cưới, hẹn tuần sau quay lại thử.",
        "Khách quen, hay giới thiệu bạn bè mua cùng.",
    ],
    REGULAR: [
        "Khách hỏi chính sách đổi size trong 7 ngày.",
        "Giao hàng chậm 2 ngày, đã xin lỗi khách.",
        "Hay đổi địa chỉ giao hàng, xác nhận kỹ trước khi gửi.",
    ],
    REFUSER: [
        "Gọi 3 lần không nghe máy, đơn hoàn về.",
        "Yêu cầu chuyển khoản trước cho đơn sau.",
    ],
    WAITING: [
        "Đã gọi xác nhận số điện thoại, chờ duyệt.",
        "Hỏi mẫu áo dài cách tân size S, hẹn báo khi có hàng.",
    ],
}
NOTED_CUSTOMERS = 26

# Statuses of an order by its age in days: (younger than, {status: weight}).
STATUS_BY_AGE = [
    (1, {OrderStatus.PENDING: 6, OrderStatus.CONFIRMED: 3, OrderStatus.CANCELLED: 1}),
    (
        3,
        {
            OrderStatus.PENDING: 1,
            OrderStatus.CONFIRMED: 3,
            OrderStatus.SHIPPING: 4,
            OrderStatus.CANCELLED: 1,
        },
    ),
    (
        6,
        {
            OrderStatus.SHIPPING: 4,
            OrderStatus.COMPLETED: 5,
            OrderStatus.RETURNED: 1,
            OrderStatus.CANCELLED: 1,
        },
    ),
    (None, {OrderStatus.COMPLETED: 16, OrderStatus.CANCELLED: 2, OrderStatus.RETURNED: 1}),
]
# The steps an order took to its status, each with how many hours it took at most.
HOURS = {
    OrderStatus.CONFIRMED: (0.5, 8),
    OrderStatus.SHIPPING: (6, 30),
    OrderStatus.COMPLETED: (24, 96),
    OrderStatus.RETURNED: (48, 120),
    OrderStatus.CANCELLED: (0.5, 24),
}
STEPS = {
    OrderStatus.PENDING: [],
    OrderStatus.CONFIRMED: [OrderStatus.CONFIRMED],
    OrderStatus.SHIPPING: [OrderStatus.CONFIRMED, OrderStatus.SHIPPING],
    OrderStatus.COMPLETED: [OrderStatus.CONFIRMED, OrderStatus.SHIPPING, OrderStatus.COMPLETED],
    OrderStatus.RETURNED: [OrderStatus.CONFIRMED, OrderStatus.SHIPPING, OrderStatus.RETURNED],
}


@dataclass
class Person:
    customer: Customer
    kind: str
    start: datetime  # their orders are placed between these two
    end: datetime
    staff: object = None  # who looks after them
    orders: list = field(default_factory=list)


@contextmanager
def dated(customer, when):
    """The services date what they write now; a demo's history is older. Timeline rows
    written for ``customer`` inside the block are dated ``when``."""
    before = set(customer.events)
    yield
    for event in customer.events:
        if event not in before:
            event.created_at = when


def seed_people(*, shop, staff, classics, products, password, now=None):
    """The demo's history. ``staff``: the owner, the manager and the staff-role clerk;
    ``classics``: the classic demo customers, by the part of their email before the @;
    ``password``: the generated members' (one hash for all: sixty would take seconds)."""
    rng = random.Random(SEED)  # noqa: S311  (made-up people, not secrets)
    now = now or utcnow()
    groups = {name: create_group(shop=shop, name=name, description=text) for name, text in GROUPS}
    people = [classic_person(customer, key, now) for key, customer in classics.items()]
    taken = {
        "emails": {p.customer.email for p in people},
        "phones": {phone.number for p in people for phone in p.customer.phones},
    }
    people += new_people(rng, shop, staff, hash_password(password), taken, now)
    look_after(rng, shop, staff, people, groups)
    write_orders(rng, shop, staff, people, products, now)
    for person in people:
        refresh_totals(person.customer)
        returns = [o.updated_at for o in person.orders if o.status == OrderStatus.RETURNED]
        if returns:
            with dated(person.customer, max(returns)):
                tag_refuser(shop=shop, customer=person.customer)
    tag_people(rng, shop, staff, people, now)
    write_notes(rng, shop, staff, people, now)
    db.session.flush()


# --- People ---------------------------------------------------------------------------


def classic_person(customer, key, now):
    end = now
    if customer.status == CustomerStatus.CANCELLED:
        end = max(e.created_at for e in customer.events if e.type == CustomerEvents.CANCELLED)
    start = max(customer.created_at, now - timedelta(days=ORDER_DAYS))
    if customer.status == CustomerStatus.GUEST:
        # The guest came with a checkout: their first order made the record.
        start = customer.created_at
    kind = CLASSIC_KINDS.get(key, REGULAR)
    if customer.status == CustomerStatus.TEMPORARY:
        kind = WAITING
    return Person(customer, kind, start, end)


def new_people(rng, shop, staff, password_hash, taken, now):
    """The generated customers, oldest record first (so codes grow with time)."""
    plans = [
        (status, kind)
        for status, kinds in NEW_PEOPLE.items()
        for kind, n in kinds.items()
        for _ in range(n)
    ]
    plans = [(status, kind, joined(rng, status, kind, now)) for status, kind in plans]
    plans.sort(key=lambda plan: plan[2])
    people = []
    for status, kind, when in plans:
        customer = new_customer(rng, shop, status, kind, taken, when)
        if status != CustomerStatus.GUEST:
            customer.password_hash = password_hash
        people.append(new_person(rng, staff, customer, kind, when, now))
    share_a_phone(people)
    return people


def joined(rng, status, kind, now):
    """When the record began: the registration of a member, the first order of a guest."""
    days = {
        CustomerStatus.TEMPORARY: (0.1, 10),
        CustomerStatus.GUEST: (1, ORDER_DAYS - 1),
        CustomerStatus.CANCELLED: (90, 400),
    }.get(status, (20, 420))
    if kind in (AGENT, WHOLESALE, REFUSER) and status == CustomerStatus.GUEST:
        days = (20, ORDER_DAYS - 1)  # room for their orders
    return now - timedelta(days=rng.uniform(*days))


def new_customer(rng, shop, status, kind, taken, when):
    gender = Gender.FEMALE if rng.random() < 0.7 else Gender.MALE
    family = pick(rng, FAMILY_NAMES)
    middle, given = rng.choice(MIDDLE_NAMES[gender]), rng.choice(GIVEN_NAMES[gender])
    is_member = status != CustomerStatus.GUEST
    customer = Customer(
        shop_id=shop.id,
        shop=shop,
        code=customer_service.next_customer_code(shop),
        first_name=f"{middle} {given}",
        last_name=family,
        gender=gender,
        status=status,
        created_at=when,
        email=email_for(rng, shop, family, given, taken)
        if is_member or rng.random() < 0.5
        else None,
        company=rng.choice(COMPANIES) if kind in (AGENT, WHOLESALE) else "",
    )
    if rng.random() < 0.5:
        customer.birthday = date(rng.randint(1968, 2004), rng.randint(1, 12), rng.randint(1, 28))
    db.session.add(customer)
    for _ in range(2 if rng.random() < 0.25 else 1):
        customer_service.add_phone(customer=customer, number=new_phone(rng, taken))
    add_addresses(rng, shop, customer)
    if is_member:
        customer.registered_at = when
        if status != CustomerStatus.TEMPORARY or rng.random() < 0.5:
            customer.email_verified_at = when + timedelta(minutes=rng.randint(2, 90))
        if rng.random() < 0.6:
            customer.accepts_marketing = True
            customer.marketing_consent_at = when
            customer.marketing_consent_source = "registration"
    return customer


def new_person(rng, staff, customer, kind, when, now):
    """The customer's timeline up to now, and when they may order."""
    owner, manager, _clerk = staff
    status, end = customer.status, now
    if status == CustomerStatus.GUEST:
        events.created_from_checkout(customer=customer).created_at = when
        return Person(customer, kind, when, end)
    events.registered(customer=customer, from_guest=False).created_at = when
    if status in (CustomerStatus.OFFICIAL, CustomerStatus.CANCELLED):
        approved = min(when + timedelta(hours=rng.uniform(2, 72)), now)
        events.approved(
            customer=customer, staff=manager, previous=CustomerStatus.TEMPORARY
        ).created_at = approved
    if status == CustomerStatus.CANCELLED:
        end = now - timedelta(days=rng.uniform(2, 30))
        event = events.cancelled(
            customer=customer,
            staff=owner,
            previous=CustomerStatus.OFFICIAL,
            reason=CANCEL_REASONS[0] if kind == REFUSER else rng.choice(CANCEL_REASONS[1:]),
        )
        event.created_at = end
    return Person(customer, kind, max(when, now - timedelta(days=ORDER_DAYS)), end)


def pick(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def email_for(rng, shop, family, given, taken):
    base = f"{fold(given)}.{fold(family)}".replace(" ", "")
    email = f"{base}@{shop.slug}.cuahang.vn"
    while email in taken["emails"]:
        email = f"{base}{rng.randint(80, 99)}@{shop.slug}.cuahang.vn"
    taken["emails"].add(email)
    return email


def new_phone(rng, taken):
    """A valid Vietnamese mobile number in E.164 that no other demo customer has (not every
    seven digits after a prefix are in use)."""
    while True:
        number = "+84" + rng.choice(MOBILE_PREFIXES)[1:] + f"{rng.randrange(10**7):07d}"
        if number in taken["phones"]:
            continue
        try:
            normalise_phone(number)
        except InvalidPhone:
            continue
        taken["phones"].add(number)
        return number


def add_addresses(rng, shop, customer):
    """A default address, and for some a second one in another province (work, family)."""
    names = province_names()
    weights = [PROVINCE_WEIGHTS.get(name, 1) for name in names]
    provinces = []
    for _ in range(2 if rng.random() < 0.2 else 1):
        province = rng.choices(names, weights=weights)[0]
        if province not in provinces:
            provinces.append(province)
    for index, province in enumerate(provinces):
        customer.addresses.append(
            Address(
                shop_id=shop.id,
                full_name=customer.full_name,
                phone=customer.phones[0].number,
                line1=f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
                ward=rng.choice(WARDS),
                province=province,
                is_default=index == 0,
            )
        )


def share_a_phone(people):
    """A family shares a phone: two records with one number, as the list flags them."""
    guests = [p.customer for p in people if p.customer.status == CustomerStatus.GUEST]
    customer_service.add_phone(customer=guests[1], number=guests[0].phones[0].number)


def look_after(rng, shop, staff, people, groups):
    """Each customer's group and the staff member who looks after them, as the manager
    set them soon after they came."""
    owner, manager, clerk = staff
    for person in people:
        customer = person.customer
        if customer.status == CustomerStatus.CANCELLED and person.kind != REFUSER:
            continue
        when = min(customer.created_at + timedelta(hours=rng.uniform(1, 20)), person.end)
        group = groups.get(GROUP_OF.get(person.kind))
        person.staff = rng.choices([clerk, manager, owner, None], weights=[4, 3, 2, 1])[0]
        with dated(customer, when):
            if group is not None:
                set_group(shop=shop, customers=[customer], group=group, staff=manager)
            if person.staff is not None:
                assign_staff(shop=shop, customers=[customer], assignee=person.staff, staff=manager)


# --- Orders ---------------------------------------------------------------------------


def write_orders(rng, shop, staff, people, products, now):
    """``ORDERS`` orders among the people who buy: every guest has the order that made their
    record, and a refuser has refused two parcels or more."""
    buyers = [p for p in people if ORDER_WEIGHT[p.kind]]
    times = [[] for _ in buyers]
    for person, when in zip(buyers, times, strict=True):
        if person.customer.status == CustomerStatus.GUEST:
            when.append(person.start)
        if person.kind == REFUSER:
            # Two parcels sent long enough ago to have come back.
            early = person.start + (person.end - person.start) * 0.1
            when += [early, early + (person.end - early) * 0.3]
    left = ORDERS - sum(len(t) for t in times)
    weights = [ORDER_WEIGHT[p.kind] for p in buyers]
    for index in rng.choices(range(len(buyers)), weights=weights, k=left):
        person = buyers[index]
        # Busier lately: more orders in the last weeks than in the first.
        times[index].append(person.end - (person.end - person.start) * rng.random() ** 1.4)
    placed = sorted((when, index) for index, when_ in enumerate(times) for when in when_)
    orders = [
        (when, buyers[i], new_order(rng, shop, buyers[i], products, when)) for when, i in placed
    ]
    db.session.flush()  # the orders' ids, for their lines on the timeline
    for when, person, order in orders:
        status = order_status(rng, (now - when).total_seconds() / 86400)
        if person.kind == REFUSER and len(person.orders) < 2:
            status = OrderStatus.RETURNED  # their first two parcels came back
        history(rng, staff, person, order, status, when, min(person.end, now))
        person.orders.append(order)


def order_status(rng, age_days):
    weights = next(w for younger, w in STATUS_BY_AGE if younger is None or age_days < younger)
    return pick(rng, weights)


def new_order(rng, shop, person, products, when):
    customer = person.customer
    bulk = person.kind in (AGENT, WHOLESALE)
    chosen = rng.sample(products, rng.randint(2, 4) if bulk else rng.choice([1, 1, 1, 2, 3]))
    address = customer.addresses[0]
    order = Order(
        shop_id=shop.id,
        number=shop.order_seq + 1,
        customer=customer,
        status=OrderStatus.PENDING,
        payment_method=PaymentMethod.COD,
        source=order_source(rng, customer, bulk, when),
        full_name=customer.full_name,
        email=customer.email,
        phone=customer.primary_phone,
        line1=address.line1,
        ward=address.ward,
        province=address.province,
        note=rng.choice(ORDER_NOTES),
        created_at=when,
        updated_at=when,
    )
    for product in chosen:
        quantity = rng.choice([3, 5, 5, 10]) if bulk else rng.choice([1, 1, 1, 2])
        order.lines.append(order_line(shop, product, quantity))
    order.subtotal = sum(line.line_total for line in order.lines)
    order.shipping_fee = shipping_fee_for(shop, order.subtotal)
    order.total = order.subtotal + order.shipping_fee
    shop.order_seq = order.number  # the checkout's counter (nobody checks out meanwhile)
    db.session.add(order)
    return order


def order_source(rng, customer, bulk, when):
    """Wholesale buyers often order by phone, entered by staff; members order signed in."""
    if bulk and rng.random() < 0.5:
        return "admin"
    registered = customer.registered_at
    return "member" if registered is not None and registered <= when else "guest"


def history(rng, staff, person, order, status, when, latest):
    """The order's life to ``status``: placed at ``when``, each step after the one before,
    the last no later than ``latest``; a completed parcel's money came in afterwards."""
    owner, manager, _clerk = staff
    customer = person.customer
    actor = person.staff or manager
    if order.source == "admin":
        order.created_by_staff_id = actor.id
    events.order_placed(
        customer=customer, order=order, staff=actor if order.source == "admin" else None
    ).created_at = when
    steps = STEPS.get(status)
    if steps is None:  # cancelled before or after the shop confirmed it
        steps = [OrderStatus.CONFIRMED] if rng.random() < 0.4 else []
        steps = [*steps, OrderStatus.CANCELLED]
    hours = [rng.uniform(*HOURS[step]) for step in steps]
    room = (latest - when).total_seconds() / 3600 * 0.9
    scale = min(1, room / sum(hours)) if hours else 1
    for step, spent in zip(steps, hours, strict=True):
        when += timedelta(hours=spent * scale)
        previous, order.status = order.status, step
        by_customer = step == OrderStatus.CANCELLED and previous == OrderStatus.PENDING
        by_customer = by_customer and order.source == "member" and rng.random() < 0.5
        events.order_status_changed(
            customer=customer,
            order=order,
            previous=previous,
            actor="customer" if by_customer else "system",
            staff=None if by_customer else actor,
        ).created_at = when
        if step == OrderStatus.CANCELLED:
            order.cancelled_at = when
    order.updated_at = when
    if status == OrderStatus.COMPLETED:
        order.payment_status = PaymentStatus.PAID
        order.paid_at = min(when + timedelta(hours=rng.uniform(2, 48)), latest)
        events.order_paid(customer=customer, order=order, staff=owner).created_at = order.paid_at


# --- What the staff wrote about them --------------------------------------------------


def tag_people(rng, shop, staff, people, now):
    """VIP on the best spenders of the retail customers, "khách sỉ" on wholesale buyers and
    agents, "tiềm năng" on newcomers who bought once (the system tagged the refusers)."""
    owner, manager, clerk = staff
    active = [p for p in people if p.customer.status != CustomerStatus.CANCELLED]
    retail = [p for p in active if p.kind in (LOYAL, REGULAR)]
    best = sorted(retail, key=lambda p: p.customer.total_spent, reverse=True)[:6]
    tags = [("VIP", p, owner) for p in best]
    tags += [("khách sỉ", p, manager) for p in people if p.kind in (AGENT, WHOLESALE)]
    tags += [
        ("tiềm năng", p, p.staff or clerk)
        for p in active
        if p.customer.status in (CustomerStatus.TEMPORARY, CustomerStatus.GUEST)
        and len(p.orders) <= 1
        and p.kind != REFUSER
    ][:10]
    for name, person, author in tags:
        last = max([o.created_at for o in person.orders], default=person.start)
        with dated(person.customer, min(last + timedelta(hours=rng.uniform(1, 48)), now)):
            add_tag(shop=shop, customers=[person.customer], name=name, staff=author)


def write_notes(rng, shop, staff, people, now):
    """Notes by whoever looks after the customer (the manager for the others)."""
    _owner, manager, _clerk = staff
    for person in rng.sample(people, NOTED_CUSTOMERS):
        texts = NOTES[person.kind]
        for text in rng.sample(texts, 2 if person.kind != REGULAR and rng.random() < 0.4 else 1):
            when = person.start + (min(person.end, now) - person.start) * rng.random()
            author = person.staff or manager
            with dated(person.customer, when):
                note = add_note(shop=shop, customer=person.customer, staff=author, body=text)
            note.created_at = note.updated_at = when
