"""A shop's catalog: products, the collections that group them and their images.

Rows that point at a product or a collection carry the shop too, and their foreign keys are
on ``(shop_id, id)``: the database itself refuses to put one shop's product in another
shop's collection."""

import re

from sqlalchemy import (
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    event,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.extensions import db
from models.base import TimestampMixin
from models.customer import fold

SLUG_MAX = 80


def slugify(text):
    """``Áo dài lụa Hà Đông`` → ``ao-dai-lua-ha-dong``: what a product's address is made of."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


product_collections = Table(
    "product_collections",
    db.metadata,
    Column("shop_id", ForeignKey("shops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("product_id", Integer, primary_key=True),
    Column("collection_id", Integer, primary_key=True, index=True),
    ForeignKeyConstraint(
        ["shop_id", "product_id"], ["products.shop_id", "products.id"], ondelete="CASCADE"
    ),
    ForeignKeyConstraint(
        ["shop_id", "collection_id"], ["collections.shop_id", "collections.id"], ondelete="CASCADE"
    ),
)


class Collection(TimestampMixin, db.Model):
    __tablename__ = "collections"
    __table_args__ = (UniqueConstraint("shop_id", "slug"), UniqueConstraint("shop_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    description: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self):
        return f"<Collection {self.slug}>"


class ShownProduct:
    """What the pages say of a product, whatever holds its columns: a ``Product`` row or
    the storefront's copy of one (``storefront.showcase.ProductView``)."""

    __slots__ = ()

    @property
    def in_stock(self):
        return not self.track_stock or self.stock > 0

    @property
    def on_sale(self):
        return self.compare_at_price is not None and self.compare_at_price > self.price

    @property
    def cover(self):
        return self.images[0] if self.images else None


class Product(ShownProduct, TimestampMixin, db.Model):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("shop_id", "slug"),
        UniqueConstraint("shop_id", "id"),
        Index("ix_products_shop_id_hidden_created_at", "shop_id", "hidden", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    # Money in đồng (VND has no minor unit); never a float.
    price: Mapped[int] = mapped_column(default=0)
    compare_at_price: Mapped[int | None] = mapped_column()
    sku: Mapped[str | None] = mapped_column(String(64))
    track_stock: Mapped[bool] = mapped_column(default=False)
    stock: Mapped[int] = mapped_column(default=0)
    hidden: Mapped[bool] = mapped_column(default=False)
    featured: Mapped[bool] = mapped_column(default=False)
    # Name, SKU and description folded by ``fold``: what both searches look in.
    search_text: Mapped[str] = mapped_column(Text, default="")

    images: Mapped[list["ProductImage"]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="(ProductImage.position, ProductImage.id)",
    )
    # Read-only: services write the association rows themselves, shop id included.
    collections: Mapped[list[Collection]] = relationship(
        secondary=product_collections,
        primaryjoin=lambda: and_(
            Product.id == product_collections.c.product_id,
            Product.shop_id == product_collections.c.shop_id,
        ),
        secondaryjoin=lambda: and_(
            Collection.id == product_collections.c.collection_id,
            Collection.shop_id == product_collections.c.shop_id,
        ),
        order_by=lambda: Collection.name,
        viewonly=True,
    )

    def refresh_search(self):
        parts = (self.name, self.sku, self.description)
        self.search_text = fold(" ".join(p for p in parts if p))

    def __repr__(self):
        return f"<Product {self.slug}>"


class ProductImage(db.Model):
    __tablename__ = "product_images"
    __table_args__ = (
        ForeignKeyConstraint(
            ["shop_id", "product_id"], ["products.shop_id", "products.id"], ondelete="CASCADE"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(index=True)
    # Random names under <instance>/uploads/<shop slug>/, never the uploader's file name.
    filename: Mapped[str] = mapped_column(String(80))
    thumbnail: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="images")


def touch_catalog(session, shop_id):
    """Raise the shop's ``catalog_version`` in the current transaction: the storefront's
    copies of its catalog are not used after it commits. Writes that bypass the unit of work
    (bulk UPDATEs of stock, the collection links) call it before they write, so that every
    writer takes the shop's row first, as checkouts do, and none waits on another crosswise."""
    from models.shop import Shop

    session.execute(
        update(Shop)
        .where(Shop.id == shop_id)
        .values(catalog_version=Shop.catalog_version + 1)
        .execution_options(synchronize_session=False)
    )


def _catalog_shop_id(obj):
    shop_id = obj.shop_id
    if shop_id is None and isinstance(obj, ProductImage) and obj.product is not None:
        shop_id = obj.product.shop_id
    return shop_id


@event.listens_for(Session, "before_flush")
def _follow_catalog_changes(session, flush_context, instances):
    """Keep ``search_text`` true to the name, SKU and description, however they changed, and
    raise the version of every shop whose catalog this flush changes."""
    shops = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, Product | ProductImage | Collection):
            continue
        if isinstance(obj, Product) and obj not in session.deleted:
            obj.refresh_search()
        if obj in session.dirty and not session.is_modified(obj):
            continue
        shop_id = _catalog_shop_id(obj)
        if shop_id is not None:
            shops.add(shop_id)
    for shop_id in sorted(shops):
        touch_catalog(session, shop_id)
