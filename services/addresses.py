"""A customer's address book: several addresses, exactly one of them the default.

Vietnamese addresses since the 2025 reform are house and street, ward, province; the
district is kept only for addresses written before it. An old province name is stored as the
province it became."""

from flask_babel import lazy_gettext as _l

from core.inputs import one_line
from models import Address
from services import ServiceError, events
from services.phones import normalise_phone
from services.places import current_province

COUNTRIES = ("VN",)


class InvalidAddress(ServiceError):
    pass


def _clean(values):
    """Checked and normalised address fields, or ``InvalidAddress`` naming the field."""
    text = {name: one_line(values.get(name)) for name in ("full_name", "line1", "ward")}
    if not text["full_name"]:
        raise InvalidAddress(
            _l("Enter the name of the person who receives the parcel."), "full_name"
        )
    if not text["line1"]:
        raise InvalidAddress(_l("Enter the house number and street."), "line1")
    if not text["ward"]:
        raise InvalidAddress(_l("Enter the ward or commune."), "ward")
    country = (values.get("country") or "VN").strip().upper()
    if country not in COUNTRIES:
        raise InvalidAddress(_l("We deliver only in Vietnam for now."), "country")
    province = current_province(values.get("province"))
    if province is None:
        raise InvalidAddress(_l("Choose a province or city from the list."), "province")
    phone = values.get("phone")
    phone = normalise_phone(phone, field="phone") if phone and phone.strip() else None
    district = one_line(values.get("district")) or None
    return {**text, "phone": phone, "district": district, "province": province, "country": country}


def form_values(address):
    """What a form to change ``address`` starts from: its fields as stored, an old province
    as the province it became."""
    return {
        "full_name": address.full_name,
        "phone": address.phone,
        "line1": address.line1,
        "ward": address.ward,
        "district": address.district,
        "province": current_province(address.province) or address.province,
        "country": address.country,
        "is_default": address.is_default,
    }


def _make_default(customer, address):
    for other in customer.addresses:
        other.is_default = other is address


def create_address(*, shop, customer, is_default=False, actor="customer", staff=None, **values):
    """Add an address; the first one, or one asked for, becomes the default."""
    fields = _clean(values)
    address = Address(shop_id=shop.id, **fields)
    customer.addresses.append(address)
    if is_default or len(customer.addresses) == 1:
        _make_default(customer, address)
    events.address_added(customer=customer, address=address, actor=actor, staff=staff)
    return address


def update_address(
    *, shop, customer, address, is_default=False, actor="customer", staff=None, **values
):
    """Change an address. Unticking "default" does nothing: another address must be made the
    default instead, so the book never has none."""
    _check_owner(shop, customer, address)
    fields = _clean(values)
    changed = [name for name, value in fields.items() if getattr(address, name) != value]
    for name in changed:
        setattr(address, name, fields[name])
    if is_default and not address.is_default:
        _make_default(customer, address)
        changed.append("is_default")
    if changed:
        events.address_updated(
            customer=customer, address=address, fields=changed, actor=actor, staff=staff
        )
    return address


def delete_address(*, shop, customer, address, actor="customer", staff=None):
    """Remove an address; when it was the default, the oldest remaining one takes over."""
    _check_owner(shop, customer, address)
    was_default = address.is_default
    events.address_removed(customer=customer, address=address, actor=actor, staff=staff)
    customer.addresses.remove(address)
    if was_default and customer.addresses:
        _make_default(customer, min(customer.addresses, key=lambda a: a.id))


def set_default_address(*, shop, customer, address, actor="customer", staff=None):
    _check_owner(shop, customer, address)
    if address.is_default:
        return address
    _make_default(customer, address)
    events.default_address_changed(customer=customer, address=address, actor=actor, staff=staff)
    return address


def _check_owner(shop, customer, address):
    # Views load the address through the tenancy helper; this guards every other caller.
    if address.shop_id != shop.id or address.customer_id != customer.id:
        raise InvalidAddress(_l("This address does not belong to this customer."))
