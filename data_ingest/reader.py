"""Reading a provider's quarterly workbook into values, each with the cell it came from.

Two stages. First a safety pass over the raw file, before any cell is parsed: it
refuses quickly what is not an ``.xlsx`` workbook (a legacy ``.xls``, a
password-protected file, a CSV renamed), what is too large, a zip bomb, a sheet
claiming millions of cells, and any XML part declaring a DOCTYPE or entities. It
also notes which cells hold formulas and whether Excel ever calculated them,
which openpyxl cannot tell us. Then openpyxl reads the cells (read-only, cached
values) and the layout is found by name, never by position: sheets by name,
Cover fields by label, measure rows by code.

Bad input never raises: every problem is a :class:`~data_ingest.findings.Finding`
naming the sheet and cell, saying what is wrong and what to do.
"""

from __future__ import annotations

import io
import posixpath
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import openpyxl
from defusedxml.ElementTree import fromstring as safe_fromstring
from defusedxml.ElementTree import iterparse as safe_iterparse
from openpyxl.utils import column_index_from_string, get_column_letter

import settings
from data_ingest.findings import Finding, error, warning
from models.catalogue import (
    COMMENTARY,
    COMMENTARY_TOPICS,
    COVER,
    COVER_FIELDS,
    MEASURE_SHEETS,
    MEASURES_BY_CODE,
    REQUIRED_SHEETS,
    TEMPLATE_VERSION,
    Measure,
    measures_on,
)
from models.periods import Quarter, parse_fiscal_year, parse_quarter

# --- the layout both the template and the reader follow -------------------------

CODE_HEADER = "Code"
MEASURE_HEADER = "Measure"
VALUE_HEADER = "Value"
NOTES_HEADER = "Notes"
#: Header of a measure table, in the template's order (Notes is optional when reading).
MEASURE_TABLE_HEADERS: tuple[str, ...] = (CODE_HEADER, MEASURE_HEADER, VALUE_HEADER, NOTES_HEADER)
SERVICE_HEADER = "Service"
COMMENTARY_HEADER = "Commentary"
COMMENTARY_TABLE_HEADERS: tuple[str, ...] = (SERVICE_HEADER, COMMENTARY_HEADER)
#: Providers put titles above the table; its header row is looked for this far down.
HEADER_SEARCH_ROWS = 20
#: Cover fields without which a return cannot be filed.
REQUIRED_COVER_FIELDS: tuple[str, ...] = ("contract_reference", "financial_year", "quarter")
#: How a date read from the Cover is written back as text.
DATE_TEXT_FORMAT = "%d/%m/%Y"

# --- quirks of the file format --------------------------------------------------

#: Every Office file from before 2007 (.xls) and every password-protected
#: .xlsx is an OLE2 compound file starting with these bytes.
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
#: The stream a password-protected .xlsx keeps its encrypted workbook in; OLE2
#: directory names are UTF-16LE.
ENCRYPTED_STREAM_NAME = "EncryptedPackage".encode("utf-16-le")
ZIP_SIGNATURE = b"PK"
CONTENT_TYPES_PART = "[Content_Types].xml"
WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS_PART = "xl/_rels/workbook.xml.rels"
#: An Excel binary workbook (.xlsb) has this instead of xl/workbook.xml.
BINARY_WORKBOOK_PART = "xl/workbook.bin"
#: A LibreOffice spreadsheet (.ods) is a zip whose first part is this mimetype.
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
#: Parts read as XML and searched for DOCTYPE/ENTITY declarations.
XML_PART_SUFFIXES = (".xml", ".rels", ".vml")
#: Case-insensitive: no XML part of a workbook needs a DTD, and one declaring
#: entities is how "billion laughs" attacks expand a small file into gigabytes.
FORBIDDEN_XML_DECLARATIONS = (b"<!doctype", b"<!entity")
#: A real workbook has a few dozen parts.
MAX_PARTS = 1000
#: XML compresses about 5 to 20 times; a part compressing more than this is a
#: zip bomb. Small parts are not judged: their ratio says nothing.
MAX_COMPRESSION_RATIO = 200
RATIO_MIN_BYTES = 1024 * 1024
#: A zip entry flagged as encrypted (general purpose bit 0).
ZIP_ENCRYPTED_FLAG = 0x1
WORKSHEET_RELATIONSHIP = "/worksheet"
#: What programs that cannot calculate save as a formula's value (XlsxWriter: 0).
FORMULA_PLACEHOLDERS = frozenset({"0"})
#: Excel's error values, which openpyxl returns as text.
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!"})
_CELL_REFERENCE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
#: Numbers typed as text: "12", " 12 ", "1,234", "£1,234.50", "-3".
_NUMBER_TEXT = re.compile(
    r"^(?P<sign>[-\u2212])?\s*(?P<pound>£)?\s*(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<decimals>\d+))?$")
