"""Hostile workbooks of a few KB that make a reader ask for gigabytes (each one a way past earlier checks).

Every builder returns the bytes of a package that is well-formed XML in a well-formed zip; only
what the file claims about its cells is hostile.
"""

from __future__ import annotations

import io
import warnings
import zipfile

_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '</Types>')
_ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>')
_BOOK_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'worksheet" Target="{target}"/></Relationships>')
_SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}'
          '</sheetData></worksheet>')
HEADER = ("unit_code", "unit_name", "group", "contact", "phone")


def _cell(ref: str | None, text: str) -> str:
    at = f' r="{ref}"' if ref else ""
    return f'<c{at} t="inlineStr"><is><t>{text}</t></is></c>'


def benign_rows() -> str:
    """A roster's header and one unit: what a sheet holds besides the hostile cell."""
    header = "".join(_cell(f"{chr(65 + i)}1", h) for i, h in enumerate(HEADER))
    unit = "".join(_cell(f"{chr(65 + i)}2", v) for i, v in enumerate(("U001", "第一党支部", "县委", "张三", "1")))
    return f'<row r="1">{header}</row><row r="2">{unit}</row>'


def xlsx(rows: str, target: str = "worksheets/sheet1.xml", extra: list[tuple[str, str]] = (),
         sheet: str = "Sheet1") -> bytes:
    """A minimal xlsx whose one sheet holds *rows* (sheetData XML) in the part *target* points to."""
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # zipfile warns of a duplicate name: some builders want one
        zf.writestr("[Content_Types].xml", _TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK.format(name=sheet))
        zf.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS.format(target=target))
        for name, text in extra:  # written first: a reader that takes the last of two same-named parts takes ours
            zf.writestr(name, text)
        zf.writestr("xl/" + target, _SHEET.format(rows=rows))
    return buf.getvalue()


def sheet_named_bin() -> bytes:
    """The worksheet part named sheet1.bin (not .xml), holding a cell at XFD1048576."""
    return xlsx(benign_rows() + '<row r="1048576">' + _cell("XFD1048576", "x") + "</row>",
                target="worksheets/sheet1.bin")


def duplicate_member() -> bytes:
    """Two members named xl/worksheets/sheet1.xml: a harmless first one, a far cell in the last."""
    harmless = _SHEET.format(rows=benign_rows())
    return xlsx(benign_rows() + '<row r="1048576">' + _cell("XFD1048576", "x") + "</row>",
                extra=[("xl/worksheets/sheet1.xml", harmless)])


def ten_digit_row() -> bytes:
    """A cell at A1000000000: a row number of ten digits."""
    return xlsx(benign_rows() + '<row r="1000000000">' + _cell("A1000000000", "x") + "</row>")


def cells_without_references() -> bytes:
    """16,384 cells without r= in one row, and a row at 1,000,000."""
    wide = "<row>" + "<c><v>1</v></c>" * 16384 + "</row>"
    return xlsx(wide + '<row r="1000000">' + _cell(None, "x") + "</row>")


_ODS_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?>'
                 '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                 '<manifest:file-entry manifest:full-path="/" '
                 'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                 '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                 '</manifest:manifest>')
_ODS_CONTENT = ('<?xml version="1.0" encoding="UTF-8"?>'
                '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
                'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
                '<office:body><office:spreadsheet><table:table table:name="Sheet1">{rows}</table:table>'
                '</office:spreadsheet></office:body></office:document-content>')


def ods(rows: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        zf.writestr("content.xml", _ODS_CONTENT.format(rows=rows))
    return buf.getvalue()


def _ods_row(values, attrs: str = "") -> str:
    cells = "".join(f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
                    for v in values)
    return f"<table:table-row{attrs}>{cells}</table:table-row>"


def ods_hidden_repeat() -> bytes:
    """A row whose attribute value holds a '>' before number-rows-repeated: 65,536 rows of 1,000 cells."""
    filled = ('<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="1000">'
              '<text:p>1</text:p></table:table-cell>')
    hostile = f'<table:table-row table:style-name="a>b" table:number-rows-repeated="65536">{filled}</table:table-row>'
    return ods(_ods_row(HEADER) + _ods_row(("U001", "第一党支部", "县委", "张三", "1")) + hostile)


CRAFTED = {
    "sheet_named_bin": (sheet_named_bin, "xlsx"),
    "duplicate_member": (duplicate_member, "xlsx"),
    "ten_digit_row": (ten_digit_row, "xlsx"),
    "cells_without_references": (cells_without_references, "xlsx"),
    "ods_hidden_repeat": (ods_hidden_repeat, "ods"),
}
