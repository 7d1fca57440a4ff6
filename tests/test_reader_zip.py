"""The safety pass unpacks a workbook's parts itself; it refuses exactly what zipfile's reader does.

Each damaged file below is a valid return with one part spoiled the way a faulty
program or an attacker would: a CRC, a size or a name that lies, data cut short or
corrupted. The direct unpacking (``safety._read_part``) must give the same findings
as reading every part through zipfile (``safety._read_bounded``), which the safety
pass used before and still uses for anything but a deflated part.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from data_ingest import safety
from data_ingest.reader import read_workbook
from tests.workbooks import DA, filled, sheet_part

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*(ROOT / "tests" / "data").glob("*.xls*"), *(ROOT / "sample_data" / "workbooks").glob("*.xlsx")])

#: Offsets of the CRC, compressed size and size in a central directory entry and a local header.
CENTRAL = {"crc": 16, "compress_size": 20, "file_size": 24}
LOCAL = {"crc": 14, "compress_size": 18, "file_size": 22}


def by_zipfile(monkeypatch) -> None:
    """Every part's directory entry and data read by zipfile, as the safety pass did before."""
    monkeypatch.setattr(safety, "_plain_directory", lambda content: None)
    monkeypatch.setattr(safety, "_read_part", lambda content, archive, info, budget: safety._read_bounded(
        archive.zipfile(), archive.zipfile().getinfo(info.filename), budget))


def findings(content: bytes) -> list[dict]:
    return [f.as_dict() for f in read_workbook(content, "damaged.xlsx", DA).findings]


def both_ways(content: bytes, monkeypatch) -> tuple[list[dict], list[dict]]:
    direct = findings(content)
    with monkeypatch.context() as patched:
        by_zipfile(patched)
        return direct, findings(content)


def _entries(content: bytes):
    """(central entry offset, local header offset, name) of each part."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    position = content.rindex(b"PK\x05\x06")
    start = struct.unpack_from("<L", content, position + 16)[0]
    for info in archive.infolist():
        assert content[start:start + 4] == b"PK\x01\x02"
        name_length, extra_length, comment_length = struct.unpack_from("<3H", content, start + 28)
        yield start, info.header_offset, info.filename
        start += 46 + name_length + extra_length + comment_length


def patch(content: bytes, part: str, field: str, value: int, local: bool = True) -> bytes:
    """The file with one field of one part's entry changed (in the central directory, and the
    local header unless told)."""
    data = bytearray(content)
    for central, header, name in _entries(content):
        if name == part:
            struct.pack_into("<L", data, central + CENTRAL[field], value)
            if local:
                struct.pack_into("<L", data, header + LOCAL[field], value)
    return bytes(data)


def info_of(content: bytes, part: str) -> zipfile.ZipInfo:
    return zipfile.ZipFile(io.BytesIO(content)).getinfo(part)


def data_start(content: bytes, part: str) -> int:
    offset = info_of(content, part).header_offset
    name_length, extra_length = struct.unpack_from("<2H", content, offset + 26)
    return offset + 30 + name_length + extra_length


VALID = filled()
SHEET = sheet_part(VALID, "Refuge")


def damaged() -> list:
    info = info_of(VALID, SHEET)
    start = data_start(VALID, SHEET)
    corrupt = bytearray(VALID)
    corrupt[start + 10:start + 30] = b"\xff" * 20
    renamed = bytearray(VALID)
    name_at = info.header_offset + 30
    renamed[name_at:name_at + 2] = b"XX"
    return [
        pytest.param(VALID, id="valid"),
        pytest.param(patch(VALID, SHEET, "crc", info.CRC ^ 1), id="wrong-crc"),
        pytest.param(patch(VALID, SHEET, "crc", info.CRC ^ 1, local=False), id="wrong-crc-in-directory"),
        pytest.param(patch(VALID, SHEET, "file_size", info.file_size - 100), id="size-too-small"),
        pytest.param(patch(VALID, SHEET, "file_size", info.file_size + 100), id="size-too-large"),
        pytest.param(patch(VALID, SHEET, "file_size", 0), id="size-zero"),
        pytest.param(patch(VALID, SHEET, "compress_size", info.compress_size - 50), id="compressed-too-small"),
        pytest.param(patch(VALID, SHEET, "compress_size", info.compress_size + 50), id="compressed-too-large"),
        pytest.param(bytes(renamed), id="local-name-differs"),
        pytest.param(bytes(corrupt), id="corrupt-data"),
    ]


@pytest.mark.parametrize("content", damaged())
def test_a_damaged_part_is_refused_as_zipfile_refuses_it(content, monkeypatch):
    direct, zipfile_way = both_ways(content, monkeypatch)
    assert direct == zipfile_way


def test_corrupt_compressed_data_is_refused_as_damaged(monkeypatch):
    # zipfile's reader let zlib's error through (the upload crashed); now it is a refusal.
    info = info_of(VALID, SHEET)
    start = data_start(VALID, SHEET)
    corrupt = bytearray(VALID)
    corrupt[start:start + info.compress_size] = b"\x07" * info.compress_size
    [finding] = findings(bytes(corrupt))
    assert finding["rule"] == "NOT-XLSX" and f"part {SHEET} cannot be unpacked" in finding["message"]
    with monkeypatch.context() as patched:
        by_zipfile(patched)
        assert findings(bytes(corrupt)) == [finding]


def test_a_part_stored_uncompressed_is_read_through_zipfile(monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(VALID)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in source.infolist():
            copy.writestr(info.filename, source.read(info))
    direct, zipfile_way = both_ways(out.getvalue(), monkeypatch)
    assert direct == zipfile_way == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_real_file_unpacks_as_zipfile_unpacks_it(path, monkeypatch):
    content = path.read_bytes()
    direct, zipfile_way = both_ways(content, monkeypatch)
    assert direct == zipfile_way
    if content.startswith(b"PK"):
        archive = safety._Archive(content)
        with zipfile.ZipFile(io.BytesIO(content)) as reference:
            assert safety._plain_directory(content) == [safety.Part.of(info) for info in reference.infolist()]
            limit = safety.settings.UNCOMPRESSED_LIMIT_BYTES
            for part in archive.parts():
                if part.file_size and part.filename.endswith(safety.XML_PART_SUFFIXES) \
                        and part.file_size <= limit:
                    assert safety._read_part(content, archive, part, limit) == reference.read(part.filename)
        archive.close()


def _rewritten(content: bytes, **options) -> bytes:
    """The same parts in a zip written by zipfile with a comment or extra fields."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.extra = options.get("extra", b"")
            copy.writestr(entry, source.read(info))
        copy.comment = options.get("comment", b"")
    return out.getvalue()


