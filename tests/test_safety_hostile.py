"""Workbooks built to slip past the safety pass, found by a hostile-input run.

Each was read differently by the safety pass and by the cell readers: a cell the pass
placed near (or did not see) that calamine placed far away, which made calamine ask for
gigabytes and end the whole process. Each is now refused before any cell reader sees
it, the same way by the fast path and the full walk; or, where the file is only odd, the
fast path leaves the sheet to the full walk, which reads XML as the cell readers do.
"""

from __future__ import annotations

import pytest

from data_ingest import safety
from models.catalogue import COMMENTARY
from tests.workbooks import add_part, filled, rewrite_parts, sheet_part


@pytest.fixture(scope="module")
def valid() -> bytes:
    return filled()


def with_rows(content: bytes, rows: bytes, sheet: str = COMMENTARY) -> bytes:
    """The workbook with ``rows`` added at the end of a sheet's cells."""
    part = sheet_part(content, sheet)
    return rewrite_parts(content, lambda name, data: data.replace(b"</sheetData>", rows + b"</sheetData>")
                         if name == part else data)


def refused_both_ways(content: bytes, rule: str) -> safety.Finding:
    findings = []
    for fast in (True, False):
        with pytest.raises(safety.Refused) as refused:
            safety.inspect(content, "return.xlsx", fast=fast)
        findings.append(refused.value.findings)
    assert findings[0] == findings[1]
    assert findings[0][0].rule == rule
    return findings[0][0]


def test_a_cell_given_two_references_is_refused(valid):
    # Calamine took the last reference; the pattern looked at the first.
    content = with_rows(valid, b'<row r="50"><c r="A50" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    refused_both_ways(content, "UNREADABLE")


@pytest.mark.parametrize("cell", [b'<c r="ZZZZZZ1"><v>1</v></c>', b'<c r="AAAA1"><v>1</v></c>'])
def test_a_column_beyond_three_letters_is_placed_where_a_reader_would_place_it(valid, cell):
    # Read as "the next column" before; calamine read it as column 321 million.
    finding = refused_both_ways(with_rows(valid, b'<row r="50">' + cell + b"</row>"), "SHEET-TOO-LARGE")
    assert finding.sheet == COMMENTARY and "uses cells as far as" in finding.message


def test_a_cell_without_a_reference_is_in_its_row(valid):
    # After a cell in row 1, a cell without a reference is in the row its tag is in.
    content = with_rows(valid, b'<row r="1048576"><c r="XFC1"><v>1</v></c><c><v>1</v></c></row>')
    assert "XFD1048576" in refused_both_ways(content, "SHEET-TOO-LARGE").message


def test_a_reference_that_is_not_one_is_refused(valid):
    refused_both_ways(with_rows(valid, b'<row r="50"><c r="1A"><v>1</v></c></row>'), "UNREADABLE")


def test_a_sheet_in_a_part_of_another_name_is_scanned(valid):
    # A part no relationship names as a sheet, whose name ends in capitals: a reader can
    # still be pointed at it, so every part holding a sheet's cells is scanned.
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="1"><c r="A1"><v>1</v></c><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')
    refused_both_ways(add_part(valid, "xl/worksheets/big.XML", sheet), "SHEET-TOO-LARGE")


@pytest.mark.parametrize("encode", [
    lambda xml: xml.encode("utf-16"),
    lambda xml: xml.encode("utf-16-be"),     # no byte-order mark
    lambda xml: xml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1"),
], ids=["utf-16", "utf-16-be", "latin-1"])
def test_a_part_of_the_workbook_in_another_encoding_is_refused(valid, encode):
    # The patterns read UTF-8: text in UTF-16 can hide a sheet from them.
    xml = '<?xml version="1.0" encoding="UTF-8"?><a:theme xmlns:a="urn:x"/>'
    content = rewrite_parts(valid, lambda name, data: encode(xml) if name == "xl/theme/theme1.xml" else data)
    assert refused_both_ways(content, "XML-ENCODING").message.count("xl/theme/theme1.xml") == 1


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-16-le", "utf-32", "utf-32-be", "utf-32-le"])
def test_a_doctype_in_any_byte_order_is_refused(valid, codec):
    # The DOCTYPE search read UTF-16 without a byte-order mark as little-endian, and missed it.
    xml = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><cp:coreProperties xmlns:cp="urn:x"/>'
    content = rewrite_parts(valid, lambda name, data: xml.encode(codec) if name == "docProps/core.xml"
                            else data)
    refused_both_ways(content, "XML-ENTITIES")


def test_a_utf8_part_with_a_byte_order_mark_is_read(valid):
    part = sheet_part(valid, COMMENTARY)
    content = rewrite_parts(valid, lambda name, data: b"\xef\xbb\xbf" + data if name == part else data)
    assert safety.inspect(content, "return.xlsx").scan(COMMENTARY) is not None


def test_shared_strings_claiming_billions_are_refused(valid):
    # Calamine makes room for every text the part declares before reading one.
    sst = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
           b'uniqueCount="4294967295"><si><t>x</t></si></sst>')
    refused_both_ways(add_part(valid, "xl/sharedStrings.xml", sst), "ZIP-BOMB")


