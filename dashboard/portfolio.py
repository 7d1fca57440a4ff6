"""The portfolio: every contract held, one row each, from the engine's output and the records.

The table is built in two steps, so that tests can give the second any data:

- :func:`load_inputs` reads what the table needs in a handful of queries (the
  register, when each quarter's return was first received, the escalation
  stages) and the engine's indicators of every contract (``all_indicators``);
- :func:`portfolio_rows` shapes them into one row per contract.

No Streamlit here; the page caches :func:`portfolio_table` by database URL and data version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

import formats as fmt
from models.catalogue import CONTRACT_VALUE
from models.periods import Quarter
from models.schema import Contract, EscalationChange, Provider, Submission
from models.states import EscalationStage

#: The table's columns, in the words a council officer uses (numbers stay numbers, so they sort).
REFERENCE = "Reference"
TITLE = "Title"
PROVIDER = "Provider"
TYPE = "Type"
COMMISSIONER = "Commissioner"
LATEST = "Latest quarter"
RED, AMBER, GREEN = "Red", "Amber", "Green"
RETURN_DUE = "Last quarter due"
RETURN = "Its return"
SPEND = "Spend against value, year to date"
DAYS_LEFT = "Days to end of term"
STAGE = "Escalation stage"
OVERVIEW = "Overview"
COLUMNS = [REFERENCE, TITLE, PROVIDER, TYPE, COMMISSIONER, LATEST, RED, AMBER, GREEN, RETURN_DUE,
           RETURN, SPEND, DAYS_LEFT, STAGE, OVERVIEW]

#: What the return column says when no quarter of the term has finished yet.
NONE_DUE = "none due yet"
#: The stage of a contract with no recorded change (``records.escalation.DEFAULT_STAGE``).
_ROUTINE = EscalationStage.ROUTINE.value


_CONTRACT_COLUMNS = ["contract", "title", "provider", "commissioner", "contract_type", "start_date",
                     "end_date", "annual_value"]


@dataclass(frozen=True)
class Inputs:
    """Everything :func:`portfolio_rows` reads."""

    #: One row per contract: ``contract, title, provider, commissioner, contract_type,
    #: start_date, end_date`` (the term in force: ended, extended or initial), ``annual_value``.
    contracts: pd.DataFrame
    #: The engine's table for every contract (``indicators.engine.all_indicators``).
    indicators: pd.DataFrame
    #: One row per contract and quarter held: ``contract, year, quarter, received_at``
    #: (when its first version was stored).
    received: pd.DataFrame
    #: The escalation stage in force, by contract reference (contracts with none are routine).
    stages: dict[str, str]
    #: The type's title, by type name.
    type_titles: dict[str, str]
    #: The indicator of spend against the pro-rata contract value, by type name (types with one).
    spend_indicators: dict[str, str]
    #: The return of each contract's latest quarter ended, by its deadline
    #: (``alerts.deadlines.latest_status``: what the reminders and the Returns calendar say).
    returns: pd.DataFrame


def _frame(engine: Engine, statement, columns: list[str]) -> pd.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=columns)


def spend_indicator(catalogue) -> str | None:
    """The type's indicator whose denominator is the pro-rata contract value (None when it has none)."""
    return next((i.code for i in catalogue.indicators if i.denominator == CONTRACT_VALUE), None)


def load_inputs(engine: Engine, today: date | None = None) -> Inputs:
    """Read the portfolio's inputs as on ``today``: a few queries and the engine over every contract.

    Raises ``models.contract_types.ContractTypeError`` when a contract's type file is faulty.
    """
    from alerts.deadlines import latest_status
    from indicators.engine import all_indicators
    from models.contract_types import get_type

    contracts = _frame(engine, select(
        Contract.reference, Contract.title, Provider.name, Contract.commissioner,
        Contract.contract_type, Contract.start_date, Contract.ended_on, Contract.extended_end_date,
        Contract.initial_end_date, Contract.annual_value)
        .join(Provider, Provider.id == Contract.provider_id).order_by(Contract.reference),
        ["contract", "title", "provider", "commissioner", "contract_type", "start_date", "ended_on",
         "extended_end_date", "initial_end_date", "annual_value"])
    contracts["end_date"] = [ended or extended or initial for ended, extended, initial in zip(
        contracts["ended_on"], contracts["extended_end_date"], contracts["initial_end_date"], strict=True)]
    received = _frame(engine, select(
        Contract.reference, Submission.year, Submission.quarter, func.min(Submission.uploaded_at))
        .join(Contract, Contract.id == Submission.contract_id)
        .group_by(Contract.reference, Submission.year, Submission.quarter),
        ["contract", "year", "quarter", "received_at"])
    # The latest change of stage of each contract: by its date, then by when it was recorded.
    changes = _frame(engine, select(Contract.reference, EscalationChange.stage)
                     .join(Contract, Contract.id == EscalationChange.contract_id)
                     .order_by(Contract.reference, EscalationChange.changed_on, EscalationChange.id),
                     ["contract", "stage"])
    stages = dict(zip(changes["contract"], changes["stage"], strict=True))   # the last one of each wins
    catalogues = {name: get_type(name) for name in contracts["contract_type"].unique()}
    return Inputs(
        contracts=contracts[_CONTRACT_COLUMNS], indicators=all_indicators(engine), received=received,
        stages=stages, type_titles={name: c.title for name, c in catalogues.items()},
        spend_indicators={name: code for name, c in catalogues.items()
                          if (code := spend_indicator(c)) is not None},
        returns=latest_status(engine, today or date.today()).set_index("contract"))


