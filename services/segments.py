"""Saved filters of the customer list ("segments"), by name: the list opens them, and the
email and export features reuse them. A segment keeps the filter as the list reads it, so
what it finds is always what the list finds with the same filter."""

from urllib.parse import parse_qsl

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from core.extensions import db
from core.inputs import one_line
from core.tenancy import for_shop
from models import CustomerSegment
from services import ServiceError
from services.customer_list import read_filter

MAX_NAME = 100


def segment_filter(shop, segment):
    """The ``CustomerFilter`` a segment stands for (values no longer valid are dropped)."""
    return read_filter(MultiDict(parse_qsl(segment.query or "")), shop)


def segments_of(shop):
    return db.session.scalars(for_shop(CustomerSegment, shop).order_by(CustomerSegment.name)).all()


def save_segment(*, shop, name, query, staff):
    """Save the list's filter (its query string) under ``name``; a name already used is
    refused. Only the filter is kept: no page, no sort."""
    name = " ".join(one_line(name or "").split())
    if not name:
        raise ServiceError(_l("Give the segment a name."), "name")
    if len(name) > MAX_NAME:
        raise ServiceError(_l("Please use at most %(max)d characters.", max=MAX_NAME), "name")
    if any(s.name.casefold() == name.casefold() for s in segments_of(shop)):
        raise ServiceError(_l("The shop already has a segment of this name."), "name")
    customer_filter = read_filter(MultiDict(parse_qsl(query or "")), shop)
    if customer_filter.is_empty:
        raise ServiceError(_l("Filter the list first: a segment keeps a filter."))
    segment = CustomerSegment(
        shop_id=shop.id,
        name=name,
        query=customer_filter.query_string(),
        created_by_id=staff.id if staff is not None else None,
    )
    db.session.add(segment)
    db.session.flush()
    return segment


def delete_segment(*, shop, segment):
    if segment.shop_id != shop.id:
        raise ServiceError(_l("This segment belongs to another shop."))
    db.session.delete(segment)
