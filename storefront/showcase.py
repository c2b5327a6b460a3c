"""What the catalog pages show, kept in memory per shop until the shop's catalog changes.

Every write to a shop's products, images, collections or stock raises
``Shop.catalog_version`` in the same transaction (``models.catalog``). The storefront reads
the shop's row on every request anyway (tenancy); the product page, the home page and the
collection menu then look here first under that version, and only a miss reads the
database. A copy is kept under the version read *before* its rows, so it is never older
than the version it is filed under.

The copies are frozen values, not ORM objects: nothing here is attached to a session, so
nothing is shared between requests or threads but plain data. The cache lives in the app
(one per process, one per test app) and is bounded in size (``CatalogCache``).
"""

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.tenancy import for_shop
from models import Collection, Product, ProductImage, product_collections
from models.catalog import ShownProduct

MAX_WEIGHT = 50_000  # about one product each: tens of MB at most per process
MAX_ENTRIES = 4096
# A shop with up to this many products a shopper may see is read whole on the first miss
# (four queries), so every product page after it is served from memory; a bigger catalog
# is kept product by product, as the pages are asked for.
WHOLE_CATALOG_LIMIT = 2_000
TOO_BIG = ()
HOME_LIMIT = 8
NAV_LIMIT = 12


@dataclass(frozen=True, slots=True)
class ImageView:
    filename: str
    thumbnail: str


@dataclass(frozen=True, slots=True)
class CollectionLink:
    id: int
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class ProductView(ShownProduct):
    """What the product page and the product cards read of a product."""

    id: int
    name: str
    slug: str
    description: str
    price: int
    compare_at_price: int | None
    sku: str | None
    track_stock: bool
    stock: int
    images: tuple[ImageView, ...] = ()
    collections: tuple[CollectionLink, ...] = ()

    @classmethod
    def of(cls, product, *, collections=False):
        return cls(
            id=product.id,
            name=product.name,
            slug=product.slug,
            description=product.description,
            price=product.price,
            compare_at_price=product.compare_at_price,
            sku=product.sku,
            track_stock=product.track_stock,
            stock=product.stock,
            images=tuple(ImageView(i.filename, i.thumbnail) for i in product.images),
            collections=(
                tuple(CollectionLink(c.id, c.name, c.slug) for c in product.collections)
                if collections
                else ()
            ),
        )


class CatalogCache:
    """Values per (shop, key) for one version of each shop's catalog.

    Bounded by weight (a product counts one, a whole catalog as many as it holds): past
    ``max_weight`` the least recently used shops are dropped; a shop holds at most
    ``max_entries`` keys, the oldest dropped first."""

    def __init__(self, max_weight=MAX_WEIGHT, max_entries=MAX_ENTRIES):
        self.max_weight, self.max_entries = max_weight, max_entries
        self.weight = 0
        self._shops = OrderedDict()  # shop id -> _Slot
        self._lock = threading.Lock()

    def get(self, shop, key, build, weigh=None):
        """The value of ``key`` for this version of ``shop``'s catalog; ``build()`` makes it
        on a miss, and ``weigh(value)`` says how much it counts (one by default). ``None``
        (nothing to show) is not kept."""
        version = shop.catalog_version
        with self._lock:
            slot = self._shops.get(shop.id)
            if slot is not None and slot.version == version:
                found = slot.entries.get(key)
                if found is not None:
                    self._shops.move_to_end(shop.id)
                    return found[0]
        value = build()
        if value is not None:
            self._keep(shop.id, version, key, value, weigh(value) if weigh else 1)
        return value

    def _keep(self, shop_id, version, key, value, weight):
        with self._lock:
            slot = self._shops.get(shop_id)
            if slot is not None and slot.version > version:
                return  # a newer version is served already: this copy may be older
            if slot is None or slot.version < version:
                if slot is not None:
                    self.weight -= slot.weight
                slot = self._shops[shop_id] = _Slot(version)
            if key in slot.entries:
                self._drop(slot, key)
            elif len(slot.entries) >= self.max_entries:
                self._drop(slot, next(iter(slot.entries)))
            slot.entries[key] = (value, weight)
            slot.weight += weight
            self.weight += weight
            self._shops.move_to_end(shop_id)
            while self.weight > self.max_weight and len(self._shops) > 1:
                _, oldest = self._shops.popitem(last=False)
                self.weight -= oldest.weight

    def _drop(self, slot, key):
        _, weight = slot.entries.pop(key)
        slot.weight -= weight
        self.weight -= weight

    def clear(self):
        with self._lock:
            self._shops.clear()
            self.weight = 0