def overview_link(reference: str, quarter: Quarter | None) -> str:
    """The Overview of ``reference`` at ``quarter``, as a link relative to the dashboard's address
    (the query parameters ``dashboard.state`` reads when a session opens)."""
    from urllib.parse import urlencode

    params = {"contract": reference}
    if quarter is not None:
        params["quarter"] = f"{quarter.fiscal_year.replace('/', '-')}-Q{quarter.quarter}"
    return "overview?" + urlencode(params)


def portfolio_rows(inputs: Inputs, today: date) -> pd.DataFrame:
    """One row per contract: columns :data:`COLUMNS` plus ``type_name`` and ``latest_period``.

    Counts of red, amber and green are of the indicators with a target in the
    latest quarter held (quarter basis, as the Overview counts them); spend is the
    type's spend indicator on the year to date at that quarter, in percent of the
    pro-rata value (blank when the type has none or the return left it blank).
    """
    contracts = inputs.contracts
    if contracts.empty:
        return pd.DataFrame(columns=[*COLUMNS, "type_name", "latest_period"])
    received = inputs.received
    periods = received["year"].astype(int) * 4 + received["quarter"].astype(int) - 1 \
        if len(received) else pd.Series(dtype="int64")
    latest = (pd.Series(periods.to_numpy(), index=received["contract"].to_numpy()).groupby(level=0).max()
              if len(received) else pd.Series(dtype="int64"))

    table = inputs.indicators
    counts = pd.DataFrame(columns=["red", "amber", "green"])
    spend = pd.Series(dtype=float)
    if len(table):
        at_latest = table[table["period"].to_numpy()
                          == latest.reindex(table["contract"]).to_numpy(dtype=float)]
        quarter_rows = at_latest[(at_latest["basis"] == "quarter") & at_latest["target"].notna()]
        counts = (quarter_rows.groupby(["contract", "rag"]).size().unstack(fill_value=0)
                  .reindex(columns=["red", "amber", "green"], fill_value=0))
        wanted = contracts["contract_type"].map(inputs.spend_indicators)
        spend_code = pd.Series(wanted.to_numpy(), index=contracts["contract"].to_numpy())
        spend_rows = at_latest[(at_latest["basis"] == "ytd")
                               & (at_latest["indicator"].to_numpy()
                                  == spend_code.reindex(at_latest["contract"]).to_numpy())]
        spend = spend_rows.set_index("contract")["value"]

    rows = []
    for c in contracts.to_dict("records"):
        ref = c["contract"]
        period = latest.get(ref)
        held = Quarter.from_index(int(period)) if period is not None and not pd.isna(period) else None
        if ref in inputs.returns.index:
            owed = inputs.returns.loc[ref]
            due_label, status = owed["period"], owed["summary"].split(": ", 1)[-1]
        else:
            due_label, status = "", NONE_DUE
        share = spend.get(ref)
        rows.append({
            REFERENCE: ref, TITLE: c["title"], PROVIDER: c["provider"],
            TYPE: inputs.type_titles.get(c["contract_type"], c["contract_type"]),
            COMMISSIONER: c["commissioner"],
            LATEST: held.label if held else "",
            RED: int(counts.at[ref, "red"]) if ref in counts.index else 0,
            AMBER: int(counts.at[ref, "amber"]) if ref in counts.index else 0,
            GREEN: int(counts.at[ref, "green"]) if ref in counts.index else 0,
            RETURN_DUE: due_label,
            RETURN: status,
            SPEND: None if share is None or pd.isna(share) else round(float(share) * 100, 1),
            DAYS_LEFT: (c["end_date"] - today).days if c["end_date"] else None,
            STAGE: inputs.stages.get(ref, _ROUTINE),
            OVERVIEW: overview_link(ref, held),
            "type_name": c["contract_type"],
            "latest_period": np.nan if held is None else held.index,
        })
    out = pd.DataFrame(rows, columns=[*COLUMNS, "type_name", "latest_period"])
    out[SPEND] = out[SPEND].astype(float)
    out[DAYS_LEFT] = out[DAYS_LEFT].astype("Int64")
    return out


def portfolio_table(engine: Engine, today: date | None = None) -> pd.DataFrame:
    """:func:`portfolio_rows` of every contract held, read from the database."""
    today = today or date.today()
    return portfolio_rows(load_inputs(engine, today), today)


def filter_portfolio(rows: pd.DataFrame, providers=(), types=(), commissioners=()) -> pd.DataFrame:
    """The rows whose provider, type and commissioner are among those chosen (none chosen: all)."""
    keep = pd.Series(True, index=rows.index)
    for column, chosen in ((PROVIDER, providers), (TYPE, types), (COMMISSIONER, commissioners)):
        if chosen:
            keep &= rows[column].isin(list(chosen))
    return rows[keep]


def choices(rows: pd.DataFrame, column: str) -> list[str]:
    """The distinct values of a column, for a filter (blanks left out), sorted."""
    return sorted({str(v) for v in rows[column] if not fmt.is_missing(v) and str(v).strip()})