#: Text in the Code column that looks like a code (so is not a note).
_CODE_LIKE = re.compile(r"^[A-Z]{1,4}\s*-?\s*\d{1,3}$")
#: Spaces Excel users type, including the non-breaking space pasted from the web.
_SPACES = re.compile(r"[\s\u00a0]+")

#: Patterns for the quick pass over a sheet without formulas (any namespace prefix).
_FORMULA_TAG = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_ANY_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")
_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c\s[^>]*?\br=\"\$?([A-Za-z]{1,3})\$?(\d+)\"")
_DIMENSION_TAG = re.compile(rb"<(?:[\w.-]+:)?dimension\s[^>]*?\bref=\"([^\"]*)\"")
_SHRINK_SHEET = ("Delete the rows and columns beyond your figures, save and send it again; or copy "
                 "your figures into a fresh copy of the council's template.")

#: What to do when the file has to be rebuilt.
_USE_TEMPLATE = "Copy your figures into a fresh copy of the council's template and send that."


@dataclass
class CellValue:
    """One value read from the workbook and where it came from."""

    value: object       # float for measures (None when blank), str for text
    sheet: str          # catalogue sheet name, e.g. "Refuge"
    cell: str           # e.g. "C14"

    @property
    def location(self) -> str:
        return f"{self.sheet}!{self.cell}"


@dataclass
class ParsedWorkbook:
    cover: dict[str, CellValue] = field(default_factory=dict)         # keys: CoverField.key
    values: dict[str, CellValue] = field(default_factory=dict)        # code -> float or None
    commentary: dict[str, CellValue] = field(default_factory=dict)    # topic -> text
    findings: list[Finding] = field(default_factory=list)
    contract_reference: str | None = None
    quarter: Quarter | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]


class _Refused(Exception):
    """The file is refused before parsing; carries the finding that says why."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


@dataclass
class _SheetScan:
    """What the safety pass learned of one worksheet's XML."""

    rows: int = 0
    columns: int = 0
    #: Cells holding a formula -> the value saved with it ("" when none was).
    formulas: dict[str, str] = field(default_factory=dict)


@dataclass
class _Inspection:
    sheets: dict[str, _SheetScan]           # path of the sheet's XML part -> scan
    #: The writer asked Excel to recalculate on opening: cached values are placeholders.
    recalculate_on_load: bool = False


# --- public entry point ---------------------------------------------------------


def read_workbook(content: bytes, file_name: str = "workbook.xlsx") -> ParsedWorkbook:
    """Read a quarterly return. Never raises for bad input: problems are findings."""
    parsed = ParsedWorkbook()
    try:
        inspection = _inspect(content, file_name)
    except _Refused as refused:
        parsed.findings.append(refused.finding)
        return parsed
    try:
        _parse(content, inspection, parsed)
    except Exception as exc:  # noqa: BLE001 - a damaged file must give a message, not a crash
        parsed.findings.append(error(
            "UNREADABLE", f"{file_name} could not be read as an Excel workbook ({type(exc).__name__}).",
            "Open it in Excel, save it as an Excel Workbook (.xlsx) and send it again. " + _USE_TEMPLATE))
    return parsed


# --- stage 1: the safety pass ---------------------------------------------------


def _refuse(rule: str, message: str, advice: str, sheet: str | None = None) -> _Refused:
    return _Refused(error(rule, message, advice, sheet))


def _inspect(content: bytes, file_name: str) -> _Inspection:
    """Refuse what must not be parsed; note sheet sizes and formulas."""
    if not content:
        raise _refuse("EMPTY-FILE", f"{file_name} is empty.", "Send the completed workbook again.")
    limit = settings.UPLOAD_LIMIT_BYTES
    if len(content) > limit:
        raise _refuse(
            "TOO-LARGE",
            f"{file_name} is {_size(len(content))}, more than the {_size(limit)} a monitoring return "
            "may be (a completed return is usually under 100 KB).",
            "Remove pictures and extra sheets, or " + _USE_TEMPLATE[0].lower() + _USE_TEMPLATE[1:])
    if content.startswith(OLE2_SIGNATURE):
        if ENCRYPTED_STREAM_NAME in content:
            raise _refuse(
                "PASSWORD-PROTECTED", f"{file_name} is protected with a password, so it cannot be read.",
                "Remove the password (in Excel: File, Info, Protect Workbook, Encrypt with Password, "
                "and clear it), save, and send it again.")
        raise _refuse(
            "LEGACY-XLS", f"{file_name} is an old-style Excel 97-2003 workbook (.xls), not an .xlsx workbook.",
            "Open it in Excel and use File, Save As, Excel Workbook (.xlsx), then send the .xlsx file.")
    if not content.startswith(ZIP_SIGNATURE):
        raise _refuse(
            "NOT-XLSX", f"{file_name} is not an Excel workbook.",
            "Send the monitoring return as an Excel Workbook (.xlsx), not a CSV, PDF or other file.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise _refuse("NOT-XLSX", f"{file_name} is not an Excel workbook, or it is damaged.",
                      "Open it in Excel, save it as an Excel Workbook (.xlsx) and send it again.") from None
    with archive:
        return _inspect_archive(archive, infos, file_name)