@pytest.mark.parametrize("rows", [
    b'<row r="60"><c r="C60"><v >1e300</v></c></row>',
    b'<row r="60"><c r="C60"><v>500000000000e1</v></c></row>',
    b'<row r="60"><c r="C60"><v>99999999.9999e5</v></c></row>',
    b'<row r="60"><c r="C60"><v>1_000_000_000_000_000</v></c></row>',
    b'<row r="60"><c r="C60"><v><![CDATA[1e300]]></v></c></row>',
    b'<row r="60"><c r="C60"><v>&#78;aN</v></c></row>',
], ids=["spaced-tag", "exponent", "decimal-exponent", "underscores", "cdata", "character-reference"])
def test_a_number_written_oddly_is_judged_by_the_walk(valid, rows):
    finding = refused_both_ways(with_rows(valid, rows), {
        True: "NOT-A-NUMBER", False: "NUMBER-TOO-LARGE"}["NaN" in rows.decode() or "&#78;" in rows.decode()])
    assert finding.cell == "C60"


@pytest.mark.parametrize("rows", [
    b'<!-- <c r="XFD1048576"/> -->',
    b'<!-- <c r="Z999"/> -->',
    b'<row r="60"><c r="B60" t="&#101;"><v>#DIV/0!</v></c></row>',
    b'<row r="60"><c r="B60" s="1" s="2"><v>1</v></c></row>',
], ids=["comment-far", "comment-near", "character-reference-type", "attribute-twice"])
def test_what_a_pattern_could_misread_is_walked(valid, rows):
    content = with_rows(valid, rows)
    outcomes = []
    for fast in (True, False):
        try:
            scan = safety.inspect(content, "return.xlsx", fast=fast).scan(COMMENTARY)
            assert scan is not None
            outcomes.append((scan.fast, scan.rows, scan.columns, scan.errors))
        except safety.Refused as refused:
            outcomes.append(("refused", refused.findings))
    assert outcomes[0][1:] == outcomes[1][1:]
    assert outcomes[0][0] in (False, "refused")


@pytest.mark.parametrize("ref", [b"ref='A1:XFD1048576'", b'ref = "A1:XFD1048576"'])
def test_a_dimension_written_otherwise_is_judged_by_the_walk(valid, ref):
    part = sheet_part(valid, COMMENTARY)
    content = rewrite_parts(valid, lambda name, data: data.replace(
        b"<sheetData>", b"<dimension " + ref + b" /><sheetData>", 1) if name == part else data)
    assert "claims a range" in refused_both_ways(content, "SHEET-TOO-LARGE").message


def test_the_tag_patterns_stop_at_the_next_tag():
    # A pattern that could run past "<" took minutes on a comment of many half-tags.
    assert safety._MERGE_TAG.findall(b'<mergeCell <mergeCell ref="A1:B2"/>') == [b"A1:B2"]
    assert safety._DIMENSION_TAG.search(b'<dimension <dimension ref="A1:B2"/>').group(1) == b"A1:B2"
    assert safety._COLUMN_TAG.findall(b'<col <col min="1"/>') == [b'<col min="1"/>']


# --- a second run, after the first one's findings were mended ------------------------------------

SST = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" {} uniqueCount="{}">'
       b"<si><t>x</t></si></sst>")


