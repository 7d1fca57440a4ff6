"""Write the sample workbooks in tests/data, good and broken.

Run from the repository root:  python tests/data/make_files.py [--libreoffice]

(--libreoffice also re-saves the LibreOffice returns; tests/data/README.md says how each file is made.)

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

from workbooks import (  # noqa: E402  (found through the path set just above: the script is run by its path)
    DA,
    QUARTER,
    VALID_VALUES,
    VERSION,
    edit,
    filled,
    rewrite_parts,
    row_of,
    sheet_part,
    tolerant_xlsxwriter,
    with_values,
    xlsxwriter_formula_return,
)

from data_ingest.template import write_template  # noqa: E402  (likewise)

MEASURES_BY_CODE = DA.measures_by_code
REFUGE = "Refuge"

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
    write_template(out, DA, version=VERSION)
    return out.getvalue()


# --- nothing lost silently (issue 12, points 5 to 7) ------------------------------------


def merged_value_cells() -> bytes:
    """Refuge C6:C7 merged: RF04 (28 women) and RF05 (36 children) under one cell, RF05's figure lost."""
    def change(workbook):
        ws = workbook[REFUGE]
        assert ws["A6"].value == "RF04" and ws["A7"].value == "RF05"
        ws.merge_cells("C6:C7")
    return edit(filled(), change)


def very_hidden_refuge() -> bytes:
    """A very hidden copy of Refuge with RF04 = 3, before the visible Refuge with RF04 = 28."""
    def change(workbook):
        visible = workbook[REFUGE]
        hidden = workbook.copy_worksheet(visible)
        hidden.title = f"{REFUGE} "                 # the same name to a reader ignoring spaces
        hidden.cell(row=row_of(hidden, "RF04"), column=3, value=3)
        hidden.sheet_state = "veryHidden"
        workbook.move_sheet(hidden, offset=workbook.index(visible) - workbook.index(hidden))
    return edit(filled(), change)


def hidden_finance_sheet() -> bytes:
    """The Finance sheet hidden: the only Finance there is, read with a warning."""
    def change(workbook):
        workbook["Finance"].sheet_state = "hidden"
    return edit(filled(), change)


def hidden_value_columns() -> bytes:
    """One Stop: a hidden column C headed Value with other figures before the visible Value (D).
    Refuge: its Value column (C) hidden."""
    def change(workbook):
        ws = workbook["One Stop"]
        ws.insert_cols(3)
        header = row_of(ws, "Code")
        ws.cell(row=header, column=3, value="Value")
        for row in range(header + 1, ws.max_row + 1):
            if ws.cell(row=row, column=1).value:
                ws.cell(row=row, column=3, value=1)
        ws.column_dimensions["C"].hidden = True
        workbook[REFUGE].column_dimensions["C"].hidden = True
    return edit(filled(), change)


def _set_saved_numbers(content: bytes, changes: list[tuple[str, str, bytes]]) -> bytes:
    """Each (sheet, code, text): the Value cell of ``code`` saved as the number ``text``, as a
    program other than Excel may write it."""
    import re

    import openpyxl
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    by_part: dict[str, list[tuple[bytes, bytes]]] = {}
    for sheet, code, text in changes:
        cell = f"C{row_of(workbook[sheet], code)}".encode()
        by_part.setdefault(sheet_part(content, sheet), []).append((cell, text))

    def change(name: str, data: bytes) -> bytes:
        for cell, text in by_part.get(name, ()):
            pattern = re.compile(rb'(<c r="' + cell + rb'"[^>]*?)(?: t="\w+")?(>)<v>[^<]*</v>')
            data, count = pattern.subn(rb"\1\2<v>" + text + rb"</v>", data)
            assert count == 1, (name, cell)
        return data
    return rewrite_parts(content, change)


def impossible_numbers() -> bytes:
    """Numbers no return can hold, saved in the file: 1E+308 (RF02), NaN (OS01), infinity (FN01)."""
    return _set_saved_numbers(filled(), [(REFUGE, "RF02", b"1E+308"), ("One Stop", "OS01", b"NaN"),
                                         ("Finance", "FN01", b"INF")])


#: Commentary of 6,000 characters: sentences a provider might write, over the 5,000 limit.
LONG_COMMENTARY = " ".join(
    f"Week {n}: the refuge stayed full, {n % 7 + 1} referrals were turned away for want of space "
    "and the waiting list was reviewed with the council's housing team." for n in range(1, 200))[:6000]


def long_texts() -> bytes:
    """The Refuge commentary 6,000 characters long and 'Completed by' 250 characters long."""
    from workbooks import COMMENTARY_TEXT
    out = io.BytesIO()
    from datetime import date
    write_template(out, DA, reference="ASC0013", provider="MK ACT", quarter=QUARTER, values=VALID_VALUES,
                   commentary={**COMMENTARY_TEXT, "Refuge": LONG_COMMENTARY},
                   completed_by="Jo Bloggs, " + "data officer, " * 17 + "MK ACT",
                   date_completed=date(2017, 1, 20), version=VERSION)
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
    "merged_value_cells.xlsx": merged_value_cells,
    "very_hidden_refuge.xlsx": very_hidden_refuge,
    "hidden_finance_sheet.xlsx": hidden_finance_sheet,
    "hidden_value_columns.xlsx": hidden_value_columns,
    "impossible_numbers.xlsx": impossible_numbers,
    "long_texts.xlsx": long_texts,
    "xlsxwriter_formula_return.xlsx": lambda: xlsxwriter_formula_return(150, True),
}


#: Returns re-saved by LibreOffice Calc (tests/data/README.md): the file each is made from.
LIBREOFFICE_FILES = {
    "libreoffice_return.xlsx": "sample_data/workbooks/ASC0013_2016-17_Q3.xlsx",
    "libreoffice_substance_misuse_return.xlsx": "sample_data/workbooks/ASC0042_2016-17_Q3.xlsx",
    "libreoffice_other_writer_return.xlsx": "tests/data/other_writer_return.xlsx",
    "libreoffice_formula_return.xlsx": "tests/data/uncalculated_formula.xlsx",
}


def resave_with_libreoffice() -> None:
    """Re-save LIBREOFFICE_FILES with LibreOffice Calc, headless (Debian: libreoffice-calc-nogui).
    Not run by default: the files are committed, and their bytes change with LibreOffice's version."""
    import shutil
    import subprocess
    import tempfile

    root = HERE.parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in", Path(tmp) / "out"
        source.mkdir()
        for name, original in LIBREOFFICE_FILES.items():
            shutil.copyfile(root / original, source / name)
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                        "--convert-to", "xlsx", "--outdir", str(target),
                        *(str(source / name) for name in LIBREOFFICE_FILES)], check=True)
        for name in LIBREOFFICE_FILES:
            shutil.copyfile(target / name, HERE / name)
            print(f"wrote tests/data/{name} (LibreOffice)")


def main() -> None:
    assert VALID_VALUES
    for name, make in FILES.items():
        (HERE / name).write_bytes(make())
        print(f"wrote tests/data/{name}")
    if "--libreoffice" in sys.argv[1:]:
        resave_with_libreoffice()


if __name__ == "__main__":
    main()
