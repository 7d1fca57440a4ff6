"""The safety pass over a provider's file, before any cell is parsed.

It refuses quickly what is not an ``.xlsx`` workbook (a legacy ``.xls``, a
password-protected file, a CSV renamed), what is too large, a zip bomb, a sheet
claiming millions of cells, any XML part declaring a DOCTYPE or entities or written
in an encoding other than UTF-8, a workbook naming a sheet two ways, and numbers no
return can hold (NaN, infinity, more than ``LARGEST_FIGURE``). Every part holding a
sheet's cells is scanned, whatever its name, and a cell is placed where the cell
readers would place it: calamine makes room for a sheet's whole extent at once, so a
cell it places far away that the scan did not see would end the process. It also
learns what a cell reader does not say: which cells hold formulas and whether a
program ever calculated them, which hold Excel errors, which cells are merged,
which columns and sheets are hidden.

The zip is read here directly when it is plain (what every writer makes): its
central directory, and each deflated part unpacked with ISA-L (zlib's interface, in
half its time), bounded, its CRC checked; anything else goes through zipfile. Both refuse the same
(tests/test_reader_zip.py). The parts unpacked are handed on to the cell reader as
a zip that stores them uncompressed, so they are unpacked once.

Each sheet is scanned one of two ways. The fast path searches the XML by pattern
when the sheet has no formula, error cell or suspicious number and every cell tag is
plain, its reference first (what Excel and LibreOffice write); the full path walks the
XML cell by cell otherwise, and whenever a pattern could read the XML otherwise than
an XML parser (comments, CDATA, character references). Both learn the same (tests/test_reader_engines.py). A sheet
whose cells all lie within A1:Z999 (a return's do) is within the size limit whatever
they are, so the fast path works out its last cell only when a reader asks for it
(openpyxl does; calamine does not need it).

``inspect`` raises :class:`Refused` carrying the findings that say why.
"""

from __future__ import annotations

import functools
import io
import math
import os
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple, NoReturn, cast
from xml.parsers import expat

from defusedxml.ElementTree import iterparse as safe_iterparse
from isal import isal_zlib
from openpyxl.utils import column_index_from_string, get_column_letter

import settings
from data_ingest.findings import Finding, error
from data_ingest.layout import LARGEST_FIGURE, USE_TEMPLATE, column_letters, column_number

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
#: The folder the workbook's own parts are in (sheets' targets are read from it).
WORKBOOK_FOLDER = "xl/"
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
#: Every writer deflates a workbook's parts; those are unpacked here directly, which takes a
#: third of the time of zipfile's reader. Anything else (stored, bzip2, lzma, patched data,
#: strong encryption, an empty part) is left to zipfile, which knows every case.
ZIP_DEFLATED = zipfile.ZIP_DEFLATED
ZIP_FLAGS_LEFT_TO_ZIPFILE = 0x1 | 0x20 | 0x40
#: A part's local header: signature, versions, flags, method, time, date, CRC, sizes, name
#: and extra lengths (the sizes and CRC are the central directory's, as zipfile takes them).
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
LOCAL_HEADER_SIGNATURE = b"PK\x03\x04"
#: General purpose bit 11: the part's name is UTF-8 (else code page 437).
ZIP_UTF8_FLAG = 0x800
#: Raw deflate data, without a zlib header (what a zip holds).
RAW_DEFLATE = -15
#: Parts are unpacked by ISA-L (isal), which unpacks a workbook's parts in half the time of zlib,
#: with zlib's interface; the CRC is zlib's (faster than ISA-L's at a part's size).
INFLATE = isal_zlib
#: What a damaged part raises when it is unpacked: zipfile's errors, zlib's, and ISA-L's own
#: (which isal's type stubs declare as an instance, not a class).
UNPACK_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile, RuntimeError, OSError, EOFError, ValueError, zlib.error,
    cast(type[Exception], isal_zlib.error))
#: The longest part name a zip header can hold (a 16-bit length).
ZIP_NAME_LIMIT = 0xFFFF
#: What that zip is made of: stored parts, version 2.0, a fixed date (1 January 1980).
ZIP_STORED = zipfile.ZIP_STORED
ZIP_VERSION = 20
ZIP_DOS_DATE = (0 << 9) | (1 << 5) | 1
CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
CENTRAL_HEADER_SIGNATURE = b"PK\x01\x02"
END_OF_DIRECTORY = struct.Struct("<4s4H2LH")
END_OF_DIRECTORY_SIGNATURE = b"PK\x05\x06"
#: A zip64 zip has this locator just before the end of its central directory.
ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
ZIP64_LOCATOR_SIZE = 20
#: zipfile refuses parts needing a later version of the format than this (6.3).
ZIP_MAX_VERSION = zipfile.MAX_EXTRACT_VERSION
WORKSHEET_RELATIONSHIP = "/worksheet"
#: The shared-strings part, whose declared count a cell reader makes room for before reading.
SHARED_STRINGS_PART = "xl/sharedStrings.xml"
#: A workbook's texts: no real return has more than a few thousand (a cell reader makes room
#: for as many as the part declares, 24 bytes each).
MAX_SHARED_STRINGS = 1_000_000
#: A cell showing a shared string, as a plain cell tag writes its type (the fast path counts
#: them by this), and that type as the walk reads it.
SHARED_STRING_CELL = b' t="s"'
SHARED_STRING_TYPE = "s"
#: A UTF-8 byte-order mark, which some writers put before the XML.
UTF8_BYTE_ORDER_MARK = b"\xef\xbb\xbf"
#: What an XML declaration may name UTF-8 (or ASCII, a part of it) as.
UTF8_NAMES = (b"utf-8", b"utf8", b"us-ascii", b"ascii")
#: What ends an element's namespace in the names expat gives ("{ns}name" in ElementTree's).
NAMESPACE_SEPARATOR = "}"
#: A sheet's state in xl/workbook.xml when it is shown (the attribute is then usually absent).
VISIBLE = "visible"
#: Cell types (the ``t`` attribute) whose saved value is a number: none given, or "n".
NUMBER_TYPES = (None, "n")
ERROR_TYPE = "e"
#: The most refusals one file gets for its numbers (the first ones, sheet by sheet).
MAX_NUMBER_FINDINGS = 20
#: A return merges a few cells for titles; more merged ranges than this in a sheet is refused.
MAX_MERGED_RANGES = 10_000
#: Column entries of a sheet looked at for hidden columns.
MAX_COLUMN_SPANS = 1_000

