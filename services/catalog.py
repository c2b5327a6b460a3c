"""The catalog's use cases: products, collections and product images.

Values come as the form gave them (strings) or as plain Python values; everything is checked
before the first row or file is written, so a refusal (``ServiceError`` naming its field)
leaves the database and the upload folder as they were. The caller commits."""

import re
import secrets
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from core.extensions import db
from core.inputs import multi_line, one_line, parse_id
from core.tenancy import for_shop
from models import (
    Collection,
    OrderLine,
    Product,
    ProductImage,
    product_collections,
    slugify,
)
from models.catalog import SLUG_MAX, touch_catalog
from services import ServiceError

MAX_PRICE = 10_000_000_000  # ten billion đồng: more is a typo, and fits every integer column
MAX_STOCK = 1_000_000_000
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 2000
THUMBNAIL_SIDE = 400
IMAGE_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
MEDIA_NAME = re.compile(r"^[0-9a-f]{32}(?:-thumb)?\.(?:jpg|png|webp)$")
# 1250000, 1.250.000, 1,250,000 or 1 250 000, with or without ₫ / đ / VND after it.
MONEY = re.compile(r"^(\d+|\d{1,3}(?:([.,\s])\d{3})(?:\2\d{3})*)$")


# --- Values ---------------------------------------------------------------------------


def parse_amount(value, *, field, required=True, maximum=MAX_PRICE):
    """A whole, non-negative number of đồng (or items) from what a person typed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ServiceError(_l("Please fill in this field."), field)
        return None
    if isinstance(value, bool):
        raise ServiceError(_l("Please enter a whole number, such as 250000."), field)
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        for suffix in ("₫", "VND", "vnd", "đ", "Đ"):
            text = text.removesuffix(suffix).strip()
        if text.startswith("-") and MONEY.match(text[1:].strip()):
            raise ServiceError(_l("The amount cannot be negative."), field)
        if not MONEY.match(text):
            raise ServiceError(_l("Please enter a whole number, such as 250000."), field)
        digits = re.sub(r"\D", "", text).lstrip("0") or "0"
        if len(digits) > len(str(maximum)):
            # Too large whatever it is, and int() refuses thousands of digits.
            raise ServiceError(_l("This number is too large."), field)
        number = int(digits)
    if number < 0:
        raise ServiceError(_l("The amount cannot be negative."), field)
    if number > maximum:
        raise ServiceError(_l("This number is too large."), field)
    return number


def clean_text(value, *, field, max_length, required=False):
    # Names and SKUs are one line; descriptions keep their line breaks.
    text = one_line(value) if max_length <= 200 else (multi_line(value) or "").strip()
    if required and not text:
        raise ServiceError(_l("Please fill in this field."), field)
    if len(text) > max_length:
        raise ServiceError(_l("Please use at most %(max)d characters.", max=max_length), field)
    return text


def unique_slug(model, shop, wanted, *, exclude_id=None):
    """``wanted``, or ``wanted-2``, ``wanted-3``… whichever this shop has not used yet."""
    query = for_shop(model, shop).with_only_columns(model.slug)
    query = query.where(model.slug.startswith(wanted, autoescape=True))
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    taken = set(db.session.scalars(query))
    slug, n = wanted, 1
    while slug in taken:
        n += 1
        suffix = f"-{n}"
        slug = wanted[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
    return slug


def choose_slug(model, shop, *, name, slug, exclude_id=None, current=None):
    """A typed slug is kept as typed (cleaned) and must be free; none: made from the name."""
    typed = (slug or "").strip()
    if typed:
        cleaned = slugify(typed)
        if not cleaned:
            raise ServiceError(_l("Use letters, digits and hyphens."), "slug")
        if cleaned == current:
            return cleaned
        clash = for_shop(model, shop).where(model.slug == cleaned)
        if exclude_id is not None:
            clash = clash.where(model.id != exclude_id)
        if db.session.scalar(clash) is not None:
            raise ServiceError(_l("Another item of this shop already uses this address."), "slug")
        return cleaned
    if current:
        return current
    return unique_slug(model, shop, slugify(name) or "san-pham", exclude_id=exclude_id)


# --- Products -------------------------------------------------------------------------


def _product_values(
    *,
    name,
    description,
    price,
    compare_at_price,
    sku,
    track_stock,
    stock,
    hidden,
    featured,
):
    values = {
        "name": clean_text(name, field="name", max_length=200, required=True),
        "description": clean_text(description, field="description", max_length=20_000),
        "price": parse_amount(price, field="price"),
        "compare_at_price": parse_amount(
            compare_at_price, field="compare_at_price", required=False
        ),
        "sku": clean_text(sku, field="sku", max_length=64) or None,
        "track_stock": bool(track_stock),
        "stock": parse_amount(stock, field="stock", required=False, maximum=MAX_STOCK) or 0,
        "hidden": bool(hidden),
        "featured": bool(featured),
    }
    if values["compare_at_price"] is not None and values["compare_at_price"] <= values["price"]:
        raise ServiceError(
            _l("The price before the discount must be higher than the price."), "compare_at_price"
        )
    return values


def _shop_collections(shop, collections):
    """Only this shop's collections, whatever was passed (ids or rows)."""
    ids = {c.id if isinstance(c, Collection) else parse_id(c) for c in collections or ()}
    ids.discard(None)
    if not ids:
        return []
    return db.session.scalars(for_shop(Collection, shop).where(Collection.id.in_(ids))).all()