def _inspect_archive(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
                     file_name: str) -> _Inspection:
    names = [info.filename for info in infos]
    if len(infos) > MAX_PARTS or len(set(names)) != len(names):
        raise _refuse("NOT-XLSX", f"{file_name} is not a workbook Excel would write "
                      f"({len(infos)} parts{', some repeated' if len(set(names)) != len(names) else ''}).",
                      _USE_TEMPLATE)
    if BINARY_WORKBOOK_PART in names:
        raise _refuse("NOT-XLSX", f"{file_name} is an Excel binary workbook (.xlsb), not an .xlsx workbook.",
                      "Open it in Excel and use File, Save As, Excel Workbook (.xlsx).")
    if "mimetype" in names and _read_bounded(archive, archive.getinfo("mimetype"), 200).strip() == ODS_MIMETYPE:
        raise _refuse("NOT-XLSX", f"{file_name} is an OpenDocument spreadsheet (.ods), not an .xlsx workbook.",
                      "Save it as an Excel 2007-365 workbook (.xlsx) and send that.")
    if CONTENT_TYPES_PART not in names or WORKBOOK_PART not in names:
        raise _refuse("NOT-XLSX", f"{file_name} is a zip file but not an Excel workbook.",
                      "Send the monitoring return as an Excel Workbook (.xlsx).")
    if any(info.flag_bits & ZIP_ENCRYPTED_FLAG for info in infos):
        raise _refuse("PASSWORD-PROTECTED", f"{file_name} is protected with a password, so it cannot be read.",
                      "Remove the password, save, and send it again.")

    limit = settings.UNCOMPRESSED_LIMIT_BYTES
    total = sum(info.file_size for info in infos)
    bomb_advice = "This is not a normal monitoring return. " + _USE_TEMPLATE
    if total > limit:
        raise _refuse("ZIP-BOMB", f"{file_name} unpacks to {_size(total)}, more than the {_size(limit)} "
                      "allowed; a monitoring return unpacks to well under 1 MB.", bomb_advice)
    for info in infos:
        if info.file_size >= RATIO_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise _refuse("ZIP-BOMB", f"{file_name} contains a part ({info.filename}) that is compressed "
                          f"{info.file_size // max(info.compress_size, 1):,} times, far beyond any real "
                          "workbook.", bomb_advice)

    # Read every XML part within the budget (sizes in the zip's directory can lie;
    # zipfile stops at the declared size, and we stop at the budget).
    parts: dict[str, bytes] = {}
    budget = limit
    for info in infos:
        if not info.filename.lower().endswith(XML_PART_SUFFIXES):
            continue
        try:
            data = _read_bounded(archive, info, budget)
        except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, ValueError):
            raise _refuse("NOT-XLSX", f"{file_name} is damaged: part {info.filename} cannot be unpacked.",
                          "Open it in Excel, save it again and send the saved file.") from None
        if len(data) > budget:
            raise _refuse("ZIP-BOMB", f"{file_name} unpacks to more than the {_size(limit)} allowed.",
                          bomb_advice)
        budget -= len(data)
        if _declares_dtd(data):
            raise _refuse("XML-ENTITIES", f"{file_name} contains XML declarations (DOCTYPE or ENTITY) in "
                          f"part {info.filename}, which Excel never writes; it is refused unread for safety.",
                          _USE_TEMPLATE)
        parts[info.filename] = data

    names_by_path = {path: name for name, path in _sheet_parts(parts).items()}
    # Sheets the workbook lists, and any other worksheet part lying in the zip.
    paths = list(names_by_path) + [p for p in parts if p.startswith("xl/worksheets/") and p.endswith(".xml")]
    sheets = {}
    for path in dict.fromkeys(paths):
        if path in parts:
            name = names_by_path.get(path, path)
            try:
                sheets[path] = _scan_sheet(name, parts[path])
            except _Refused:
                raise
            except Exception:  # noqa: BLE001 - malformed XML, bad cell references
                raise _refuse("UNREADABLE", f"{file_name} is damaged: the sheet {name} cannot be read.",
                              "Open it in Excel, save it again and send the saved file.") from None
    return _Inspection(sheets, _recalculates_on_load(parts[WORKBOOK_PART]))


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """At most ``budget + 1`` bytes of a part: enough to know it is over budget."""
    with archive.open(info) as part:
        return part.read(budget + 1)