_CELL_REFERENCE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
#: A cell's reference as a cell reader takes it, whatever its number of column letters.
_ANY_CELL_REFERENCE = re.compile(r"^\$?([A-Za-z]+)\$?(\d+)$")
#: Patterns for the quick pass over a sheet (any namespace prefix).
#: What follows a plain cell tag's reference, as every common writer writes it: its style, its
#: type (not an error: "e") and the few other attributes a cell has, each at most once and in
#: that order, then the tag's end. Anything else (an error cell, an attribute twice, quoted
#: otherwise) is left to the full walk, which reads XML as the cell readers do.
_PLAIN_CELL_TAIL = rb'(?: s="\d{1,6}")?(?: t="(?!e")[A-Za-z]{1,12}")?(?: (?:cm|vm|ph)="[^"<>]{0,20}")*\s?/?>'
#: Each cell tag ``<c `` with its reference when the tag is plain (the quick pass needs every
#: cell to be; one that is not, matched with empty groups, sends the sheet to the full walk).
_CELL_TAG = re.compile(rb'<c (?:r="\$?([A-Za-z]{1,3})\$?(\d+)"' + _PLAIN_CELL_TAIL + rb")?")
_DIMENSION_TAG = re.compile(rb"<(?:[\w.-]+:)?dimension\s[^<>]*?\bref=\"([^\"<>]*)\"")
#: A saved value that may be a number no return can hold, or one written so that a pattern
#: could misread it: 13 digits or more, an exponent, an underscore, NaN or infinity, or a value
#: tag with anything in it. Only a hint: the full walk decides. (The pattern starts with a
#: literal, which the regular expression engine finds quickly.)
_SUSPICIOUS_NUMBER = re.compile(rb"<v(?:[^>]|>\s*[-+]?(?:\d{13}|[\d._]*[eE_]|(?i:nan|inf)))")
#: Cells, formulas or values written with a namespace prefix (``<x:c>``): the full walk reads them.
_PREFIXED_TAG = re.compile(rb":[cfv][\s>/]")
#: A formula without a prefix, or a cell tag that ``<c `` does not find (one pass for both).
_PLAIN_FORMULA_OR_OTHER_CELL_TAG = re.compile(rb"<(?:f[\s>/]|c[>/\t\n\r])")
#: A cell tag the quick pass cannot bound: anything but a plain tag whose reference is one
#: column letter and a row from 1 to 999 (a cell with such a reference lies within A1:Z999).
_UNBOUNDED_CELL = re.compile(rb'<c (?!r="\$?[A-Za-z]\$?[1-9]\d{0,2}"' + _PLAIN_CELL_TAIL + rb")")
#: How many cells A1:Z999 holds: a sheet within it is within any limit at least this large.
BOUNDED_CELLS = 26 * 999
#: The fewest bytes a plain cell tag takes (``<c r="A1">``).
PLAIN_CELL_BYTES = 10
_MERGE_TAG = re.compile(rb"<(?:[\w.-]+:)?mergeCell\s[^<>]*?\bref=\"([^\"<>]*)\"")
_COLUMN_TAG = re.compile(rb"<(?:[\w.-]+:)?col\s[^<>]*>")
_ATTRIBUTE = re.compile(rb"([\w:]+)=\"([^\"]*)\"")
#: An XML declaration's encoding.
_ENCODING_DECLARATION = re.compile(rb"<\?xml[^<>?]*?\bencoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
#: A relationship's tag as written, for what an XML parser would hide (escaped characters).
_RELATIONSHIP_TAG = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^<>]*>")
_BREAKS_AS_SPACES = str.maketrans("\t\r\n", "   ")
#: A count as calamine reads one (Rust's parse of a whole number: a plus sign allowed).
_WHOLE_NUMBER = re.compile(r"\+?[0-9]+")
#: The start of a shared string (any namespace prefix).
_SHARED_STRING_TAG = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
_SHRINK_SHEET = ("Delete the rows and columns beyond your figures, save and send it again; or copy "
                 "your figures into a fresh copy of the council's template.")


class Refused(Exception):
    """The file is refused before parsing; carries the findings that say why."""

    def __init__(self, findings: Finding | list[Finding]):
        self.findings = [findings] if isinstance(findings, Finding) else list(findings)
        super().__init__(self.findings[0].message)

    @property
    def finding(self) -> Finding:
        return self.findings[0]


@dataclass
class SheetScan:
    """What the safety pass learned of one worksheet's XML."""

    #: Cells holding a formula -> the value saved with it ("" when none was).
    formulas: dict[str, str] = field(default_factory=dict)
    #: Cells holding an Excel error -> the error, e.g. "#DIV/0!".
    errors: dict[str, str] = field(default_factory=dict)
    #: Merged ranges as 1-based (first column, first row, last column, last row).
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: Hidden columns as 1-based (first, last) spans.
    hidden_columns: tuple[tuple[int, int], ...] = ()
    #: Cells holding a number no return can hold -> the number as saved.
    bad_numbers: dict[str, str] = field(default_factory=dict)
    #: Cells holding a shared string (at most: the fast path counts their type by pattern).
    shared_cells: int = 0
    #: Scanned by pattern (the fast path) rather than by walking the XML.
    fast: bool = False
    #: The last row and column holding a cell (1-based; 0 and 0 for a sheet without cells), or
    #: None until asked for: the fast path proves a sheet small without working them out.
    extent: tuple[int, int] | None = field(default=(0, 0), repr=False, compare=False)
    #: Whether the sheet has a cell in a row (its last row is not 0): what a cell reader reads.
    has_cells: bool = False
    #: The sheet's XML when its extent is worked out only when asked for. It is kept as long as
    #: the scan (the read of one upload): calamine, the default reader, never asks.
    xml: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def rows(self) -> int:
        return self._extent()[0]

    @property
    def columns(self) -> int:
        return self._extent()[1]

    def _extent(self) -> tuple[int, int]:
        if self.extent is None:
            references = _cell_references(self.xml) if self.xml is not None else None
            if references is None:
                raise ValueError("the scan was made without the sheet's XML or its references")
            self.extent = _last_cell(references)
        return self.extent


