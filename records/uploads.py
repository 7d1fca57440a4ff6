"""What the upload page does after a file is dropped: check, preview, compare, store.

Pages only draw; everything the upload page shows is computed here so that it is
tested without a browser.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from data_ingest.findings import Finding
from data_ingest.store import Difference, IngestResult, check_file, ingest_file
from models.catalogue import Catalogue
from users.access import Actor

#: A file as the page hands it over: its name and its bytes.
UploadedFile = tuple[str, bytes]
#: Called after each file with (files done, files in all, the file's name).
Progress = Callable[[int, int, str], None]

FINDING_COLUMNS = ["Where", "Problem", "What to do"]
PREVIEW_COLUMNS = ["service", "indicator", "label", "unit", "quarter_value", "ytd_value",
                   "target", "rag", "previous_value", "missing_quarters"]
DIFFERENCE_COLUMNS = ["code", "measure", "current", "new", "money"]


def check_uploads(engine: Engine, files: Sequence[UploadedFile], actor: Actor,
                  progress: Progress | None = None, today: date | None = None) -> list[IngestResult]:
    """Check each file against the database; writes nothing.

    ``users.NotAllowed`` for someone whose role sends no returns; a file for a contract the
    person may not send returns for is rejected (``NOT-YOUR-CONTRACT``)."""
    results = []
    for n, (name, content) in enumerate(files, start=1):
        results.append(check_file(engine, content, name, actor, today=today))
        if progress:
            progress(n, len(files), name)
    return results


def store_uploads(engine: Engine, files: Sequence[UploadedFile], actor: Actor,
                  progress: Progress | None = None, today: date | None = None) -> list[IngestResult]:
    """Store each file on its own (all or nothing per file), checking it again as it is stored;
    recorded as uploaded by ``actor`` (refused as :func:`check_uploads` says)."""
    results = []
    for n, (name, content) in enumerate(files, start=1):
        results.append(ingest_file(engine, content, name, actor, today=today))
        if progress:
            progress(n, len(files), name)
    return results


def findings_table(findings: Sequence[Finding]) -> pd.DataFrame:
    """Errors or warnings as a table a provider can work through: where, what, what to do."""
    return pd.DataFrame([{"Where": f.location, "Problem": f.message, "What to do": f.advice}
                         for f in findings], columns=FINDING_COLUMNS)


def differences_table(differences: Sequence[Difference]) -> pd.DataFrame:
    """Measure by measure: the current stored value and the one in the new file."""
    rows = [{"code": d.code, "measure": d.label, "current": d.old, "new": d.new, "money": d.money}
            for d in differences]
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)


def result_headline(result: IngestResult, with_name: bool = True) -> str:
    """One plain sentence saying what happened to a file (starting with its name, unless shown already)."""
    sentence = _headline(result)
    return f"{result.file_name}: {sentence}" if with_name else sentence[0].upper() + sentence[1:]


def _headline(result: IngestResult) -> str:
    what = f"{result.contract} {result.quarter.label}" if result.contract and result.quarter else None
    if result.status == "rejected":
        count = len(result.errors)
        return f"not stored — {count} error{'s' if count != 1 else ''} to correct."
    if result.status == "passed":
        if result.restores_version is not None:
            return (f"{what} passed the checks. It is the file of version "
                    f"{result.restores_version}, which was superseded: storing it brings "
                    f"version {result.restores_version} back as a new version, replacing version "
                    f"{result.superseded_version}, which is kept in the history.")
        if result.superseded_version is not None:
            return (f"{what} passed the checks. It will replace version "
                    f"{result.superseded_version}, which is kept in the history.")
        return f"{what} passed the checks and is ready to store."
    if result.status == "unchanged":
        held = result.matched_quarter.label if result.matched_quarter else what
        if result.checked_only:
            return (f"identical to version {result.version} of {held}, the version held now: "
                    "storing it would change nothing.")
        return (f"identical to version {result.version} of {held} "
                "already stored; nothing changed.")
    superseded = (f", superseding version {result.superseded_version}"
                  if result.superseded_version is not None else "")
    restored = (f" (version {result.restores_version} brought back)"
                if result.restores_version is not None else "")
    return f"stored {what} as version {result.version}{superseded}{restored}."


def headline_preview(engine: Engine, result: IngestResult, actor: Actor) -> pd.DataFrame:
    """The quarter's indicators as they would be if the checked file were stored.

    The candidate's values replace the quarter's current version (if any) among
    the contract's stored measures, so year-to-date figures and comparisons with
    the previous quarter are right. One row per indicator of the contract's type
    (catalogue order). ``users.NotAllowed`` unless the person may read the contract.
    """
    from indicators.data import load_contracts, load_measures, load_targets
    from indicators.engine import compute_indicators
    from models.database import sessions
    from records.contracts import catalogue_for, contract_for

    if not result.contract or result.quarter is None:
        return pd.DataFrame(columns=PREVIEW_COLUMNS)
    with sessions(engine)() as session:
        contract_for(session, result.contract, actor)
    quarter = result.quarter
    catalogue = catalogue_for(engine, result.contract)
    measures = load_measures(engine, result.contract)
    others = measures[~((measures["year"] == quarter.year) & (measures["quarter"] == quarter.quarter))]
    candidate = pd.DataFrame({
        "contract": result.contract, "year": quarter.year, "quarter": quarter.quarter,
        "code": list(result.values),
        "value": [np.nan if v is None else float(v) for v in result.values.values()],
        "submission_id": 0, "version": 0, "cell": ""})
    combined = pd.concat([others, candidate.astype(others.dtypes.to_dict())], ignore_index=True)
    contracts = load_contracts(engine)
    indicators = compute_indicators(combined, contracts[contracts["contract"] == result.contract],
                                    load_targets(engine, result.contract), catalogue)
    here = indicators[(indicators["year"] == quarter.year) & (indicators["quarter"] == quarter.quarter)]
    by_basis = {basis: here[here["basis"] == basis].set_index("indicator") for basis in ("quarter", "ytd")}
    rows = []
    for ind in catalogue.indicators:
        q = by_basis["quarter"].loc[ind.code] if ind.code in by_basis["quarter"].index else None
        y = by_basis["ytd"].loc[ind.code] if ind.code in by_basis["ytd"].index else None
        rows.append({
            "service": ind.service, "indicator": ind.code, "label": ind.label, "unit": ind.unit,
            "quarter_value": q["value"] if q is not None else np.nan,
            "ytd_value": y["value"] if y is not None else np.nan,
            "target": q["target"] if q is not None else np.nan,
            "rag": q["rag"] if q is not None else None,
            "previous_value": q["previous_value"] if q is not None else np.nan,
            "missing_quarters": y["missing_quarters"] if y is not None else ""})
    return pd.DataFrame(rows, columns=PREVIEW_COLUMNS)


def template_bytes(catalogue: Catalogue, reference: str | None = None, provider: str | None = None,
                   version: int | None = None, quarter=None) -> bytes:
    """The workbook of a contract type a provider fills in (its latest template version
    unless asked), with the contract and provider filled in when given, and the financial
    year and quarter of ``quarter`` (see :func:`quarter_due_next`) on the Cover."""
    from data_ingest.template import template_workbook

    return template_workbook(catalogue, reference=reference, provider=provider, version=version,
                             quarter=quarter)


def quarter_due_next(held, today=None):
    """The quarter whose return a provider fills in next: the one after the newest held;
    with none held, the last quarter that has ended by ``today``."""
    from models.periods import Quarter

    if held:
        return max(held, key=lambda q: q.index).next()
    return Quarter.containing(today or date.today()).previous()


def template_file_name(reference: str | None = None) -> str:
    return f"monitoring-return-template-{reference}.xlsx" if reference else "monitoring-return-template.xlsx"


def after_storing(stored: Sequence[IngestResult], rejected: Sequence[IngestResult] = ()
                  ) -> list[tuple[str, str, list[Finding]]]:
    """What stays on screen after a confirm, until the next files are dropped: for each file
    stored (or refused while storing) and each file the checks rejected (which was not sent),
    its headline, how to show it ("success", "info" or "error") and its errors to correct."""
    level = {"stored": "success", "unchanged": "info"}
    return [(result_headline(r), level.get(r.status, "error"), list(r.errors))
            for r in [*stored, *rejected]]


def rejected_note(count: int) -> str:
    if count == 1:
        return "1 workbook has errors and will not be stored: correct it and upload it again."
    return f"{count} workbooks have errors and will not be stored: correct them and upload them again."


def quarter_to_show(results: Sequence[IngestResult], contract: str | None):
    """After storing: the newest quarter stored for ``contract``, for the pages to show next (or None)."""
    stored = [r.quarter for r in results
              if r.status == "stored" and r.quarter is not None and r.contract == contract]
    return max(stored) if stored else None