def _declares_dtd(data: bytes) -> bool:
    head = data[:4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        # UTF-16 XML would hide a byte search; decode it first.
        try:
            text = data.decode("utf-16").lower().encode("utf-8")
        except UnicodeDecodeError:
            return True
    else:
        text = data.lower()
    return any(declaration in text for declaration in FORBIDDEN_XML_DECLARATIONS)


def _local(tag: str) -> str:
    """An XML name without its namespace (transitional and strict OOXML alike)."""
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> path of its XML part, from the workbook and its relationships."""
    try:
        workbook = safe_fromstring(parts[WORKBOOK_PART])
        rels = safe_fromstring(parts[WORKBOOK_RELS_PART]) if WORKBOOK_RELS_PART in parts else None
    except Exception:  # noqa: BLE001 - malformed XML: openpyxl will report it as unreadable
        return {}
    targets = {}
    for rel in rels.iter() if rels is not None else ():
        if _local(rel.tag) == "Relationship" and rel.get("Type", "").endswith(WORKSHEET_RELATIONSHIP):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(posixpath.dirname(WORKBOOK_PART), target))
            targets[rel.get("Id")] = path
    result = {}
    for element in workbook.iter():
        if _local(element.tag) == "sheet":
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rel_id in targets:
                result[element.get("name", "")] = targets[rel_id]
    return result


def _recalculates_on_load(workbook_xml: bytes) -> bool:
    """openpyxl and XlsxWriter set fullCalcOnLoad; a file saved by Excel does not."""
    try:
        root = safe_fromstring(workbook_xml)
    except Exception:  # noqa: BLE001
        return False
    for element in root.iter():
        if _local(element.tag) == "calcPr":
            return element.get("fullCalcOnLoad", "").lower() in ("1", "true")
    return False


def _scan_sheet(name: str, xml: bytes) -> _SheetScan:
    """Refuse a sheet claiming or holding too many cells; note its formulas."""
    return _scan_plain_sheet(name, xml) or _scan_sheet_cells(name, xml)


def _scan_plain_sheet(name: str, xml: bytes) -> _SheetScan | None:
    """The same checks by pattern for a sheet with no formula whose cells all carry their
    reference (what Excel and LibreOffice write): a tenth of the time of walking the XML.
    None when the sheet needs the full walk."""
    if _FORMULA_TAG.search(xml):
        return None
    references = _CELL_TAG.findall(xml)
    if len(references) != len(_ANY_CELL_TAG.findall(xml)):
        return None
    limit = settings.SHEET_CELL_LIMIT
    dimension = _DIMENSION_TAG.search(xml)
    claimed = _range_cells(dimension.group(1).decode("ascii", "replace")) if dimension else 0
    if claimed > limit:
        raise _refuse("SHEET-TOO-LARGE",
                      f"The sheet claims a range of {dimension.group(1).decode('ascii', 'replace')} "
                      f"({claimed:,} cells), more than the {limit:,} a monitoring return may have.",
                      _SHRINK_SHEET, sheet=name)
    scan = _SheetScan()
    if references:
        scan.rows = max(int(row) for _, row in references)
        scan.columns = max(column_index_from_string(column.decode("ascii").upper())
                           for column in {column for column, _ in references})
    if len(references) > limit or scan.rows * scan.columns > limit:
        raise _refuse("SHEET-TOO-LARGE",
                      f"The sheet uses cells as far as {get_column_letter(scan.columns)}{scan.rows}, "
                      f"more than the {limit:,} cells a monitoring return may have.", _SHRINK_SHEET,
                      sheet=name)
    return scan


def _scan_sheet_cells(name: str, xml: bytes) -> _SheetScan:
    """Walk the sheet's XML cell by cell: its extent, and each formula with its saved value."""
    limit = settings.SHEET_CELL_LIMIT
    scan = _SheetScan()
    cells = row = column = 0
    for event, element in safe_iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "dimension":
                claimed = _range_cells(element.get("ref", ""))
                if claimed > limit:
                    raise _refuse("SHEET-TOO-LARGE",
                                  f"The sheet claims a range of {element.get('ref')} ({claimed:,} cells), more "
                                  f"than the {limit:,} a monitoring return may have.", _SHRINK_SHEET, sheet=name)
            elif tag == "row":
                row = int(element.get("r") or row + 1)
                column = 0
            continue
        if tag == "c":
            cells += 1
            reference = _CELL_REFERENCE.match(element.get("r") or "")
            if reference:
                column = column_index_from_string(reference.group(1).upper())
                row = int(reference.group(2))
            else:
                column += 1
            scan.rows, scan.columns = max(scan.rows, row), max(scan.columns, column)
            if cells > limit or scan.rows * scan.columns > limit:
                raise _refuse("SHEET-TOO-LARGE",
                              f"The sheet uses cells as far as {get_column_letter(scan.columns)}{scan.rows}, "
                              f"more than the {limit:,} cells a monitoring return may have.", _SHRINK_SHEET, sheet=name)
            formula = value = None
            for child in element:
                if _local(child.tag) == "f":
                    formula = child
                elif _local(child.tag) == "v":
                    value = child
            if formula is not None:
                saved = (value.text or "").strip() if value is not None else ""
                scan.formulas[f"{get_column_letter(column)}{row}"] = saved
            element.clear()
        elif tag == "row":
            element.clear()
    return scan


def _range_cells(ref: str) -> int:
    corners = []
    for corner in ref.split(":"):
        match = _CELL_REFERENCE.match(corner.strip())
        if not match:
            return 0
        corners.append((column_index_from_string(match.group(1).upper()), int(match.group(2))))
    if len(corners) == 1:
        return 1
    (c1, r1), (c2, r2) = corners[0], corners[-1]
    return (abs(c2 - c1) + 1) * (abs(r2 - r1) + 1)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:,.1f} MB"
    return f"{max(n / 1024, 0.1):,.1f} KB"


