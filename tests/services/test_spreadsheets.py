"""Reading an uploaded customer file: .xlsx and .csv (UTF-8 with or without BOM, comma or
semicolon) into plain values, leading zeros and Vietnamese text intact; and every file that
cannot be read refused with its own message before anything is used."""

import io
import unicodedata
import zipfile
from datetime import date

import openpyxl
import pytest

from services.spreadsheets import BadFile, read_table

MB = 1024 * 1024


def read(name, data, max_bytes=5 * MB, max_rows=100):
    return read_table(name, data, max_bytes=max_bytes, max_rows=max_rows)


def xlsx(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def refused(name, data, **limits):
    with pytest.raises(BadFile) as error:
        read(name, data, **limits)
    assert error.value.field == "file"
    return str(error.value.message)


def test_an_xlsx_gives_text_digits_and_dates():
    data = xlsx(
        [
            ["Mã khách hàng", "Tên", "Điện thoại", "Ngày sinh", "Tổng chi tiêu", None],
            ["007", "Nguyễn Thị Lan", 912345678, date(1990, 5, 3), 1250000.5, None],
            [None, None, None, None, None, None],
            ["KH2", "  Trần Minh  ", "0987654321", "03/05/1990", 0, None],
            [None, None, None, None, None, None],
        ]
    )
    table = read("khach.xlsx", data)
    assert table.headers == ["Mã khách hàng", "Tên", "Điện thoại", "Ngày sinh", "Tổng chi tiêu"]
    assert table.rows[0] == ["007", "Nguyễn Thị Lan", "912345678", date(1990, 5, 3), "1250000.5"]
    # An empty row in the middle stays (its line number counts), the trailing ones go
    assert table.rows[1] == ["", "", "", "", ""]
    assert table.rows[2] == ["KH2", "Trần Minh", "0987654321", "03/05/1990", "0"]
    assert len(table.rows) == 3


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_csv_in_utf8_with_or_without_bom_and_either_separator(bom, delimiter):
    # Decomposed Vietnamese (NFD), as some systems write it, comes out composed (NFC)
    name = "Nguyễn Thị Lan"
    decomposed = unicodedata.normalize("NFD", name)
    text = f"Tên{delimiter}Điện thoại\n{decomposed}{delimiter}0912345678\n"
    table = read("khach.csv", bom + text.encode())
    assert table.headers == ["Tên", "Điện thoại"]
    assert table.rows == [[name, "0912345678"]]


def test_short_rows_are_padded_and_long_ones_cut_to_the_headers():
    table = read("k.csv", b"a,b,c\n1\n1,2,3,4\n")
    assert table.rows == [["1", "", ""], ["1", "2", "3"]]


def test_files_that_cannot_be_read_are_refused_each_with_its_reason():
    assert "empty" in refused("k.xlsx", b"")
    assert "larger than" in refused("k.csv", b"a\n" + b"x" * 2000, max_bytes=1000)
    assert "Upload an Excel file" in refused("k.pdf", b"%PDF-1.4 ...")
    assert "password or is an old .xls" in refused(
        "k.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100
    )
    assert "damaged" in refused("k.xlsx", b"PK\x03\x04 not really a zip")
    assert "UTF-8" in refused("k.csv", b"T\xean\nNguy\xe3n")
    assert "no header row" in refused("k.csv", b"\n\n,,\n")
    assert "no customers" in refused("k.csv", "Tên,Email\n,\n".encode())
    assert "more than 3 rows" in refused("k.csv", b"a\n1\n2\n3\n4\n", max_rows=3)


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    assert "damaged" in refused("k.xlsx", out.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * MB))
    data = out.getvalue()
    assert len(data) < MB
    assert "unpacks to far more" in refused("k.xlsx", data)


def test_xml_with_a_dtd_or_entities_is_refused():
    good = xlsx([["Tên"], ["Lan"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/sharedStrings.xml" or item.filename.endswith("sheet1.xml"):
                content = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + content
            target.writestr(item, content)
    assert "XML declarations" in refused("k.xlsx", out.getvalue())


def test_a_sheet_starting_right_of_column_a_keeps_each_column_in_its_place():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B3"], sheet["C3"] = "Tên", "Điện thoại"
    sheet["B4"], sheet["C4"] = "Lan", "0912345678"
    out = io.BytesIO()
    workbook.save(out)
    table = read("khach.xlsx", out.getvalue())
    assert table.headers == ["", "Tên", "Điện thoại"]
    assert table.rows == [["", "Lan", "0912345678"]]


def test_a_declaration_is_found_wherever_it_hides_in_a_large_part():
    good = xlsx([["Tên"], ["Lan"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                # "<!E" ends the first read of the part (64 KiB), "NTITY" starts the next
                padding = b"<!-- " + b"x" * ((1 << 16) - 12) + b" -->"
                content = padding + b"<!ENTITY e 'x'>" + content
            target.writestr(item, content)
    assert "XML declarations" in refused("k.xlsx", out.getvalue())