@dataclass
class Inspection:
    #: Path of each worksheet's XML part -> its scan.
    sheets: dict[str, SheetScan]
    #: The workbook's XML parts, checked and unpacked here, as a zip that is not compressed: what
    #: the cell reader reads (what was checked, and without unpacking it again).
    unpacked: bytes = field(repr=False)
    #: Sheet name as the workbook lists it -> path of its XML part (worksheets only), in order.
    paths: dict[str, str] = field(default_factory=dict)
    #: Sheet name -> "visible", "hidden" or "veryHidden".
    states: dict[str, str] = field(default_factory=dict)
    #: The writer asked Excel to recalculate on opening: cached values are placeholders.
    recalculate_on_load: bool = False

    def scan(self, name: str) -> SheetScan | None:
        """The scan of a worksheet by its name in the workbook; None for a chart or missing sheet."""
        path = self.paths.get(name)
        return self.sheets.get(path) if path is not None else None

    def state(self, name: str) -> str:
        return self.states.get(name, VISIBLE)


def refuse(rule: str, message: str, advice: str, sheet: str | None = None,
           cell: str | None = None) -> Refused:
    return Refused(error(rule, message, advice, sheet, cell))


def inspect(content: bytes, file_name: str, fast: bool = True) -> Inspection:
    """Refuse what must not be parsed; note sheet sizes, formulas, errors, merges and hidden parts.

    ``fast=False`` walks every sheet's XML (the full path) instead of searching it by pattern.
    """
    if not content:
        raise refuse("EMPTY-FILE", f"{file_name} is empty.", "Send the completed workbook again.")
    limit = settings.UPLOAD_LIMIT_BYTES
    if len(content) > limit:
        raise refuse(
            "TOO-LARGE",
            f"{file_name} is {size_text(len(content))}, more than the {size_text(limit)} a monitoring "
            "return may be (a completed return is usually under 100 KB).",
            "Remove pictures and extra sheets, or " + USE_TEMPLATE[0].lower() + USE_TEMPLATE[1:])
    if content.startswith(OLE2_SIGNATURE):
        if ENCRYPTED_STREAM_NAME in content:
            raise refuse(
                "PASSWORD-PROTECTED", f"{file_name} is protected with a password, so it cannot be read.",
                "Remove the password (in Excel: File, Info, Protect Workbook, Encrypt with Password, "
                "and clear it), save, and send it again.")
        raise refuse(
            "LEGACY-XLS", f"{file_name} is an old-style Excel 97-2003 workbook (.xls), not an .xlsx workbook.",
            "Open it in Excel and use File, Save As, Excel Workbook (.xlsx), then send the .xlsx file.")
    if not content.startswith(ZIP_SIGNATURE):
        raise refuse(
            "NOT-XLSX", f"{file_name} is not an Excel workbook.",
            "Send the monitoring return as an Excel Workbook (.xlsx), not a CSV, PDF or other file.")
    archive = _Archive(content)
    try:
        infos = archive.parts()
    # RuntimeError (and NotImplementedError, one of them): a zip feature zipfile cannot read.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, RuntimeError):
        raise refuse("NOT-XLSX", f"{file_name} is not an Excel workbook, or it is damaged.",
                     "Open it in Excel, save it as an Excel Workbook (.xlsx) and send it again.") from None
    try:
        return _inspect_archive(content, archive, infos, file_name, fast)
    finally:
        archive.close()