# --- stage 2: reading the cells -------------------------------------------------


@dataclass
class _Sheet:
    """One sheet's cells, held as rows of values (at most SHEET_CELL_LIMIT of them)."""

    name: str                       # catalogue name
    rows: list[tuple]
    formulas: dict[str, str]
    recalculate_on_load: bool

    def value(self, row: int, column: int) -> object:
        """0-based row and column; None outside the used range."""
        if row < len(self.rows) and column < len(self.rows[row]):
            return self.rows[row][column]
        return None

    def uncalculated(self, cell: str) -> bool:
        """A formula whose value was never calculated: none saved, or a writer's placeholder.

        openpyxl saves no value; XlsxWriter saves 0 and both ask Excel to recalculate on
        opening (which a file saved by Excel does not). So a saved 0 is only trusted when
        the file does not ask for recalculation.
        """
        if cell not in self.formulas:
            return False
        saved = self.formulas[cell]
        return saved == "" or (self.recalculate_on_load and saved in FORMULA_PLACEHOLDERS)


def _coordinate(row: int, column: int) -> str:
    return f"{get_column_letter(column + 1)}{row + 1}"


def _normalise(text: object) -> str:
    """How labels, headers and sheet names are compared: case, spaces and a trailing colon ignored."""
    return _SPACES.sub(" ", str(text)).strip().rstrip(":").strip().casefold()


def _parse(content: bytes, inspection: _Inspection, parsed: ParsedWorkbook) -> None:
    with warnings.catch_warnings():
        # openpyxl warns about features it drops (extensions, data validation); none matter here.
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheets = _find_sheets(workbook, inspection, parsed)
        finally:
            workbook.close()
    if COVER in sheets:
        _read_cover(sheets[COVER], parsed)
    for sheet_name in MEASURE_SHEETS:
        if sheet_name in sheets:
            _read_measures(sheets[sheet_name], parsed)
    if COMMENTARY in sheets:
        _read_commentary(sheets[COMMENTARY], parsed)


def _find_sheets(workbook, inspection: _Inspection, parsed: ParsedWorkbook) -> dict[str, _Sheet]:
    by_name: dict[str, list[str]] = {}
    for title in workbook.sheetnames:
        by_name.setdefault(_normalise(title), []).append(title)
    sheets = {}
    for name in REQUIRED_SHEETS:
        titles = by_name.get(_normalise(name), [])
        if not titles:
            parsed.findings.append(error(
                "MISSING-SHEET", f"The workbook has no sheet called {name}.",
                f"Add the {name} sheet back with its name unchanged. " + _USE_TEMPLATE, sheet=name))
            continue
        if len(titles) > 1:
            parsed.findings.append(error(
                "DUPLICATE-SHEET", f"The workbook has {len(titles)} sheets called {name} "
                f"({', '.join(repr(t) for t in titles)}), so it is not clear which to read.",
                "Delete or rename the extra sheet.", sheet=name))
            continue
        title = titles[0]
        worksheet = workbook[title]
        scan = inspection.sheets.get(getattr(worksheet, "_worksheet_path", None))
        if scan is None or not hasattr(worksheet, "iter_rows"):
            parsed.findings.append(error(
                "MISSING-SHEET", f"The {name} sheet is not a worksheet that can be read (it may be a chart).",
                _USE_TEMPLATE, sheet=name))
            continue
        rows = []
        if scan.rows and scan.columns:
            rows = list(worksheet.iter_rows(min_row=1, max_row=scan.rows, min_col=1, max_col=scan.columns,
                                            values_only=True))
        sheets[name] = _Sheet(name, rows, scan.formulas, inspection.recalculate_on_load)
    return sheets


