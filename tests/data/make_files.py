"""Write the sample workbooks in tests/data, good and broken.

Run from the repository root:  python tests/data/make_files.py

Each file is a real file a provider (or an attacker) could send; tests/test_reader.py
reads every one of them and says what the reader must report.
"""

from __future__ import annotations

import io
import struct
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent)]

from workbooks import (  # noqa: E402
    VALID_VALUES,
    edit,
    filled,
    rewrite_parts,
    row_of,
    sheet_part,
    tolerant_xlsxwriter,
    with_values,
)

from data_ingest.template import write_template  # noqa: E402
from models.catalogue import MEASURES_BY_CODE, REFUGE  # noqa: E402

#: Bytes of a "billion laughs" entity expansion: a few hundred bytes that expand to gigabytes.
BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
               for i in range(1, 10))
    + b"]>\n"
)


def ole2_file(stream_names: list[str]) -> bytes:
    """A small OLE2 compound file (the container of .xls and of password-protected .xlsx files):
    a header, one FAT sector and one directory sector naming the streams."""
    sector = 512
    header = bytearray(sector)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)   # version 3, 512-byte sectors
    struct.pack_into("<I", header, 44, 1)            # one FAT sector
    struct.pack_into("<I", header, 48, 1)            # directory starts at sector 1
    struct.pack_into("<I", header, 56, 4096)         # mini stream cutoff
    struct.pack_into("<I", header, 60, 0xFFFFFFFE)   # no mini FAT
    struct.pack_into("<I", header, 68, 0xFFFFFFFE)   # no DIFAT sectors
    struct.pack_into("<I", header, 76, 0)            # FAT is sector 0
    header[80:512] = b"\xff" * (512 - 80)
    fat = bytearray(b"\xff" * sector)
    struct.pack_into("<III", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFE)
    directory = bytearray(sector)
    for index, name in enumerate(["Root Entry", *stream_names][:4]):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[0:len(encoded)] = encoded
        struct.pack_into("<HB", entry, 64, len(encoded), 5 if index == 0 else 2)
        directory[index * 128:(index + 1) * 128] = entry
    return bytes(header + fat + directory)


def zip_bomb() -> bytes:
    """A workbook-shaped zip with a 20 MB sheet of spaces squeezed into a few KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", b'<?xml version="1.0"?><workbook/>')
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (20 * 1024 * 1024))
    return out.getvalue()


def entity_expansion() -> bytes:
    """The valid return with a billion-laughs DOCTYPE in its Refuge sheet."""
    content = filled()
    part = sheet_part(content, REFUGE)

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return BILLION_LAUGHS + body
    return rewrite_parts(content, change)


def huge_dimension() -> bytes:
    """The valid return whose Refuge sheet claims every cell Excel allows."""
    content = filled()
    part = sheet_part(content, REFUGE)

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        start = data.index(b"<dimension ref=")
        end = data.index(b"/>", start)
        return data[:start] + b'<dimension ref="A1:XFD1048576"' + data[end:]
    return rewrite_parts(content, change)


def uncalculated_formula() -> bytes:
    """The valid return with OS01 typed as a formula by a program, never calculated by Excel."""
    def change(workbook):
        ws = workbook[MEASURES_BY_CODE["OS01"].sheet]
        ws.cell(row=row_of(ws, "OS01"), column=3, value="=100+50")
    return edit(filled(), change)


def bad_values() -> bytes:
    """Figures a reader must refuse, one of each kind."""
    def change(workbook):
        def cell(code):
            ws = workbook[MEASURES_BY_CODE[code].sheet]
            return ws, row_of(ws, code)
        ws, row = cell("OS03")
        ws.cell(row=row, column=3, value="about 60")     # not a number
        ws, row = cell("RF10")
        ws.cell(row=row, column=3, value=-3)             # negative
        ws, row = cell("FS01")
        ws.cell(row=row, column=3, value=12.5)           # not whole
        ws, row = cell("OS16")
        ws.cell(row=row + 1, column=1, value="OS05")     # a code twice (a new row below OS16)
        ws.cell(row=row + 1, column=3, value=80)
        ws.cell(row=row + 2, column=1, value="OS17")     # an unknown code
        ws.cell(row=row + 2, column=3, value=4)
        ws, row = cell("FN01")
        ws.cell(row=row, column=3, value=1234.567)       # money with more than 2 decimals
        ws, row = cell("FS12")
        ws.delete_rows(row)                               # a measure row missing
    return edit(filled(), change)


def bad_arithmetic() -> bytes:
    """Figures that read cleanly but cannot be true: more women than units, children not adding up."""
    return with_values(RF04=30, RF06=19)


def blank_template() -> bytes:
    out = io.BytesIO()
    write_template(out)
    return out.getvalue()


FILES = {
    "valid_return.xlsx": filled,
    "blank_template.xlsx": blank_template,
    "other_writer_return.xlsx": tolerant_xlsxwriter,
    "bad_values.xlsx": bad_values,
    "bad_arithmetic.xlsx": bad_arithmetic,
    "uncalculated_formula.xlsx": uncalculated_formula,
    "password_protected.xlsx": lambda: ole2_file(["EncryptionInfo", "EncryptedPackage"]),
    "legacy_97_2003.xls": lambda: ole2_file(["Workbook", "SummaryInformation"]),
    "not_a_workbook.xlsx": lambda: b"Code,Measure,Value\nOS01,People receiving a service,150\n",
    "zip_bomb.xlsx": zip_bomb,
    "entity_expansion.xlsx": entity_expansion,
    "huge_dimension.xlsx": huge_dimension,
}


def main() -> None:
    assert VALID_VALUES
    for name, make in FILES.items():
        (HERE / name).write_bytes(make())
        print(f"wrote tests/data/{name}")


if __name__ == "__main__":
    main()