def _inspect_archive(content: bytes, archive: _Archive, infos: list[Part],
                     file_name: str, fast: bool) -> Inspection:
    names = [info.filename for info in infos]
    # Names alike but for capitals count as one: calamine finds a part whatever its capitals.
    repeated = len({name.lower() for name in names}) != len(names)
    if len(infos) > MAX_PARTS or repeated:
        raise refuse("NOT-XLSX", f"{file_name} is not a workbook Excel would write "
                     f"({len(infos)} parts{', some repeated' if repeated else ''}).", USE_TEMPLATE)
    if BINARY_WORKBOOK_PART in names:
        raise refuse("NOT-XLSX", f"{file_name} is an Excel binary workbook (.xlsb), not an .xlsx workbook.",
                     "Open it in Excel and use File, Save As, Excel Workbook (.xlsx).")
    if "mimetype" in names and _mimetype(archive, file_name) == ODS_MIMETYPE:
        raise refuse("NOT-XLSX", f"{file_name} is an OpenDocument spreadsheet (.ods), not an .xlsx workbook.",
                     "Save it as an Excel 2007-365 workbook (.xlsx) and send that.")
    if CONTENT_TYPES_PART not in names or WORKBOOK_PART not in names:
        raise refuse("NOT-XLSX", f"{file_name} is a zip file but not an Excel workbook.",
                     "Send the monitoring return as an Excel Workbook (.xlsx).")
    if any(info.flag_bits & ZIP_ENCRYPTED_FLAG for info in infos):
        raise refuse("PASSWORD-PROTECTED", f"{file_name} is protected with a password, so it cannot be read.",
                     "Remove the password, save, and send it again.")

    limit = settings.UNCOMPRESSED_LIMIT_BYTES
    total = sum(info.file_size for info in infos)
    bomb_advice = "This is not a normal monitoring return. " + USE_TEMPLATE
    if total > limit:
        raise refuse("ZIP-BOMB", f"{file_name} unpacks to {size_text(total)}, more than the "
                     f"{size_text(limit)} allowed; a monitoring return unpacks to well under 1 MB.", bomb_advice)
    for info in infos:
        if info.file_size >= RATIO_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise refuse("ZIP-BOMB", f"{file_name} contains a part ({info.filename}) that is compressed "
                         f"{info.file_size // max(info.compress_size, 1):,} times, far beyond any real "
                         "workbook.", bomb_advice)

    # Read every XML part within the budget (sizes in the zip's directory can lie;
    # a part is cut at its declared size, and we stop at the budget).
    parts: dict[str, bytes] = {}
    budget = limit
    for info in infos:
        if not info.filename.lower().endswith(XML_PART_SUFFIXES):
            continue
        try:
            data = _read_part(content, archive, info, budget)
        except UNPACK_ERRORS:
            raise refuse("NOT-XLSX", f"{file_name} is damaged: part {info.filename} cannot be unpacked.",
                         "Open it in Excel, save it again and send the saved file.") from None
        if len(data) > budget:
            raise refuse("ZIP-BOMB", f"{file_name} unpacks to more than the {size_text(limit)} allowed.",
                         bomb_advice)
        budget -= len(data)
        if _declares_dtd(data):
            raise refuse("XML-ENTITIES", f"{file_name} contains XML declarations (DOCTYPE or ENTITY) in "
                         f"part {info.filename}, which Excel never writes; it is refused unread for safety.",
                         USE_TEMPLATE)
        if info.filename.lower().startswith(WORKBOOK_FOLDER) and _unusual_encoding(data):
            # The patterns here read UTF-8; a part of the workbook in another encoding could
            # hide from them what a cell reader then reads. (Parts elsewhere, such as a
            # document system's own, are never read as sheets.)
            raise refuse("XML-ENCODING", f"{file_name} has a part ({info.filename}) saved in a text "
                         "format other than UTF-8, which Excel never writes; it is refused unread for "
                         "safety.", USE_TEMPLATE)
        parts[info.filename] = data

    listed, states, recalculate, odd = _read_workbook_part(parts)
    if odd:
        raise refuse("NOT-XLSX", f"{file_name} is not a workbook Excel would write: {odd}.", USE_TEMPLATE)
    shared_strings = _part_named(parts, SHARED_STRINGS_PART)
    if shared_strings is not None:
        claimed = _shared_strings_claimed(parts[shared_strings])
        if claimed is None:
            raise refuse("NOT-XLSX", f"{file_name} is damaged: part {shared_strings} cannot be read.",
                         "Open it in Excel, save it again and send the saved file.")
        if claimed > MAX_SHARED_STRINGS:
            raise refuse("ZIP-BOMB", f"{file_name} says it holds {claimed:,} different texts, far more "
                         "than any real workbook.", bomb_advice)
    names_by_path = {path: name for name, path in listed.items()}
    # Sheets the workbook lists, and any other part holding a sheet's cells, whatever its name
    # or place: a cell reader could be pointed at it in a way not followed here.
    paths = list(names_by_path) + [p for p, data in parts.items() if b"sheetData" in data]
    sheets = {}
    for path in dict.fromkeys(paths):
        if path in parts:
            name = names_by_path.get(path, path)
            try:
                sheets[path] = scan_sheet(name, parts[path], fast)
            except Refused:
                raise
            except Exception:  # noqa: BLE001 - malformed XML, bad cell references
                raise refuse("UNREADABLE", f"{file_name} is damaged: the sheet {name} cannot be read.",
                             "Open it in Excel, save it again and send the saved file.") from None
    if shared_strings is not None:
        # Calamine copies a shared string into every cell that shows it: a long one shown in
        # many cells would take more memory than the file's whole unpacked size allows.
        cells, size = sum(scan.shared_cells for scan in sheets.values()), len(parts[shared_strings])
        if cells * size > limit and cells * _longest_shared_string(parts[shared_strings]) > limit:
            raise refuse("ZIP-BOMB", f"{file_name} repeats long texts in so many cells that reading it "
                         f"would take more than {size_text(limit)}.", bomb_advice)
    bad = [_bad_number(names_by_path.get(path, path), cell, text)
           for path, scan in sheets.items() for cell, text in scan.bad_numbers.items()]
    if bad:
        raise Refused(bad[:MAX_NUMBER_FINDINGS])
    # The cell reader reads exactly what was checked: the parts as unpacked here, never the
    # file's own zip (whose streams could hold more than their declared sizes).
    return Inspection(sheets, _stored_zip(infos, parts),
                      {name: path for name, path in listed.items() if path in sheets}, states, recalculate)


def _mimetype(archive: _Archive, file_name: str) -> bytes:
    """The ``mimetype`` part an OpenDocument file starts with; a damaged one is refused."""
    try:
        return _read_bounded(archive.zipfile(), archive.zipfile().getinfo("mimetype"), 200).strip()
    except UNPACK_ERRORS:
        raise refuse("NOT-XLSX", f"{file_name} is damaged: part mimetype cannot be unpacked.",
                     "Open it in Excel, save it again and send the saved file.") from None