def _formula_finding(sheet: _Sheet, cell: str, what: str) -> Finding:
    return error("UNCALCULATED-FORMULA",
                 f"{what} is a formula whose value was never calculated.",
                 "Open the file in Excel and save it again (or type the figure instead of the formula).",
                 sheet=sheet.name, cell=cell)


# --- Cover ------------------------------------------------------------------


def _read_cover(sheet: _Sheet, parsed: ParsedWorkbook) -> None:
    labels = {_normalise(f.label): f for f in COVER_FIELDS}
    uncalculated = set()
    for row_index, row in enumerate(sheet.rows):
        label = row[0] if row else None
        cover_field = labels.get(_normalise(label)) if isinstance(label, str) else None
        if cover_field is None or cover_field.key in parsed.cover or cover_field.key in uncalculated:
            continue
        cell = _coordinate(row_index, 1)
        if sheet.uncalculated(cell):
            parsed.findings.append(_formula_finding(sheet, cell, cover_field.label))
            uncalculated.add(cover_field.key)
            continue
        parsed.cover[cover_field.key] = CellValue(_cover_text(sheet.value(row_index, 1)), sheet.name, cell)

    for cover_field in COVER_FIELDS:
        if cover_field.key not in REQUIRED_COVER_FIELDS or cover_field.key in uncalculated:
            continue
        found = parsed.cover.get(cover_field.key)
        if found is None:
            parsed.findings.append(error(
                "MISSING-COVER-FIELD", f"There is no '{cover_field.label}' row on the Cover sheet.",
                f"Put '{cover_field.label}' in column A and its value in column B. {cover_field.help}.",
                sheet=sheet.name))
        elif found.value == "":
            parsed.findings.append(error(
                "EMPTY-COVER-FIELD", f"{cover_field.label} is empty.",
                f"Fill it in. {cover_field.help}.", sheet=sheet.name, cell=found.cell))

    reference = parsed.cover.get("contract_reference")
    if reference is not None and reference.value:
        parsed.contract_reference = _SPACES.sub(" ", reference.value).strip()

    year_start = quarter_number = None
    year = parsed.cover.get("financial_year")
    if year is not None and year.value:
        try:
            year_start = parse_fiscal_year(year.value)
        except ValueError:
            parsed.findings.append(error(
                "BAD-FINANCIAL-YEAR", f"Financial year '{year.value}' is not a financial year.",
                "Type the financial year the return covers, for example 2016/17 (April 2016 to March 2017).",
                sheet=sheet.name, cell=year.cell))
    quarter = parsed.cover.get("quarter")
    if quarter is not None and quarter.value:
        try:
            quarter_number = parse_quarter(quarter.value)
        except ValueError:
            help_text = next(f.help for f in COVER_FIELDS if f.key == "quarter")
            parsed.findings.append(error(
                "BAD-QUARTER", f"Quarter '{quarter.value}' is not a quarter.",
                f"Choose the quarter the return covers: {help_text}.", sheet=sheet.name, cell=quarter.cell))
    if year_start is not None and quarter_number is not None:
        parsed.quarter = Quarter(year_start, quarter_number)

    version = parsed.cover.get("template_version")
    if version is not None and version.value and version.value != str(TEMPLATE_VERSION):
        parsed.findings.append(warning(
            "TEMPLATE-VERSION", f"Template version is '{version.value}'; this system reads version "
            f"{TEMPLATE_VERSION}. The figures were read by their codes, but check them carefully.",
            "Use the current template from the council next quarter.", sheet=sheet.name, cell=version.cell))


