"""Write the sample workbooks: ``python -m sample_data.make_sample [--out DIR]``.

One filled-in return per quarter of each sample contract, made with the same
``template_workbook`` a provider's blank template comes from, into
``workbooks/`` (loaded with the sample), except the quarters kept apart for a
user to upload by hand (ASC0013's 2016/17 Q4), which go to ``upload/``:

- ASC0013, domestic abuse (``sample_data/contract.py``, ``quarters.py``): template
  version 1, as its returns were sent at the time;
- ASC0042, an illustrative substance-misuse service with made-up figures
  (``sample_data/substance_misuse.py``): its type's latest version.

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
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import settings
from data_ingest.template import template_workbook
from models.contract_types import get_type
from models.periods import Quarter
from sample_data import quarters, substance_misuse
from sample_data.contract import (
    CONTRACT,
    QUALITY_VISITS,
    SERVICES,
    UPLOAD_DIR,
    WORKBOOKS_DIR,
    SampleContract,
)

#: Document properties openpyxl fills with the time of saving.
_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)")


@dataclass(frozen=True)
class SampleReturns:
    """One sample contract's returns: what each quarter's workbook says."""

    contract: SampleContract
    quarters: tuple[Quarter, ...]
    upload_quarters: tuple[Quarter, ...]
    values: dict[Quarter, dict[str, float]]
    commentary: dict[Quarter, dict[str, str]]
    completed_by: dict[Quarter, str]
    date_completed: dict[Quarter, date]
    #: The template version the returns follow (None: the type's latest).
    version: int | None = None
    #: The contract's services ``{name: description}`` (None: as its type describes them).
    services: dict[str, str] | None = None
    #: Quality visits of its services, as ``sample_data.contract.QUALITY_VISITS``.
    quality_visits: tuple[dict, ...] = ()

    @property
    def reference(self) -> str:
        return self.contract["reference"]


DOMESTIC_ABUSE = SampleReturns(CONTRACT, quarters.QUARTERS, quarters.UPLOAD_QUARTERS, quarters.VALUES,
                               quarters.COMMENTARY, quarters.COMPLETED_BY, quarters.DATE_COMPLETED,
                               version=quarters.TEMPLATE_VERSION, services=SERVICES,
                               quality_visits=QUALITY_VISITS)
SUBSTANCE_MISUSE = SampleReturns(substance_misuse.CONTRACT, substance_misuse.QUARTERS,
                                 substance_misuse.UPLOAD_QUARTERS, substance_misuse.VALUES,
                                 substance_misuse.COMMENTARY, substance_misuse.COMPLETED_BY,
                                 substance_misuse.DATE_COMPLETED)
#: Every sample contract's returns, in the order they are loaded.
SAMPLES: tuple[SampleReturns, ...] = (DOMESTIC_ABUSE, SUBSTANCE_MISUSE)


def workbook_name(quarter: Quarter, reference: str = CONTRACT["reference"]) -> str:
    """``ASC0013_2016-17_Q3.xlsx``."""
    return f"{reference}_{quarter.fiscal_year.replace('/', '-')}_Q{quarter.quarter}.xlsx"


def sample_workbook(quarter: Quarter, sample: SampleReturns = DOMESTIC_ABUSE) -> bytes:
    """The filled-in return of one sample quarter (ASC0013's unless told), as the bytes of an ``.xlsx``."""
    content = template_workbook(
        get_type(sample.contract["contract_type"]),
        reference=sample.reference,
        provider=sample.contract["provider"],
        quarter=quarter,
        values=sample.values[quarter],
        commentary=sample.commentary[quarter],
        completed_by=sample.completed_by[quarter],
        date_completed=sample.date_completed[quarter],
        version=sample.version,
    )
    return stable_bytes(content, sample.date_completed[quarter])


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
    for sample in SAMPLES:
        for quarter in sample.quarters:
            folder = root / (UPLOAD_DIR if quarter in sample.upload_quarters else WORKBOOKS_DIR)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / workbook_name(quarter, sample.reference)
            path.write_bytes(sample_workbook(quarter, sample))
            written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sample_data.make_sample",
        description="Write the monitoring workbooks of the sample contracts.")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"folder to write {WORKBOOKS_DIR}/ and {UPLOAD_DIR}/ into "
                             f"(default: {settings.SAMPLE_DIR})")
    args = parser.parse_args(argv)
    for path in write_samples(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