@pytest.mark.parametrize("part", [
    b'<?xml version="1.0"?>' + b" " * 1200 + SST.replace(b"{}", b"", 1).replace(b"{}", b"4294967295"),
    SST.replace(b"{}", b'foo=">"', 1).replace(b"{}", b"4294967295"),
    SST.replace(b"{}", b"", 1).replace(b"{}", b"0000000000004294967295"),
    b'<!-- <sst uniqueCount="1"> -->' + SST.replace(b"{}", b"", 1).replace(b"{}", b"+4294967295"),
], ids=["late", "quoted-gt-before", "leading-zeros", "decoy-in-comment"])
def test_shared_strings_claiming_billions_however_written_are_refused(valid, part):
    # Calamine reads the count as an XML parser does, wherever and however it is written.
    refused_both_ways(add_part(valid, "xl/sharedStrings.xml", part), "ZIP-BOMB")


def test_shared_strings_under_another_element_are_refused(valid):
    part = b'<sst-x count="1">' + SST.replace(b"{}", b"", 1).replace(b"{}", b"4294967295") + b"</sst-x>"
    finding = refused_both_ways(add_part(valid, "xl/sharedStrings.xml", part), "NOT-XLSX")
    assert "sharedStrings.xml" in finding.message


def test_a_failure_inside_calamine_is_a_finding_not_a_crash(valid):
    # A date-formatted number far before 1900 makes calamine's Rust code panic: a panic is
    # not an Exception in Python, and escaped the reader.
    from data_ingest.reader import CALAMINE, read_workbook
    from models.contract_types import get_type

    content = with_rows(valid, b'<row r="60"><c r="C60" s="8"><v>-999999999999</v></c></row>')
    parsed = read_workbook(content, "return.xlsx", get_type("domestic-abuse"), engine=CALAMINE)
    assert [f.rule for f in parsed.errors] == ["UNREADABLE"]
    assert "formatted as a date" in parsed.errors[0].message and "#####" in parsed.errors[0].advice


def test_shared_strings_named_in_other_capitals_are_found(valid):
    # Calamine finds the part whatever its capitals.
    part = SST.replace(b"{}", b"", 1).replace(b"{}", b"4294967295")
    refused_both_ways(add_part(valid, "xl/SharedStrings.xml", part), "ZIP-BOMB")


def test_parts_named_alike_but_for_capitals_are_refused(valid):
    part = SST.replace(b"{}", b"", 1).replace(b"{}", b"1")
    content = add_part(add_part(valid, "xl/sharedStrings.xml", part), "xl/SharedStrings.xml", part)
    assert "some repeated" in refused_both_ways(content, "NOT-XLSX").message


# --- what real writers write is still read, by pattern where it was -----------------------------

@pytest.mark.parametrize("change", [
    pytest.param(lambda name, data: data.replace(b'encoding="UTF-8"', b'encoding="utf-8"')
                 if name.startswith("xl/") else data, id="lower-case-encoding"),
    pytest.param(lambda name, data: b"\xef\xbb\xbf" + data if name.startswith("xl/") else data,
                 id="utf8-byte-order-marks"),
    pytest.param(lambda name, data: data.replace(b'Target="/xl/worksheets/', b'Target="worksheets/')
                 if name == "xl/_rels/workbook.xml.rels" else data, id="relative-targets"),
    pytest.param(lambda name, data: data.replace(b"</Relationships>", (
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'hyperlink" Target="https://example.org/?a=1&amp;b=2" TargetMode="External"/></Relationships>'))
                 if name == "xl/_rels/workbook.xml.rels" else data, id="external-link-with-ampersand"),
    pytest.param(lambda name, data: data.replace(b't="n"', b't="n" cm="1"')
                 if name.startswith("xl/worksheets/") else data, id="cell-metadata"),
    pytest.param(lambda name, data: data if name != "docProps/core.xml" else
                 data.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
                 id="utf16-outside-the-workbook"),
])
def test_what_real_writers_write_is_read_as_before(valid, change):
    changed = rewrite_parts(valid, change)
    before, after = safety.inspect(valid, "return.xlsx"), safety.inspect(changed, "return.xlsx")
    assert after.paths == before.paths and after.states == before.states
    assert [(scan.fast, scan.rows, scan.columns) for scan in after.sheets.values()] == [
        (scan.fast, scan.rows, scan.columns) for scan in before.sheets.values()]


@pytest.mark.parametrize("part", [
    b"",
    b'<sst xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main" count="1" uniqueCount="1"><si><t>x</t></si></sst>',
    b'<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="1">'
    b"<x:si><x:t>x</x:t></x:si></x:sst>",
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>',
], ids=["empty", "strict", "prefixed", "no-texts"])
def test_shared_strings_as_writers_write_them_are_accepted(valid, part):
    assert safety.inspect(add_part(valid, "xl/sharedStrings.xml", part), "return.xlsx").paths