def set_collections(*, shop, product, collections):
    db.session.flush()
    touch_catalog(db.session, shop.id)
    db.session.execute(
        product_collections.delete().where(
            product_collections.c.shop_id == shop.id,
            product_collections.c.product_id == product.id,
        )
    )
    rows = [
        {"shop_id": shop.id, "product_id": product.id, "collection_id": collection.id}
        for collection in _shop_collections(shop, collections)
    ]
    if rows:
        db.session.execute(product_collections.insert(), rows)
    db.session.expire(product, ["collections"])


def create_product(
    *,
    shop,
    name,
    price,
    slug=None,
    description="",
    compare_at_price=None,
    sku=None,
    track_stock=False,
    stock=0,
    hidden=False,
    featured=False,
    collections=(),
):
    values = _product_values(
        name=name,
        description=description,
        price=price,
        compare_at_price=compare_at_price,
        sku=sku,
        track_stock=track_stock,
        stock=stock,
        hidden=hidden,
        featured=featured,
    )
    values["slug"] = choose_slug(Product, shop, name=values["name"], slug=slug)
    product = Product(shop_id=shop.id, **values)
    db.session.add(product)
    set_collections(shop=shop, product=product, collections=collections)
    return product


def update_product(
    *,
    shop,
    product,
    name,
    price,
    slug=None,
    description="",
    compare_at_price=None,
    sku=None,
    track_stock=False,
    stock=0,
    hidden=False,
    featured=False,
    collections=None,
):
    """Change the named fields. An empty slug keeps the product's address (links to it keep
    working); ``collections=None`` leaves its collections as they are."""
    _check_owner(shop, product)
    values = _product_values(
        name=name,
        description=description,
        price=price,
        compare_at_price=compare_at_price,
        sku=sku,
        track_stock=track_stock,
        stock=stock,
        hidden=hidden,
        featured=featured,
    )
    values["slug"] = choose_slug(
        Product, shop, name=values["name"], slug=slug, exclude_id=product.id, current=product.slug
    )
    for key, value in values.items():
        setattr(product, key, value)
    if collections is not None:
        set_collections(shop=shop, product=product, collections=collections)
    return product


def hide_product(*, shop, product):
    _check_owner(shop, product)
    product.hidden = True


def show_product(*, shop, product):
    _check_owner(shop, product)
    product.hidden = False