class _Slot:
    __slots__ = ("version", "entries", "weight")

    def __init__(self, version):
        self.version, self.entries, self.weight = version, {}, 0


def cache():
    """This app's cache, made on first use."""
    extensions = current_app.extensions
    found = extensions.get("catalog_cache")
    if found is None:
        found = extensions.setdefault("catalog_cache", CatalogCache())
    return found


# --- What the pages read ----------------------------------------------------------------


def visible_products(shop):
    """The shop's products a shopper may see, newest first, with their images."""
    return (
        for_shop(Product, shop)
        .where(Product.hidden.is_(False))
        .order_by(Product.created_at.desc(), Product.id.desc())
        .options(selectinload(Product.images))
    )


PRODUCT_COLUMNS = (
    Product.id,
    Product.name,
    Product.slug,
    Product.description,
    Product.price,
    Product.compare_at_price,
    Product.sku,
    Product.track_stock,
    Product.stock,
)


def load_views(shop, *where):
    """Copies of the shop's visible products (those matching ``where``, or all), by slug,
    with their images and collections: three reads of plain columns."""
    rows = db.session.execute(
        for_shop(Product, shop)
        .with_only_columns(*PRODUCT_COLUMNS)
        .where(Product.hidden.is_(False), *where)
    ).all()
    if not rows:
        return {}
    images_query = (
        for_shop(ProductImage, shop)
        .with_only_columns(ProductImage.product_id, ProductImage.filename, ProductImage.thumbnail)
        .order_by(ProductImage.position, ProductImage.id)
    )
    links_query = (
        select(product_collections.c.product_id, Collection.id, Collection.name, Collection.slug)
        .join(
            product_collections,
            and_(
                product_collections.c.collection_id == Collection.id,
                product_collections.c.shop_id == Collection.shop_id,
            ),
        )
        .where(product_collections.c.shop_id == shop.id)
        .order_by(Collection.name, Collection.id)
    )
    if where:  # some products: only their images and links
        ids = [row.id for row in rows]
        images_query = images_query.where(ProductImage.product_id.in_(ids))
        links_query = links_query.where(product_collections.c.product_id.in_(ids))
    images, links = defaultdict(list), defaultdict(list)
    for product_id, *image in db.session.execute(images_query):
        images[product_id].append(ImageView(*image))
    for product_id, *link in db.session.execute(links_query):
        links[product_id].append(CollectionLink(*link))
    return {
        row.slug: ProductView(*row, images=tuple(images[row.id]), collections=tuple(links[row.id]))
        for row in rows
    }


def load_catalog(shop):
    """Every product a shopper may see, by slug; ``TOO_BIG`` past ``WHOLE_CATALOG_LIMIT``."""
    count = db.session.scalar(
        for_shop(Product, shop).where(Product.hidden.is_(False)).with_only_columns(func.count())
    )
    return TOO_BIG if count > WHOLE_CATALOG_LIMIT else load_views(shop)


def product_view(shop, slug):
    """The visible product with this slug, its images and collections; None when there is
    none to show."""
    catalog = cache().get(
        shop, "catalog", lambda: load_catalog(shop), weigh=lambda c: max(len(c), 1)
    )
    if catalog is not TOO_BIG:
        return catalog.get(slug)
    return cache().get(
        shop, ("product", slug), lambda: load_views(shop, Product.slug == slug).get(slug)
    )


def home_products(shop, limit=HOME_LIMIT):
    """(featured, newest) for the home page; a featured product is not shown twice."""

    def build():
        featured = db.session.scalars(
            visible_products(shop).where(Product.featured.is_(True)).limit(limit)
        ).all()
        newest_query = visible_products(shop).limit(limit)
        if featured:
            newest_query = newest_query.where(Product.id.not_in([p.id for p in featured]))
        newest = db.session.scalars(newest_query).all()
        return (
            tuple(ProductView.of(p) for p in featured),
            tuple(ProductView.of(p) for p in newest),
        )

    return cache().get(shop, ("home", limit), build)


def nav_collections(shop, limit=NAV_LIMIT):
    """The collections in the shop's menu, by name."""

    def build():
        rows = db.session.execute(
            for_shop(Collection, shop)
            .with_only_columns(Collection.id, Collection.name, Collection.slug)
            .order_by(Collection.name)
            .limit(limit)
        ).all()
        return tuple(CollectionLink(*row) for row in rows)

    return cache().get(shop, ("nav", limit), build)