def _stored_zip(infos: list[Part], parts: dict[str, bytes]) -> bytes:
    """The parts, in the order the file has them, as a zip that stores them uncompressed. Each
    part's CRC is the file's: a part is only kept when it matched (``_read_part``)."""
    chunks: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for info in infos:
        data = parts.get(info.filename)
        if data is None:
            continue
        name = info.filename.encode("utf-8")
        if len(name) > ZIP_NAME_LIMIT:
            continue    # no workbook part has such a name, and a part left out is never read
        sizes = (info.CRC, len(data), len(data), len(name))
        header = LOCAL_HEADER.pack(LOCAL_HEADER_SIGNATURE, ZIP_VERSION, 0, ZIP_UTF8_FLAG, ZIP_STORED,
                                   0, ZIP_DOS_DATE, *sizes, 0)
        directory += [CENTRAL_HEADER.pack(CENTRAL_HEADER_SIGNATURE, ZIP_VERSION, 0, ZIP_VERSION, 0,
                                          ZIP_UTF8_FLAG, ZIP_STORED, 0, ZIP_DOS_DATE, *sizes,
                                          0, 0, 0, 0, 0, offset), name]
        chunks += [header, name, data]
        offset += len(header) + len(name) + len(data)
    size = sum(map(len, directory))
    end = END_OF_DIRECTORY.pack(END_OF_DIRECTORY_SIGNATURE, 0, 0, len(directory) // 2,
                                len(directory) // 2, size, offset, 0)
    return b"".join([*chunks, *directory, end])


def _bad_number(sheet: str, cell: str, text: str) -> Finding:
    advice = ("Type the real figure in the cell (or leave it empty if it is not reported), save the "
              "file and send it again.")
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        return error("NOT-A-NUMBER", f"The cell holds '{text.strip()[:20]}' saved as a number, which is "
                     "not a number (a program wrote it, not Excel); the return is refused unread.",
                     advice, sheet=sheet, cell=cell)
    return error("NUMBER-TOO-LARGE", f"The cell holds {text.strip()[:30]}, a number far too large to be a "
                 f"figure of a monitoring return (more than {LARGEST_FIGURE:,.0f}); the return is refused "
                 "unread.", advice, sheet=sheet, cell=cell)


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """At most ``budget + 1`` bytes of a part: enough to know it is over budget."""
    with archive.open(info) as part:
        return part.read(budget + 1)


class Part(NamedTuple):
    """One part as a zip's central directory lists it (what zipfile's ZipInfo says of it). A
    named tuple: a workbook has a dozen or more, made for every upload."""

    filename: str
    orig_filename: str
    flag_bits: int
    compress_type: int
    CRC: int
    compress_size: int
    file_size: int
    header_offset: int

    @classmethod
    def of(cls, info: zipfile.ZipInfo) -> Part:
        return cls(info.filename, info.orig_filename, info.flag_bits, info.compress_type, info.CRC,
                   info.compress_size, info.file_size, info.header_offset)


class _Archive:
    """A provider's zip: its parts, read from the central directory here when the zip is plain
    (what every writer makes), else by zipfile, which is also opened for reading a part only
    when the part needs it (``_read_part``)."""

    def __init__(self, content: bytes):
        self.content = content
        self._zipfile: zipfile.ZipFile | None = None

    def parts(self) -> list[Part]:
        listed = _plain_directory(self.content)
        return listed if listed is not None else [Part.of(info) for info in self.zipfile().infolist()]

    def zipfile(self) -> zipfile.ZipFile:
        if self._zipfile is None:
            self._zipfile = zipfile.ZipFile(io.BytesIO(self.content))
        return self._zipfile

    def close(self) -> None:
        if self._zipfile is not None:
            self._zipfile.close()


def _plain_directory(content: bytes) -> list[Part] | None:
    """The parts of a plain zip as zipfile lists them: no comment, no zip64, nothing before it,
    entries without extra fields or comments. None for anything else, which zipfile reads (and
    refuses as it always has)."""
    end = len(content) - END_OF_DIRECTORY.size
    if end < 0 or content[end - ZIP64_LOCATOR_SIZE:end - ZIP64_LOCATOR_SIZE + 4] == ZIP64_LOCATOR_SIGNATURE \
            or os.sep != "/":
        return None
    signature, _, _, _, _, size, start, comment_length = END_OF_DIRECTORY.unpack_from(content, end)
    if signature != END_OF_DIRECTORY_SIGNATURE or comment_length or start + size != end:
        return None
    parts = []
    position = start
    while position < end:
        if position + CENTRAL_HEADER.size > end:
            return None
        (signature, _, _, extract_version, _, flags, method, _, _, crc, compress_size, file_size,
         name_length, extra_length, comment_length, _, _, _, offset) = CENTRAL_HEADER.unpack_from(content, position)
        position += CENTRAL_HEADER.size
        if signature != CENTRAL_HEADER_SIGNATURE or extra_length or comment_length \
                or extract_version > ZIP_MAX_VERSION or position + name_length > end:
            return None
        try:
            name = _part_name(content[position:position + name_length], flags)
        except UnicodeDecodeError:
            return None
        if "\x00" in name:
            return None
        parts.append(Part(name, name, flags, method, crc, compress_size, file_size, offset))
        position += name_length
    return parts if position == end else None


def _read_part(content: bytes, archive: _Archive, info: Part, budget: int) -> bytes:
    """What ``_read_bounded`` reads, and refuses, for a deflated part, without zipfile's
    per-part objects: its local header checked, at most ``budget + 1`` bytes unpacked, cut at
    the declared size, and its CRC checked whenever the part was read to its end."""
    limit = min(info.file_size, budget + 1)
    if info.compress_type != ZIP_DEFLATED or info.flag_bits & ZIP_FLAGS_LEFT_TO_ZIPFILE or limit <= 0:
        return _read_bounded(archive.zipfile(), archive.zipfile().getinfo(info.filename), budget)
    offset = info.header_offset
    header = content[offset:offset + LOCAL_HEADER.size]
    if len(header) != LOCAL_HEADER.size:
        raise zipfile.BadZipFile("truncated local header")
    signature, _, _, flags, _, _, _, _, _, _, name_length, extra_length = LOCAL_HEADER.unpack(header)
    if signature != LOCAL_HEADER_SIGNATURE:
        raise zipfile.BadZipFile("bad local header")
    start = offset + LOCAL_HEADER.size
    name = _part_name(content[start:start + name_length], flags)
    if name != info.orig_filename:
        raise zipfile.BadZipFile("names in the directory and the local header differ")
    start += name_length + extra_length
    compressed = content[start:start + info.compress_size]
    unpacker = INFLATE.decompressobj(RAW_DEFLATE)
    data = unpacker.decompress(compressed, limit)
    whole = unpacker.eof or len(data) == info.file_size
    if len(data) < limit and not whole:
        # All the compressed data was used before the stream's end.
        if len(compressed) < info.compress_size:
            raise EOFError("part cut short")
        data = (data + unpacker.flush())[:info.file_size]
        whole = True
    if whole and zlib.crc32(data) != info.CRC:
        raise zipfile.BadZipFile("bad CRC-32")
    return data[:limit]


def _part_name(raw: bytes, flags: int) -> str:
    """A part's name as the zip holds it: UTF-8 when flagged, else code page 437. An ASCII name
    (every writer's) reads the same either way; Python's code page 437 decoder is ten times slower."""
    if raw.isascii():
        return raw.decode("ascii")
    return raw.decode("utf-8" if flags & ZIP_UTF8_FLAG else "cp437")


def _declares_dtd(data: bytes) -> bool:
    head = data[:4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        # UTF-16 or UTF-32 XML would hide a byte search; decode it first.
        try:
            text = data.decode(_wide_codec(head))
        except UnicodeDecodeError:
            return True
        if "\x00" in text:
            return True     # no XML holds a NUL character: not what it seemed, refused
        decoded = text.lower().encode("utf-8")
        return any(declaration in decoded for declaration in FORBIDDEN_XML_DECLARATIONS)
    # Every declaration starts "<!": a single byte is found far faster than a pattern, and an
    # XML part rarely holds "!" at all (the few that do are looked at as before).
    if b"!" not in data:
        return False
    lowered = data.lower()
    return any(declaration in lowered for declaration in FORBIDDEN_XML_DECLARATIONS)


def _wide_codec(head: bytes) -> str:
    """The codec of XML whose first four bytes hold a NUL or a byte-order mark: by its mark, or
    without one by where the NULs of "<" fall (00 3C is big-endian UTF-16, 3C 00 little)."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"\x00\x00"):
        return "utf-32-be"
    if head[2:4] == b"\x00\x00":
        return "utf-32-le"
    return "utf-16-be" if head.startswith(b"\x00") else "utf-16-le"


def _local(tag: str) -> str:
    """An XML name without its namespace (transitional and strict OOXML alike)."""
    return tag.rsplit(NAMESPACE_SEPARATOR, 1)[-1]


def _read_workbook_part(parts: dict[str, bytes]) -> tuple[dict[str, str], dict[str, str], bool, str]:
    """From the workbook and its relationships: sheet name -> path of its XML part (worksheets
    only), sheet name -> state, whether the writer asked for recalculation on opening
    (openpyxl and XlsxWriter set fullCalcOnLoad; a file saved by Excel does not), and what is
    odd ("" when nothing is): a sheet's name, a relationship's id or a sheet's id given twice,
    or a sheet's place not written plainly (a cell reader could read another part than is
    scanned here)."""
    rels_part = _part_named(parts, WORKBOOK_RELS_PART)
    try:
        workbook = _elements(parts[WORKBOOK_PART])
        rels = _elements(parts[rels_part]) if rels_part is not None else []
    except Exception:  # noqa: BLE001 - malformed XML: the cell reader will report it as unreadable
        return {}, {}, False, ""
    if rels_part is not None and any(b"&" in tag and WORKSHEET_RELATIONSHIP.encode() in tag
                                      for tag in _RELATIONSHIP_TAG.findall(parts[rels_part])):
        # An escaped character in a sheet's relationship: calamine reads it as written.
        return {}, {}, False, "the address of one of its sheets is written in an unusual way"
    targets, ids = {}, set()
    for tag, attributes in rels:
        if tag == "Relationship":
            rel_id = attributes.get("Id")
            if rel_id in ids:
                return {}, {}, False, "two of its parts have the same inner name"
            ids.add(rel_id)
            if attributes.get("Type", "").endswith(WORKSHEET_RELATIONSHIP):
                target = attributes.get("Target", "")
                path = _part_path(target)
                if path != _part_path_as_written(target):
                    # "./", "../", "//": tidied here, read as written by calamine.
                    return {}, {}, False, "the address of one of its sheets is written in an unusual way"
                targets[rel_id] = path
    result, states, recalculate = {}, {}, False
    seen: set[str] = set()
    for tag, attributes in workbook:
        if tag == "sheet":
            name = attributes.get("name", "")
            # The XML parser reads a tab or line break typed in a name as a space; calamine
            # keeps it. Either way, two names alike are one name given twice.
            alike = name.translate(_BREAKS_AS_SPACES)
            if alike in seen:
                return {}, {}, False, f"it has two sheets named {_quoted(name)}"
            seen.add(alike)
            states[name] = attributes.get("state") or VISIBLE
            named_ids = [v for k, v in attributes.items() if _local(k) == "id"]
            if len(named_ids) > 1:
                return {}, {}, False, f"its sheet {_quoted(name)} has two inner names"
            if named_ids and named_ids[0] in targets:
                result[name] = targets[named_ids[0]]
        elif tag == "calcPr":
            recalculate = attributes.get("fullCalcOnLoad", "").lower() in ("1", "true")
    return result, states, recalculate, ""


def _quoted(text: str | None) -> str:
    return "'" + (text or "")[:40].translate(_BREAKS_AS_SPACES) + "'"


def _part_named(parts: dict[str, bytes], name: str) -> str | None:
    """The part of this name, whatever its capitals (as calamine finds it); None when absent.
    Names alike but for capitals have been refused."""
    if name in parts:
        return name
    return next((part for part in parts if part.lower() == name.lower()), None)


def _part_path_as_written(target: str) -> str:
    """The path calamine reads for a sheet's target: the target as written, from the top when
    it starts with "/", else from the workbook's folder."""
    return target[1:] if target.startswith("/") else WORKBOOK_FOLDER + target


def _unusual_encoding(data: bytes) -> bool:
    """An XML part not in UTF-8 (what every writer uses): the byte-order mark of UTF-16 or
    UTF-32, a NUL byte in its first bytes, or another encoding declared."""
    if data.startswith(UTF8_BYTE_ORDER_MARK):
        data = data[len(UTF8_BYTE_ORDER_MARK):]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4]:
        return True
    declared = _ENCODING_DECLARATION.match(data[:200])
    return declared is not None and declared.group(1).lower() not in UTF8_NAMES


