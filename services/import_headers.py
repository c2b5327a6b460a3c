"""Which field of a customer each column of an uploaded file is, from its header alone:
the shop's own template (Vietnamese and English), Sapo's export, Shopify's customer CSV (old
and new headers), and the Vietnamese headers of UPOS and Pancake POS. Headers are compared
without case, accents, punctuation or spacing, so ``Tỉnh/Thành phố``, ``tinh thanh pho``
and ``TINH_THANH_PHO`` are one header. The manager can change any match."""

import re

from models import fold
from services.customer_sheet import COLUMNS

# What a column may be, besides the template's own keys.
EXTRA_KEYS = ("full_name", "country", "district")
KEYS = tuple(column.key for column in COLUMNS) + EXTRA_KEYS

# key: the headers other systems write for it.
ALIASES = {
    "code": ["Mã khách hàng", "Mã KH", "Customer code", "Code", "Mã"],
    "full_name": ["Tên khách hàng", "Họ và tên", "Họ tên", "Khách hàng", "Full name", "Name"],
    "last_name": ["Họ", "Last Name", "Last name"],
    "first_name": ["Tên", "First Name", "First name"],
    "email": ["Email", "E-mail", "Địa chỉ email", "Thư điện tử"],
    "phone": [
        "Điện thoại",
        "Số điện thoại",
        "SĐT",
        "SDT",
        "Di động",
        "Phone",
        "Mobile",
    ],
    # Shopify's address phone is one more number of the customer; its "Phone" is the main one.
    "other_phones": [
        "Điện thoại khác",
        "Số điện thoại khác",
        "Other phones",
        "Default Address Phone",
    ],
    "gender": ["Giới tính", "Gender", "Sex"],
    "birthday": ["Ngày sinh", "Sinh nhật", "Birthday", "Date of birth"],
    "company": ["Công ty", "Đơn vị", "Company", "Default Address Company"],
    "group": ["Nhóm khách hàng", "Nhóm KH", "Nhóm", "Customer group", "Group"],
    "tags": ["Tag", "Tags", "Thẻ", "Nhãn"],
    "accepts_marketing": [
        "Nhận email quảng cáo",
        "Nhận quảng cáo",
        "Accepts Marketing",
        "Accepts Email Marketing",
    ],
    "address": [
        "Địa chỉ",
        "Địa chỉ mặc định 1",
        "Address 1",
        "Address1",
        "Default Address Address1",
        "Address",
    ],
    "ward": ["Phường/Xã", "Phường xã", "Phường", "Xã", "Ward", "Default Address Address2"],
    "district": ["Quận/Huyện", "Quận huyện", "Quận", "Huyện", "District"],
    "province": [
        "Tỉnh/Thành phố",
        "Tỉnh thành",
        "Tỉnh/TP",
        "Tỉnh",
        "Thành phố",
        "Khu vực",
        "City",
        "Province",
        "Default Address City",
        "Default Address Province Code",
    ],
    "country_code": ["Mã quốc gia", "Country Code", "Default Address Country Code"],
    "country": ["Quốc gia", "Country"],
    "note": ["Ghi chú", "Trao đổi", "Note", "Notes"],
    "total_spent": ["Tổng chi tiêu", "Total Spent", "Đã chi tiêu"],
    "orders_count": ["Tổng số đơn", "Tổng đơn hàng", "Số đơn hàng", "Total Orders"],
}

# Headers that are never a customer's field, whatever an alias might say one day: the reason
# column an error report adds (in each language the app writes it), so that the report, once
# fixed, uploads again as it is.
IGNORED = ("Lý do lỗi", "Error reason")


def header_key(header):
    """A header as compared: folded, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", fold(str(header or "")))


_INDEX = {}
for _key, _headers in ALIASES.items():
    for _header in _headers:
        _INDEX.setdefault(header_key(_header), _key)
for _column in COLUMNS:
    _INDEX[header_key(_column.vi)] = _column.key
    _INDEX[header_key(_column.en)] = _column.key
_IGNORED = {header_key(header) for header in IGNORED}


def ignored_header(header):
    """Whether ``header`` is one the app writes for people, never a field (see ``IGNORED``)."""
    return header_key(header) in _IGNORED


def match_headers(headers):
    """The field each column is, by its position: ``{index: key}``. A field two columns
    claim goes to the first; a header nobody knows, or one of ``IGNORED``, is left out
    (ignored unless mapped)."""
    mapping, taken = {}, set()
    for index, header in enumerate(headers):
        key = None if ignored_header(header) else _INDEX.get(header_key(header))
        if key is not None and key not in taken:
            mapping[index] = key
            taken.add(key)
    return mapping


def split_full_name(name):
    """A Vietnamese full name in one column: the family name first, the rest is the given
    name (``Nguyễn Thị Lan`` → ``("Nguyễn", "Thị Lan")``)."""
    parts = " ".join((name or "").split()).split(" ")
    if len(parts) == 1:
        return "", parts[0]
    return parts[0], " ".join(parts[1:])
