"""The columns of the shop's own customer spreadsheet: the import template, what an export
writes by default, so that an export re-imports to the same customers. One list, read by the
import (its headers in Vietnamese and English are matched first) and by the export."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Column:
    key: str  # what the importer fills / the exporter reads
    vi: str  # the header written in the template and in exports
    en: str  # the English header, matched on import too
    help: object  # what the template's second sheet says of it (translated)


COLUMNS = (
    Column(
        "code", "Mã khách hàng", "Customer code", _l("Left blank, a code like KH000123 is given.")
    ),
    Column("last_name", "Họ", "Last name", _l("Family name, e.g. Nguyễn.")),
    Column("first_name", "Tên", "First name", _l("Given name, e.g. Thị Lan. A name is required.")),
    Column("email", "Email", "Email", _l("Unique in the shop.")),
    Column("phone", "Điện thoại", "Phone", _l("The main phone; 0912345678 or +84912345678.")),
    Column("other_phones", "Điện thoại khác", "Other phones", _l("More phones, comma separated.")),
    Column("gender", "Giới tính", "Gender", _l("Nam, Nữ or Khác.")),
    Column("birthday", "Ngày sinh", "Birthday", _l("dd/mm/yyyy.")),
    Column("company", "Công ty", "Company", _l("Optional.")),
    Column(
        "group",
        "Nhóm khách hàng",
        "Customer group",
        _l("One of the shop's groups; a new name creates it."),
    ),
    Column("tags", "Tag", "Tags", _l("Comma separated.")),
    Column(
        "accepts_marketing",
        "Nhận email quảng cáo",
        "Accepts marketing",
        _l("Có/Không (blank: Không)."),
    ),
    Column("address", "Địa chỉ", "Address", _l("House number and street.")),
    Column("ward", "Phường/Xã", "Ward", _l("Ward or commune.")),
    Column(
        "province",
        "Tỉnh/Thành phố",
        "Province",
        _l("One of the 34 provinces; an old name is understood."),
    ),
    Column("country_code", "Mã quốc gia", "Country code", _l("VN when blank.")),
    Column("note", "Ghi chú", "Note", _l("Kept as an internal note.")),
    Column(
        "total_spent",
        "Tổng chi tiêu",
        "Total spent",
        _l("Ignored unless you keep totals from the file."),
    ),
    Column(
        "orders_count",
        "Tổng số đơn",
        "Total orders",
        _l("Ignored unless you keep totals from the file."),
    ),
)
BY_KEY = {column.key: column for column in COLUMNS}