def _shared_strings_claimed(xml: bytes) -> int | None:
    """How many texts the shared-strings part says it holds (calamine makes room for them all
    before reading one): its ``sst`` element's uniqueCount, read by an XML parser as calamine
    reads it (comments skipped, any number of digits); 0 when it says nothing, None when the
    part is not a shared-strings part (damaged, or another element first)."""
    if not xml.strip():
        return 0
    first: list[tuple[str, dict[str, str]]] = []

    def first_element(tag: str, attributes: dict[str, str]) -> None:
        first.append((_local(tag), attributes))
        raise _FirstElementRead

    parser = _parser()
    parser.StartElementHandler = first_element
    try:
        parser.Parse(xml, True)
    except _FirstElementRead:
        pass
    except (expat.ExpatError, ValueError):
        return None
    if not first or first[0][0] != "sst":
        return None
    counts = [value for key, value in first[0][1].items() if _local(key) == "uniqueCount"]
    # Leading zeros and a plus sign change nothing; Python refuses to read 4,300 digits or more.
    digits = [value.lstrip("+").lstrip("0") for value in counts if _WHOLE_NUMBER.fullmatch(value)]
    return max((int(number) if len(number) <= 12 else MAX_SHARED_STRINGS + 1 for number in digits if number),
               default=0)