def product_has_orders(*, shop, product):
    """Whether an order line points at ``product``: such a product is hidden, never deleted."""
    return (
        db.session.scalar(
            for_shop(OrderLine, shop)
            .with_only_columns(OrderLine.id)
            .where(OrderLine.product_id == product.id)
            .limit(1)
        )
        is not None
    )


def delete_product(*, shop, product):
    """Delete the product and its images; one that was ordered is hidden instead, so its
    orders keep their product. Returns ``"deleted"`` or ``"hidden"``."""
    _check_owner(shop, product)
    if product_has_orders(shop=shop, product=product):
        product.hidden = True
        return "hidden"
    files = [name for image in product.images for name in (image.filename, image.thumbnail)]
    db.session.delete(product)
    db.session.flush()
    _remove_files(shop, files)
    return "deleted"


def _check_owner(shop, row):
    # A programming error, not a user's: views load rows through the tenancy helpers.
    if row.shop_id != shop.id:
        raise ValueError("row of another shop")


# --- Collections ----------------------------------------------------------------------


def create_collection(*, shop, name, slug=None, description=""):
    name = clean_text(name, field="name", max_length=120, required=True)
    description = clean_text(description, field="description", max_length=5000)
    slug = choose_slug(Collection, shop, name=name, slug=slug)
    collection = Collection(shop_id=shop.id, name=name, slug=slug, description=description)
    db.session.add(collection)
    return collection


# --- Images ---------------------------------------------------------------------------


def upload_dir(shop):
    return Path(current_app.instance_path) / "uploads" / shop.slug


def _read_limited(stream):
    data = stream.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise ServiceError(_l("The image is larger than 5 MB."), "images")
    if not data:
        raise ServiceError(_l("The file is empty."), "images")
    return data


def _open_image(data):
    """The decoded image, refused unless it really is a JPEG, PNG or WebP picture."""
    not_an_image = ServiceError(_l("Please upload a JPEG, PNG or WebP image."), "images")
    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.format not in IMAGE_FORMATS:
                raise not_an_image
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ServiceError(_l("The image has too many pixels."), "images")
            probe.verify()
        # verify() leaves the image unusable: open it again to decode it for real.
        image = Image.open(BytesIO(data))
        image.load()
    except ServiceError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_an_image from None
    return image


def _encode(image, fmt):
    """Re-encoded, so that no metadata (a phone's GPS position) and nothing hidden after the
    picture is served from the shop."""
    out = BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return out.getvalue()


def add_image(*, shop, product, stream):
    """Check, shrink and store one uploaded picture of ``product``; add its row."""
    _check_owner(shop, product)
    data = _read_limited(stream)
    image = _open_image(data)
    fmt = image.format
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    full = image.copy()
    full.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    thumb = image.copy()
    thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    token = secrets.token_hex(16)
    ext = IMAGE_FORMATS[fmt]
    filename, thumbnail = f"{token}{ext}", f"{token}-thumb{ext}"
    folder = upload_dir(shop)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / filename).write_bytes(_encode(full, fmt))
    (folder / thumbnail).write_bytes(_encode(thumb, fmt))
    position = max((i.position for i in product.images), default=-1) + 1
    row = ProductImage(shop_id=shop.id, filename=filename, thumbnail=thumbnail, position=position)
    product.images.append(row)
    return row


def remove_image(*, shop, image):
    _check_owner(shop, image)
    files = [image.filename, image.thumbnail]
    image.product.images.remove(image)
    db.session.flush()
    _remove_files(shop, files)


def _remove_files(shop, names):
    folder = upload_dir(shop)
    for name in names:
        if MEDIA_NAME.match(name or ""):
            (folder / name).unlink(missing_ok=True)


def media_path(shop, filename):
    """The file ``filename`` of this shop's upload folder, or None for any other name."""
    if not MEDIA_NAME.match(filename or ""):
        return None
    path = upload_dir(shop) / filename
    return path if path.is_file() else None