@pytest.mark.parametrize("options", [{"comment": b"made by hand"}, {"extra": b"\xfe\xca\x00\x00"}],
                         ids=["comment", "extra-fields"])
def test_a_zip_that_is_not_plain_is_listed_by_zipfile(options, monkeypatch):
    content = _rewritten(VALID, **options)
    assert safety._plain_directory(content) is None
    direct, zipfile_way = both_ways(content, monkeypatch)
    assert direct == zipfile_way == []


def test_something_before_the_zip_is_left_to_zipfile(monkeypatch):
    content = b"PK, then something else\n" + VALID        # zipfile reads it, its offsets moved
    assert safety._plain_directory(content) is None
    direct, zipfile_way = both_ways(content, monkeypatch)
    assert direct == zipfile_way == []


def _central_field(content: bytes, part: str, offset: int, value: int) -> bytes:
    """The file with a 16-bit field of one part's central directory entry changed."""
    data = bytearray(content)
    for central, _, name in _entries(content):
        if name == part:
            struct.pack_into("<H", data, central + offset, value)
    return bytes(data)


def _with_part_first(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(VALID)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr(name, data)
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
    return out.getvalue()


#: Offsets in a central directory entry: version needed to extract, flags, compression method.
VERSION_NEEDED, FLAGS, METHOD = 6, 8, 10


@pytest.mark.parametrize("content", [
    pytest.param(_central_field(VALID, "xl/workbook.xml", VERSION_NEEDED, 64), id="zip-version-6.4"),
    pytest.param(_central_field(_with_part_first("mimetype", b"x"), "mimetype", FLAGS, 1),
                 id="mimetype-encrypted"),
    pytest.param(_central_field(_with_part_first("mimetype", b"x"), "mimetype", METHOD, 99),
                 id="mimetype-unknown-method"),
])
def test_a_zip_feature_zipfile_cannot_read_is_refused_not_a_crash(content):
    assert [f["rule"] for f in findings(content)] == ["NOT-XLSX"]


def test_a_part_name_too_long_for_a_zip_header_in_utf8_is_no_crash():
    # 22,000 bytes of code page 437 (no UTF-8 flag) become 66,000 bytes of UTF-8, more than a zip
    # header holds. Written with an ASCII name of the same length, then the bytes swapped.
    placeholder, long_name = b"a" * 22_000 + b".xml", b"\xb0" * 22_000 + b".xml"
    content = _with_part_first(placeholder.decode("ascii"), b"<a/>").replace(placeholder, long_name)
    assert len(zipfile.ZipFile(io.BytesIO(content)).namelist()[0].encode("utf-8")) > 0xFFFF
    assert findings(content) == findings(VALID)