def _longest_shared_string(xml: bytes) -> int:
    """The most bytes one shared string can take: the longest stretch from one string's start to
    the next (by an XML parser when a comment, CDATA or processing instruction could fake a start)."""
    if b"<!" in xml or b"<?" in xml[2:]:
        return _longest_shared_string_parsed(xml)
    starts = [match.start() for match in _SHARED_STRING_TAG.finditer(xml)] + [len(xml)]
    return max((later - earlier for earlier, later in pairwise(starts)), default=0)


def _longest_shared_string_parsed(xml: bytes) -> int:
    longest, current, inside = 0, 0, False

    def start(tag: str, _attributes: dict[str, str]) -> None:
        nonlocal current, inside
        if _local(tag) == "si":
            current, inside = 0, True

    def text(data: str) -> None:
        nonlocal current
        if inside:
            current += len(data.encode("utf-8"))

    def end(tag: str) -> None:
        nonlocal longest, inside
        if _local(tag) == "si":
            longest, inside = max(longest, current), False

    parser = _parser()
    parser.StartElementHandler, parser.CharacterDataHandler, parser.EndElementHandler = start, text, end
    try:
        parser.Parse(xml, True)
    except (expat.ExpatError, ValueError):
        return len(xml)     # damaged: as long as the whole part, to be safe
    return longest


class _FirstElementRead(Exception):
    """Stops a parse once the first element is read."""


def _part_path(target: str) -> str:
    """The path in the zip of a part the workbook's relationships point to. The same few short
    targets are in every return: they are remembered (a long one, only in a hostile file, is not)."""
    return _remembered_part_path(target) if len(target) <= REMEMBERED_LENGTH else _read_part_path(target)


def _read_part_path(target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(WORKBOOK_PART), target))


_remembered_part_path = functools.lru_cache(maxsize=1024)(_read_part_path)


def _elements(xml: bytes) -> list[tuple[str, dict[str, str]]]:
    """Each element of a small XML part, in order: its name without namespace and its
    attributes. Expat is driven directly (a tenth of the time of defusedxml's pure-Python
    tree builder) and refuses entity declarations as defusedxml does; a DOCTYPE has been
    refused already."""
    found: list[tuple[str, dict[str, str]]] = []
    parser = _parser()
    parser.StartElementHandler = lambda tag, attributes: found.append((_local(tag), attributes))
    parser.Parse(xml, True)
    return found


def _parser() -> expat.XMLParserType:
    """An expat parser giving names as "{namespace}name", refusing entity declarations as
    defusedxml does (a DOCTYPE has been refused already)."""
    parser = expat.ParserCreate(None, NAMESPACE_SEPARATOR)
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_entity
    return parser


def _refuse_entity(*_declaration: object) -> NoReturn:
    raise ValueError("XML entities are not read")


def scan_sheet(name: str, xml: bytes, fast: bool = True) -> SheetScan:
    """Refuse a sheet claiming or holding too many cells; note its formulas, errors,
    merged cells and hidden columns. ``fast=False`` always walks the XML."""
    scan = (_scan_plain_sheet(name, xml) if fast else None) or _scan_sheet_cells(name, xml)
    if b"mergeCell" in xml:
        references = _MERGE_TAG.findall(xml)
        if len(references) > MAX_MERGED_RANGES:
            raise refuse("SHEET-TOO-LARGE",
                         f"The sheet has {len(references):,} merged ranges of cells, more than the "
                         f"{MAX_MERGED_RANGES:,} a monitoring return may have.",
                         "Unmerge the cells (select the sheet, then Home, Merge & Center, Unmerge Cells), "
                         "save and send it again; or " + USE_TEMPLATE[0].lower() + USE_TEMPLATE[1:],
                         sheet=name)
        scan.merged = [r for r in (_range(ref.decode("ascii", "replace")) for ref in references)
                       if r is not None]
    if b"hidden" in xml:
        scan.hidden_columns = _hidden_columns(xml)
    return scan


def _scan_plain_sheet(name: str, xml: bytes) -> SheetScan | None:
    """The same checks by pattern for a sheet with no formula, error cell or suspicious number,
    whose cells all carry their reference (what Excel and LibreOffice write): a tenth of the
    time of walking the XML. None when the sheet needs the full walk."""
    # Comments, CDATA, processing instructions (after the XML declaration) and character
    # references could show a pattern what XML does not hold, or hide from it what XML does:
    # such a sheet is walked.
    # (One byte is looked for first: far faster than two, and rare in a sheet.)
    if (b"!" in xml and b"<!" in xml) or (b"#" in xml and b"&#" in xml) or (b"?" in xml and b"<?" in xml[4:]) \
            or _PREFIXED_TAG.search(xml) \
            or _PLAIN_FORMULA_OR_OTHER_CELL_TAG.search(xml) or _SUSPICIOUS_NUMBER.search(xml):
        return None
    limit = settings.SHEET_CELL_LIMIT
    # Every cell plain and within A1:Z999 (what a return's sheets hold), so within the limit:
    # where the last cell is, is worked out only when asked for (calamine does not need it).
    # A plain cell tag takes at least PLAIN_CELL_BYTES, so a short sheet cannot hold too many.
    bounded = limit >= BOUNDED_CELLS and _UNBOUNDED_CELL.search(xml) is None and (
        len(xml) <= limit * PLAIN_CELL_BYTES or xml.count(b"<c ") <= limit)
    references = None if bounded else _cell_references(xml)
    if not bounded and references is None:
        return None         # a cell tag that is not plain, or without its reference first
    dimension = _DIMENSION_TAG.search(xml)
    if xml.count(b"dimension") != (1 if dimension else 0):
        return None         # a dimension written otherwise, or twice
    claimed_range = dimension.group(1).decode("ascii", "replace") if dimension else ""
    claimed = _range_cells(claimed_range) if dimension else 0
    if claimed > limit:
        raise refuse("SHEET-TOO-LARGE",
                     f"The sheet claims a range of {claimed_range} "
                     f"({claimed:,} cells), more than the {limit:,} a monitoring return may have.",
                     _SHRINK_SHEET, sheet=name)
    if references is None:      # every row from 1 up: a cell is in a row
        return SheetScan(fast=True, extent=None, has_cells=b"<c " in xml, xml=xml,
                         shared_cells=xml.count(SHARED_STRING_CELL))
    last_cell = _last_cell(references)
    scan = SheetScan(fast=True, extent=last_cell, has_cells=last_cell[0] > 0,
                     shared_cells=xml.count(SHARED_STRING_CELL))
    if len(references) > limit or scan.rows * scan.columns > limit:
        raise refuse("SHEET-TOO-LARGE",
                     f"The sheet uses cells as far as {get_column_letter(scan.columns)}{scan.rows}, "
                     f"more than the {limit:,} cells a monitoring return may have.", _SHRINK_SHEET,
                     sheet=name)
    return scan