def _cover_text(value: object) -> str:
    """Cover values as text: whole numbers without ".0", dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(DATE_TEXT_FORMAT)
    if isinstance(value, date):
        return value.strftime(DATE_TEXT_FORMAT)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _SPACES.sub(" ", str(value)).strip()


def _free_text(value: object) -> str:
    """Commentary as typed, keeping its line breaks."""
    if isinstance(value, str):
        return value.strip()
    return _cover_text(value)


# --- measure tables ---------------------------------------------------------


def _find_header(sheet: _Sheet, required: tuple[str, ...]) -> tuple[int, dict[str, int]] | None:
    """(row, {normalised header: column}) of the first row holding every required header."""
    wanted = {_normalise(h) for h in required}
    for row_index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for column, value in enumerate(row):
            if isinstance(value, str):
                columns.setdefault(_normalise(value), column)
        if wanted <= columns.keys():
            return row_index, columns
    return None


def _read_measures(sheet: _Sheet, parsed: ParsedWorkbook) -> None:
    header = _find_header(sheet, (CODE_HEADER, VALUE_HEADER))
    if header is None:
        parsed.findings.append(error(
            "HEADER-NOT-FOUND",
            f"No header row with '{CODE_HEADER}' and '{VALUE_HEADER}' columns was found in the first "
            f"{HEADER_SEARCH_ROWS} rows.",
            f"Put back the header row ({' | '.join(MEASURE_TABLE_HEADERS)}) above the figures, "
            "with the names unchanged.", sheet=sheet.name))
        return
    header_row, columns = header
    code_column, value_column = columns[_normalise(CODE_HEADER)], columns[_normalise(VALUE_HEADER)]
    expected = {m.code: m for m in measures_on(sheet.name)}
    seen: dict[str, str] = {}
    for row_index in range(header_row + 1, len(sheet.rows)):
        raw_code = sheet.value(row_index, code_column)
        if raw_code is None or (isinstance(raw_code, str) and not raw_code.strip()):
            continue
        code = _SPACES.sub("", str(raw_code)).upper()
        code_cell = _coordinate(row_index, code_column)
        value_cell = _coordinate(row_index, value_column)
        raw_value = sheet.value(row_index, value_column)
        if code not in expected:
            finding = _unknown_code(sheet, code, str(raw_code).strip(), code_cell, raw_value)
            if finding is not None:
                parsed.findings.append(finding)
            continue
        if code in seen:
            parsed.findings.append(error(
                "DUPLICATE-CODE", f"Code {code} appears twice: here and in {seen[code]}.",
                f"Keep one row for {code} and delete the other.", sheet=sheet.name, cell=code_cell))
            continue
        seen[code] = code_cell
        measure = expected[code]
        if sheet.uncalculated(value_cell):
            parsed.findings.append(_formula_finding(sheet, value_cell, _describe(measure)))
            parsed.values[code] = CellValue(None, sheet.name, value_cell)
            continue
        number, finding = _measure_value(raw_value, measure)
        if finding is not None:
            message, advice, rule = finding
            parsed.findings.append(error(rule, message, advice, sheet=sheet.name, cell=value_cell))
        parsed.values[code] = CellValue(number, sheet.name, value_cell)

    for code, measure in expected.items():
        if code not in seen:
            parsed.findings.append(error(
                "MISSING-MEASURE", f"There is no row for {_describe(measure)}.",
                f"Add a row with {code} in the {CODE_HEADER} column and the figure in the {VALUE_HEADER} "
                "column (leave the value empty if it is not reported).", sheet=sheet.name))


def _unknown_code(sheet: _Sheet, code: str, typed: str, cell: str, raw_value: object) -> Finding | None:
    """A row that is not one of this sheet's measures: an error if it looks like a figure, else a note."""
    elsewhere = MEASURES_BY_CODE.get(code)
    if elsewhere is not None:
        return error("MISPLACED-CODE", f"{code} ({elsewhere.label}) belongs on the {elsewhere.sheet} sheet, "
                     f"not on {sheet.name}.", f"Move the row to the {elsewhere.sheet} sheet.",
                     sheet=sheet.name, cell=cell)
    has_value = raw_value is not None and not (isinstance(raw_value, str) and not raw_value.strip())
    if _CODE_LIKE.match(code) or has_value:
        codes = measures_on(sheet.name)
        return error("UNKNOWN-CODE", f"'{typed}' is not a code of the {sheet.name} sheet "
                     f"({codes[0].code} to {codes[-1].code}).",
                     "Correct the code as it is in the template; codes must not be changed. Put remarks "
                     f"in the {NOTES_HEADER} column or on the {COMMENTARY} sheet.", sheet=sheet.name, cell=cell)
    return None   # a note or sub-title typed in the Code column


def _describe(measure: Measure) -> str:
    return f"{measure.label} ({measure.code})"


