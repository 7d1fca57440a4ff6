"""Write the sample workbooks of ASC0013: ``python -m sample_data.make_sample [--out DIR]``.

One filled-in return per quarter of ``sample_data/quarters.py``, made with the
same ``write_template`` a provider's blank template comes from, into
``workbooks/`` (loaded with the sample), except 2016/17 Q4, which goes to
``upload/`` for a user to upload by hand.

The files are byte-for-byte the same on every run, so that they can be
committed and an unchanged file is recognised by its hash: openpyxl stamps
the save time into ``docProps/core.xml`` and into every zip entry, and both
are set here to the date the return was completed.
"""

from __future__ import annotations

import argparse
import io
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import settings
from data_ingest.template import write_template
from models.periods import Quarter
from sample_data import quarters
from sample_data.contract import CONTRACT, UPLOAD_DIR, WORKBOOKS_DIR

#: Document properties openpyxl fills with the time of saving.
_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)")


def workbook_name(quarter: Quarter, reference: str = CONTRACT["reference"]) -> str:
    """``ASC0013_2016-17_Q3.xlsx``."""
    return f"{reference}_{quarter.fiscal_year.replace('/', '-')}_Q{quarter.quarter}.xlsx"


def sample_workbook(quarter: Quarter) -> bytes:
    """The filled-in return of one sample quarter, as the bytes of an ``.xlsx`` file."""
    buffer = io.BytesIO()
    write_template(
        buffer,
        reference=CONTRACT["reference"],
        provider=CONTRACT["provider"],
        quarter=quarter,
        values=quarters.VALUES[quarter],
        commentary=quarters.COMMENTARY[quarter],
        completed_by=quarters.COMPLETED_BY[quarter],
        date_completed=quarters.DATE_COMPLETED[quarter],
    )
    return stable_bytes(buffer.getvalue(), quarters.DATE_COMPLETED[quarter])


def stable_bytes(xlsx: bytes, day: date) -> bytes:
    """The workbook with every save-time stamp set to ``day``, 9 am, so that reruns match."""
    moment = datetime(day.year, day.month, day.day, 9, 0, 0)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(lambda m: m.group(1) + stamp + m.group(2), data)
            info = zipfile.ZipInfo(entry.filename, date_time=moment.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            target.writestr(info, data)
    return out.getvalue()


def write_samples(directory: Path | str | None = None) -> list[Path]:
    """Write every sample workbook under ``directory`` (default ``sample_data/``); their paths."""
    root = Path(directory) if directory is not None else settings.SAMPLE_DIR
    written = []
    for quarter in quarters.QUARTERS:
        folder = root / (UPLOAD_DIR if quarter in quarters.UPLOAD_QUARTERS else WORKBOOKS_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / workbook_name(quarter)
        path.write_bytes(sample_workbook(quarter))
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sample_data.make_sample",
        description="Write the sample monitoring workbooks of contract ASC0013.")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"folder to write {WORKBOOKS_DIR}/ and {UPLOAD_DIR}/ into "
                             f"(default: {settings.SAMPLE_DIR})")
    args = parser.parse_args(argv)
    for path in write_samples(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