@pytest.mark.parametrize("target", [b"worksheets/./sheet7.xml", b"worksheets//sheet7.xml",
                                    b"../xl/worksheets/sheet7.xml", b"worksheets/sheet&#55;.xml"])
def test_a_sheet_whose_place_is_not_written_plainly_is_refused(valid, target):
    # Normalised here, read as written by calamine: the scan would describe another part.
    def moved(name: str, data: bytes) -> bytes:
        if name != "xl/_rels/workbook.xml.rels":
            return data
        old = b'Target="/xl/worksheets/sheet7.xml"'
        assert old in data
        return data.replace(old, b'Target="' + target + b'"')
    refused_both_ways(rewrite_parts(valid, moved), "NOT-XLSX")


def test_two_sheet_names_alike_but_for_a_tab_are_refused(valid):
    # The XML parser reads a typed tab as a space, calamine keeps it: to calamine, one name twice.
    def hidden_twin(name: str, data: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return data
        real = b'<sheet name="Commentary" sheetId="7" state="visible" r:id="rId7" />'
        assert real in data
        return data.replace(real, b'<sheet name="Commentary\t" sheetId="8" state="hidden" r:id="rId1" />'
                            b'<sheet name="Commentary&#9;" sheetId="7" state="visible" r:id="rId7" />')
    assert "two sheets named" in refused_both_ways(rewrite_parts(valid, hidden_twin), "NOT-XLSX").message


@pytest.mark.parametrize("value", [b"1<?x?>e300", b"999999<?x?>99999999999"])
def test_a_processing_instruction_in_a_value_is_walked(valid, value):
    finding = refused_both_ways(with_rows(valid, b'<row r="60"><c r="C60"><v>' + value + b"</v></c></row>"),
                                "NUMBER-TOO-LARGE")
    assert finding.cell == "C60"


# --- a third run ---------------------------------------------------------------------------------

def with_shared_string(content: bytes, text: bytes, cells: int, sst_attributes: bytes = b'uniqueCount="1"') -> bytes:
    """The workbook with one shared string, shown in ``cells`` cells of the Cover (rows 200 on)."""
    sst = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' + sst_attributes
           + b"><si><t>" + text + b"</t></si></sst>")
    rows = b"".join(b'<row r="%d">' % row + b"".join(
        b'<c r="%s%d" t="s"><v>0</v></c>' % (bytes([65 + column]), row) for column in range(10)) + b"</row>"
        for row in range(200, 200 + cells // 10))
    return with_rows(add_part(content, "xl/sharedStrings.xml", sst), rows, sheet="Cover")


def test_a_long_text_shown_in_many_cells_is_refused(valid):
    # Calamine copies a shared string into each cell showing it: 1 MB shown in 3,000 cells is
    # 3 GB, from a file of under 1 MB.
    assert "repeats long texts" in refused_both_ways(
        with_shared_string(valid, b"x" * 1_000_000, 3000), "ZIP-BOMB").message


def test_a_long_text_shown_in_many_cells_cannot_hide_behind_a_comment(valid):
    # A string start inside a comment would cut the longest string in two, to the eye of a pattern.
    text = b"<!-- <si> -->".join([b"x" * 100_000] * 10)
    refused_both_ways(with_shared_string(valid, text, 3000), "ZIP-BOMB")


def test_a_long_text_shown_in_a_few_cells_is_read(valid):
    content = with_shared_string(valid, b"x" * 30_000, 20)
    assert safety.inspect(content, "return.xlsx").scan("Cover").shared_cells == 20


@pytest.mark.parametrize(("count", "rule"), [
    (b"0" * 5000 + b"1", None), (b"1" + b"0" * 5000, "ZIP-BOMB"), ("١٠٠٠٠٠٠٠٠٠٠".encode(), None)],
    ids=["5000-leading-zeros", "5001-digits", "arabic-digits"])
def test_a_count_of_thousands_of_digits_is_read_as_calamine_reads_it(valid, count, rule):
    # Python refuses to read a number of 4,300 digits or more: the error escaped the safety pass.
    content = with_shared_string(valid, b"x", 10, b'uniqueCount="' + count + b'"')
    if rule is None:
        assert safety.inspect(content, "return.xlsx").paths
    else:
        refused_both_ways(content, rule)