def _measure_value(raw: object, measure: Measure) -> tuple[float | None, tuple[str, str, str] | None]:
    """A cell's value as a measure: (number or None for blank, (message, advice, rule) or None).

    Numbers typed as text are accepted ("12", " 1,234 ", "£1,234.50" for money).
    A blank is None: not reported, never zero. An invalid value gives None and a finding.
    """
    money = measure.type == "money"
    what = _describe(measure)
    kind = "an amount in pounds and pence, such as 1234.50" if money else "a whole number"
    type_advice = f"Type {kind}, or leave the cell empty if the figure is not reported."
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return None, (f"{what} holds {str(raw).upper()}, not a number.", type_advice, "NOT-A-NUMBER")
    if isinstance(raw, (datetime, date, time, timedelta)):
        return None, (f"{what} holds a date or time ({raw}), not a number.",
                      "Format the cell as a number (Home, Number Format, Number) and " + type_advice[0].lower()
                      + type_advice[1:], "NOT-A-NUMBER")
    if isinstance(raw, str):
        text = _SPACES.sub(" ", raw).strip()
        if not text:
            return None, None
        if text.upper() in EXCEL_ERRORS:
            return None, (f"{what} shows the Excel error {text.upper()}.",
                          "Correct the formula, or type the figure. " + type_advice, "NOT-A-NUMBER")
        match = _NUMBER_TEXT.match(text)
        if match is None or (match.group("pound") and not money):
            return None, (f"{what} is '{text}', which is not a number.", type_advice, "NOT-A-NUMBER")
        number = float(match.group("digits").replace(",", "") + "." + (match.group("decimals") or "0"))
        if match.group("sign"):
            number = -number
    elif isinstance(raw, (int, float)):
        number = float(raw)
    else:
        return None, (f"{what} holds {raw!r}, which is not a number.", type_advice, "NOT-A-NUMBER")

    if number != number or number in (float("inf"), float("-inf")):
        return None, (f"{what} is not a number.", type_advice, "NOT-A-NUMBER")
    if number < 0:
        return None, (f"{what} is {_plain(number)}, less than zero.",
                      f"Type the figure as zero or more ({kind}).", "NEGATIVE")
    if money:
        pence = number * 100
        if abs(pence - round(pence)) > 1e-6 * max(1.0, abs(pence)):
            return None, (f"{what} is {_plain(number)}, which has more than 2 decimal places.",
                          "Round it to the nearest penny (2 decimal places).", "MONEY-DECIMALS")
        return round(number, 2), None
    if abs(number - round(number)) > 1e-9 * max(1.0, abs(number)):
        return None, (f"{what} is {_plain(number)}, but it must be a whole number.",
                      "Type a whole number (a count of people, cases or nights), or leave the cell empty "
                      "if it is not reported.", "NOT-WHOLE")
    return float(round(number)), None


def _plain(number: float) -> str:
    return f"{number:,.10f}".rstrip("0").rstrip(".")


# --- Commentary -------------------------------------------------------------


def _read_commentary(sheet: _Sheet, parsed: ParsedWorkbook) -> None:
    header = _find_header(sheet, COMMENTARY_TABLE_HEADERS)
    if header is None:
        parsed.findings.append(error(
            "HEADER-NOT-FOUND",
            f"No header row with '{SERVICE_HEADER}' and '{COMMENTARY_HEADER}' columns was found in the first "
            f"{HEADER_SEARCH_ROWS} rows.",
            f"Put back the header row ({' | '.join(COMMENTARY_TABLE_HEADERS)}) above the commentary.",
            sheet=sheet.name))
        return
    header_row, columns = header
    topic_column = columns[_normalise(SERVICE_HEADER)]
    text_column = columns[_normalise(COMMENTARY_HEADER)]
    topics = {_normalise(t): t for t in COMMENTARY_TOPICS}
    for row_index in range(header_row + 1, len(sheet.rows)):
        raw_topic = sheet.value(row_index, topic_column)
        text_cell = _coordinate(row_index, text_column)
        if sheet.uncalculated(text_cell):
            parsed.findings.append(_formula_finding(sheet, text_cell, "The commentary"))
            continue
        text = _free_text(sheet.value(row_index, text_column))
        if raw_topic is None or not str(raw_topic).strip():
            if text:
                parsed.findings.append(warning(
                    "UNKNOWN-COMMENTARY-TOPIC", "This commentary has no service next to it, so it was not read.",
                    f"Put it in the row of its service ({', '.join(COMMENTARY_TOPICS)}).",
                    sheet=sheet.name, cell=text_cell))
            continue
        topic = topics.get(_normalise(raw_topic))
        if topic is None:
            if text:
                parsed.findings.append(warning(
                    "UNKNOWN-COMMENTARY-TOPIC",
                    f"'{str(raw_topic).strip()}' is not one of {', '.join(COMMENTARY_TOPICS)}, so its "
                    "commentary was not read.", "Put it in the row of its service, or under General.",
                    sheet=sheet.name, cell=_coordinate(row_index, topic_column)))
            continue
        if text and topic not in parsed.commentary:
            parsed.commentary[topic] = CellValue(text, sheet.name, text_cell)