def _cell_references(xml: bytes) -> list[tuple[bytes, bytes]] | None:
    """Each cell's column letters and row number; None when one of them is not a reference."""
    references = _CELL_TAG.findall(xml)
    if any(not row for _, row in references):
        return None
    return references


def _last_cell(references: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """The last row and column of cells by their references (0 and 0 without a cell)."""
    if not references:
        return 0, 0
    columns, rows = zip(*references, strict=True)
    # Letters of the same length sort as their columns do: only the last is converted.
    return max(map(int, set(rows))), column_index_from_string(
        max({column.upper() for column in set(columns)}, key=_column_order).decode("ascii"))


def _column_order(letters: bytes) -> tuple[int, bytes]:
    return len(letters), letters


def _scan_sheet_cells(name: str, xml: bytes) -> SheetScan:
    """Walk the sheet's XML cell by cell: its extent, each formula with its saved value,
    each error cell, and each number no return can hold."""
    limit = settings.SHEET_CELL_LIMIT
    scan = SheetScan()
    cells = row = row_of_tag = column = last_row = last_column = shared = 0
    for event, element in safe_iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "dimension":
                claimed = _range_cells(element.get("ref", ""))
                if claimed > limit:
                    raise refuse("SHEET-TOO-LARGE",
                                 f"The sheet claims a range of {element.get('ref')} ({claimed:,} cells), more "
                                 f"than the {limit:,} a monitoring return may have.", _SHRINK_SHEET, sheet=name)
            elif tag == "row":
                row_of_tag = int(element.get("r") or row_of_tag + 1)
                column = 0
            continue
        if tag == "c":
            cells += 1
            written = element.get("r")
            if written:
                # As the cell readers place it: any number of letters (a column far beyond
                # XFD is refused below as too large, not read as the next column).
                reference = _ANY_CELL_REFERENCE.match(written)
                if reference is None:
                    raise ValueError(f"{written[:20]!r} is not a cell reference")
                column, row = column_number(reference.group(1)), int(reference.group(2))
            else:
                # Without a reference: the next column of its row, as the cell readers take it.
                column, row = column + 1, row_of_tag
            last_row, last_column = max(last_row, row), max(last_column, column)
            if cells > limit or last_row * last_column > limit:
                raise refuse("SHEET-TOO-LARGE",
                             f"The sheet uses cells as far as {column_letters(last_column)}{last_row}, "
                             f"more than the {limit:,} cells a monitoring return may have.", _SHRINK_SHEET, sheet=name)
            formula = value = None
            for child in element:
                if _local(child.tag) == "f":
                    formula = child
                elif _local(child.tag) == "v":
                    value = child
            cell = f"{get_column_letter(column)}{row}"
            saved = (value.text or "").strip() if value is not None else ""
            if formula is not None:
                scan.formulas[cell] = saved
            kind = element.get("t")
            shared += kind == SHARED_STRING_TYPE
            if kind == ERROR_TYPE:
                scan.errors[cell] = saved
            elif kind in NUMBER_TYPES and saved and _impossible_number(saved):
                scan.bad_numbers[cell] = saved
            element.clear()
        elif tag == "row":
            element.clear()
    scan.extent, scan.has_cells, scan.shared_cells = (last_row, last_column), last_row > 0, shared
    return scan


def _impossible_number(text: str) -> bool:
    try:
        number = float(text)
    except ValueError:
        return False        # not a number at all: the cell reader reports the damage
    return not math.isfinite(number) or abs(number) > LARGEST_FIGURE


def _hidden_columns(xml: bytes) -> tuple[tuple[int, int], ...]:
    """The hidden columns as 1-based (first, last) spans, as the sheet lists them (the first
    MAX_COLUMN_SPANS column entries: Excel writes a few dozen)."""
    hidden = []
    for tag in _COLUMN_TAG.findall(xml)[:MAX_COLUMN_SPANS]:
        attributes = {key.decode("ascii", "replace"): value for key, value in _ATTRIBUTE.findall(tag)}
        if attributes.get("hidden", b"").lower() not in (b"1", b"true"):
            continue
        try:
            first, last = int(attributes.get("min", b"0")), int(attributes.get("max", b"0"))
        except ValueError:
            continue
        hidden.append((first, last))
    return tuple(hidden)


def _range(ref: str) -> tuple[int, int, int, int] | None:
    """1-based (first column, first row, last column, last row) of "C6:C7"; None if not a range."""
    return _remembered_range(ref) if len(ref) <= REMEMBERED_LENGTH else _read_range(ref)


#: A sheet's dimension and merged ranges, and the workbook's targets, are the same in every return:
#: short ones are remembered.
REMEMBERED_LENGTH = 32


def _read_range(ref: str) -> tuple[int, int, int, int] | None:
    corners = []
    for corner in ref.split(":"):
        match = _CELL_REFERENCE.match(corner.strip())
        if not match:
            return None
        corners.append((column_index_from_string(match.group(1).upper()), int(match.group(2))))
    (c1, r1), (c2, r2) = corners[0], corners[-1]
    return min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)


_remembered_range = functools.lru_cache(maxsize=1024)(_read_range)


def _range_cells(ref: str) -> int:
    corners = _range(ref)
    if corners is None:
        return 0
    c1, r1, c2, r2 = corners
    return (c2 - c1 + 1) * (r2 - r1 + 1)


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:,.1f} MB"
    return f"{max(n / 1024, 0.1):,.1f} KB"
