"""No input gives a server error.

Every route of the URL map (platform, storefront and admin) is opened by a visitor, by a
signed-in member and by the shop's owner, with hostile values in each path variable, in the
common query parameters and in every field of every form (GET and POST, CSRF off): nothing
answers 5xx. Then every form seen on the way is posted as its page filled it, with one field
at a time made hostile, so that the checks behind the first wrong field are reached too.
Routes are read from the app's URL map and field names from the forms of the project and the
pages seen on the way, so a new route or field is covered without being listed here. Only
the shop's slug is filled in with the real shop."""

import re
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urljoin

import pytest
from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField

from core.extensions import db
from models import Shop
from services import catalog as catalog_service
from services import favourites as favourite_service
from services import orders as order_service
from tests.conftest import PASSWORD
from tests.selling import GUEST, add_address
from tests.storefront import make_member

HOSTILE = [
    "9" * 25,  # more than any integer column holds
    "-1",
    "0",
    "abc",
    "\x00",
    "9" * 5000,  # too long for any field, and too many digits for int()
    "ấ𝔘",
    "../",
    "Mai\r\nBcc: attacker@example.com",
]
# "1" is the first row of every table: record pages are reached too, and their forms posted.
PATH_VALUES = ["1", *HOSTILE]
QUERY_NAMES = (
    "page",
    "q",
    "status",
    "id",
    "ids",
    "next",
    "sort",
    "collection",
    "per_page",
    "payment",
    "from",
    "to",
    "customer_id",
    "token",
)
# One field at a time, in a form otherwise filled as its page filled it.
FIELD_VALUES = ["9" * 25, "9" * 5000, "\x00\r\n../ấ𝔘"]
VARIABLE = re.compile(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>")
INPUT_NAME = re.compile(r'<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"')


def form_field_names():
    """The field names of every form class of the project."""
    names, todo = set(), [FlaskForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        names.update(n for n in dir(cls) if isinstance(getattr(cls, n, None), UnboundField))
    return names - {"csrf_token"}


class PostForms(HTMLParser):
    """The POST forms of a page as a browser would send them: {(action, names): fields}.
    Unticked boxes are named with None (not sent unless the test sets them)."""

    def __init__(self, page_url):
        super().__init__()
        self.page_url = page_url
        self.forms = {}
        self.fields = self.select = self.textarea = None
        self.action = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            post = (attrs.get("method") or "").lower() == "post"
            self.fields = {} if post else None
            self.action = urljoin(self.page_url, attrs.get("action") or self.page_url)
            return
        name = attrs.get("name")
        if self.fields is None or not name and tag != "option":
            return
        kind = (attrs.get("type") or "text").lower()
        if tag == "input" and kind not in ("submit", "button", "image", "reset", "file"):
            ticked = kind not in ("checkbox", "radio") or "checked" in attrs
            if ticked or name not in self.fields:
                self.fields[name] = (attrs.get("value") or "y") if ticked else None
                if kind not in ("checkbox", "radio"):
                    self.fields[name] = attrs.get("value") or ""
        elif tag == "select":
            self.select = name
            self.fields[name] = None
        elif tag == "option" and self.select:
            if "selected" in attrs or self.fields[self.select] is None:
                self.fields[self.select] = attrs.get("value") or ""
        elif tag == "textarea":
            self.textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self.textarea and self.fields is not None:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.fields is not None:
            if self.action.startswith("http://localhost/"):
                # One form per path and fields: the same page seen with other query strings
                # shows the same form.
                path = self.action[len("http://localhost") :].partition("?")[0]
                self.forms.setdefault((path, tuple(sorted(self.fields))), self.fields)
            self.fields = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def post_forms(url, html):
    parser = PostForms(urljoin("http://localhost/", url))
    parser.feed(html)
    return parser.forms


def path_of(rule, shop_slug, value):
    def fill(match):
        return shop_slug if match.group(1) == "shop" else quote(value, safe="")

    return VARIABLE.sub(fill, rule.rule)


@pytest.fixture
def seeded(app, shop):
    """A product in a collection, a member with an address, a favourite and an order. Slugs
    are "1" too, so that the pages that take one are reached like those that take an id."""
    member = make_member(app, shop, "minh.anh@example.com", phone="+84912345678")
    add_address(app, member.id)
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        collection = catalog_service.create_collection(shop=shop_row, name="Áo dài", slug="1")
        product = catalog_service.create_product(
            shop=shop_row, name="Áo dài lụa", slug="1", price=500_000, stock=50, track_stock=True
        )
        catalog_service.set_collections(shop=shop_row, product=product, collections=[collection])
        from models import Customer

        customer = db.session.get(Customer, member.id)
        favourite_service.toggle_favourite(shop=shop_row, customer=customer, product=product)
        order_service.place_order(
            shop=shop_row,
            lines=[(product.id, 1)],
            customer=customer,
            source="member",
            **{k: v for k, v in GUEST.items() if k != "payment_method"},
        )
        db.session.commit()
        return member, product.id


def sign_in(client, who, shop, owner, member, product_id):
    if who == "member":
        response = client.post(
            f"/{shop.slug}/account/login", data={"login": member.email, "password": PASSWORD}
        )
        assert response.status_code == 302, response.text
    elif who == "owner":
        response = client.post(
            f"/{shop.slug}/admin/login", data={"email": owner.email, "password": PASSWORD}
        )
        assert response.status_code == 302, response.text
    # Something in the cart, so the checkout and the cart's forms are reached.
    client.post(f"/{shop.slug}/cart/add", data={"product_id": product_id, "quantity": 1})
    return client.get_cookie("session").value


@pytest.mark.parametrize("who", ["visitor", "member", "owner"])
def test_no_route_answers_a_server_error_to_hostile_input(app, shop, owner, seeded, who):
    member, product_id = seeded
    client = app.test_client()
    session_cookie = sign_in(client, who, shop, owner, member, product_id)
    field_names = form_field_names()
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    assert len(rules) > 50
    failures = []
    forms = {}

    def send(method, path, query=None, data=None):
        # Each request starts from the signed-in session with its cart: a logout, or an
        # action on a row, leaves the next request where the walk began.
        client.set_cookie("session", session_cookie)
        url = path + ("?" + urlencode(query) if query else "")
        try:
            response = client.open(url, method=method, data=data)
        except Exception as error:  # noqa: BLE001  (TESTING propagates what a 500 hides)
            failures.append((method, url[:200], repr(error)[:300]))
            return
        if response.status_code >= 500:
            failures.append((method, url[:200], response.status_code))
        elif response.status_code == 200 and response.mimetype == "text/html":
            field_names.update(INPUT_NAME.findall(response.text))
            for key, fields in post_forms(url, response.text).items():
                forms.setdefault(key, fields)

    for rule in rules:
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for method in methods:
            for value in PATH_VALUES if rule.arguments - {"shop"} else PATH_VALUES[:1]:
                send(method, path_of(rule, shop.slug, value))
        for method in methods:
            path = path_of(rule, shop.slug, "1")
            for value in HOSTILE:
                query = dict.fromkeys(QUERY_NAMES, value)
                data = None
                if method == "POST":
                    data = dict.fromkeys(field_names - {"csrf_token"}, value)
                send(method, path, query, data)
    assert forms, "no form seen on the way"
    for (action, names), fields in forms.items():
        filled = {name: value for name, value in fields.items() if value is not None}
        for name in set(names) - {"csrf_token"}:
            for value in FIELD_VALUES:
                send("POST", action, data={**filled, name: value})
    assert not failures, "\n".join(map(str, failures))


# --- The attacks found, one by one ----------------------------------------------------

HUGE = "9" * 25


def signed_in_client(app, who, shop, owner, member, product_id):
    client = app.test_client()
    client.post("/language", data={"lang": "en"})
    sign_in(client, who, shop, owner, member, product_id)
    return client


@pytest.mark.parametrize(
    "path",
    ["/search?q=ao&page=" + HUGE, "/collections/1?page=" + HUGE],
)
def test_a_page_past_the_end_of_a_shop_list_is_its_last_page(app, shop, owner, seeded, path):
    member, product_id = seeded
    client = signed_in_client(app, "visitor", shop, owner, member, product_id)
    response = client.get(f"/{shop.slug}{path}")
    assert response.status_code == 200
    assert "Áo dài lụa" in response.text


def test_a_huge_id_or_page_in_the_members_pages_is_a_404_or_the_last_page(app, shop, owner, seeded):
    member, product_id = seeded
    client = signed_in_client(app, "member", shop, owner, member, product_id)
    base = f"/{shop.slug}"
    for path, shown in (("/account/favourites", "Áo dài lụa"), ("/account/orders", "#1001")):
        response = client.get(f"{base}{path}?page={HUGE}")
        assert response.status_code == 200, path
        assert shown in response.text, path
    assert client.post(f"{base}/favourites/{HUGE}").status_code == 404
    for path in (
        f"/account/orders/{HUGE}",
        f"/account/addresses/{HUGE}/edit",
    ):
        assert client.get(base + path).status_code == 404, path
    for path in (
        f"/account/orders/{HUGE}/cancel",
        f"/account/addresses/{HUGE}/delete",
        f"/account/addresses/{HUGE}/default",
        f"/account/profile/phones/{HUGE}/delete",
        f"/account/profile/phones/{HUGE}/primary",
    ):
        assert client.post(base + path).status_code == 404, path


def test_a_huge_id_or_page_in_the_admin_is_a_404_or_the_last_page(app, shop, owner, seeded):
    member, product_id = seeded
    client = signed_in_client(app, "owner", shop, owner, member, product_id)
    admin = f"/{shop.slug}/admin"
    for path, shown in (
        ("/customers", member.email),
        ("/orders", "#1001"),
        ("/products", "Áo dài lụa"),
        ("/emails/log", GUEST["email"]),
    ):
        response = client.get(f"{admin}{path}?page={HUGE}")
        assert response.status_code == 200, path
        assert shown in response.text, path
    for path in (
        f"/customers/{HUGE}",
        f"/orders/{HUGE}",
        f"/products/{HUGE}/edit",
        f"/emails/{HUGE}",
        f"/emails/{HUGE}/preview",
        f"/jobs/{HUGE}.json",
        f"/orders/new?customer_id={HUGE}",
    ):
        assert client.get(admin + path).status_code == 404, path
    for path in (
        f"/customers/{HUGE}/approve",
        f"/orders/{HUGE}/status",
        f"/products/{HUGE}/delete",
        f"/products/{product_id}/images/{HUGE}/delete",
        f"/staff/{HUGE}/remove",
    ):
        assert client.post(admin + path).status_code == 404, path


def test_the_largest_id_an_integer_column_holds_still_reaches_the_page(client, shop):
    # 2**31 - 1 is routed (and the visitor sent to the login); one more matches no route.
    largest = f"/{shop.slug}/admin/customers/{2**31 - 1}"
    assert client.get(largest).status_code == 302
    assert client.get(f"/{shop.slug}/admin/customers/{2**31}").status_code == 404


@pytest.mark.parametrize("slug", ["%00", "a%0Db", "%0A"])
def test_a_shop_slug_with_a_control_character_is_404(client, shop, slug):
    for path in (f"/{slug}/", f"/{slug}/admin/", f"/{slug}/products/1"):
        assert client.get(path).status_code == 404, path


def test_huge_ids_in_forms_are_ignored_or_refused(app, shop, owner, seeded):
    member, product_id = seeded
    client = signed_in_client(app, "owner", shop, owner, member, product_id)
    admin = f"/{shop.slug}/admin"
    from models import Customer, CustomerStatus, Product

    with app.app_context():
        db.session.get(Customer, member.id).status = CustomerStatus.TEMPORARY
        db.session.commit()
    # Ticked customers: the huge id is no customer, the real one is approved.
    response = client.post(
        f"{admin}/customers/bulk", data={"action": "approve", "customer_ids": [HUGE, member.id]}
    )
    assert response.status_code == 302
    # A product's collections: a translated form error, nothing saved.
    response = client.post(
        f"{admin}/products/{product_id}/edit",
        data={"name": "Đổi tên", "price": "500000", "collections": [HUGE]},
    )
    assert response.status_code == 200
    assert "Choose one of the options." in response.text
    # The cart: not a product.
    response = client.post(f"/{shop.slug}/cart/add", data={"product_id": HUGE, "quantity": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Customer, member.id).status == CustomerStatus.OFFICIAL
        assert db.session.get(Product, product_id).name == "Áo dài lụa"
