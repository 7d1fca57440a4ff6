"""The indicator engine: every catalogue indicator, per contract and quarter, on two bases.

Driven entirely by the contract type's catalogue (``models.catalogue.Catalogue``,
passed as an argument): each indicator's numerator and denominator are sums of
measures, or one of the two special denominators (a :class:`Capacity` of units,
``CONTRACT_VALUE``). The work is vectorised over contracts
and quarters: the measures are pivoted to one row per contract and quarter held,
and each indicator is a few column operations on that frame.

Bases
-----
``quarter``
    The quarter on its own.
``ytd``
    Year to date at quarter q of a financial year: quarters 1..q of that year
    held for the contract. Measures combine by their catalogue aggregation:
    ``flow`` sums, ``stock`` and ``ytd`` take the latest quarter (the row
    itself), ``quarter`` has no year-to-date meaning (no value). A flow missing
    in any quarter of the year to date gives no value.

Partial year to date
    ``missing_quarters`` names the quarters 1..q-1 of the year that lie within
    the contract term but are not held (``"Q2"``, ``"Q1, Q2"``). Quarters before
    the contract started (2014/15 Q1 for a contract starting 1 September 2014)
    or after it ended are not missing: they were never due.

Special denominators
    A return reports a whole quarter, so both count whole quarters held:

    - a :class:`Capacity` = units × days − the unit-nights lost, where days are
      the days of the quarter, and a year to date sums the days of its quarters
      held (the units are a stock: their latest value; the nights lost a flow: summed).
    - ``CONTRACT_VALUE`` = annual value × quarters / 4, where quarters are the
      quarters held in the period (1 for a quarter; for a year to date, the
      quarters whose spend is summed, so a partial year to date compares like
      with like).

    A part quarter at either end of the term (2014/15 Q2 for a contract that
    started on 1 September 2014) also counts whole: its return covers the whole
    quarter (the sample's first return does: the services carried on from the
    previous arrangement), and the checks bound the nights occupied by the whole quarter's days.
    Pro-rating by days within the term would set a quarter's nights and spend
    against one month's capacity and value (the sample's 2014/15 Q2 would read
    289% occupancy and 305% spend).

No value
    A zero denominator or a missing measure gives NaN ("no data"), never zero.
    A measure that a quarter's template version did not hold (one added in a
    later version) is missing in that quarter, so it too gives "no data".

Contracts of several types
    :func:`compute_indicators` computes one catalogue's indicators.
    :func:`all_indicators` and :func:`indicators_for` read each contract's type
    from the database, compute each type's contracts with its own catalogue and
    put the results together in one frame (same columns, same order).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.catalogue import (
    BASES,
    CONTRACT_VALUE,
    DAYS_PER_MONTH,
    Capacity,
    Catalogue,
    Indicator,
)
from models.periods import fiscal_year_label
from models.states import Trend

from .periods import as_days, days_in_term
from .targets import lookup_targets
from .targets import rag as rate

#: Columns of ``compute_indicators``' result, in order.
COLUMNS = [
    "contract", "service", "indicator", "label", "short", "year", "fiscal_year", "quarter",
    "period", "basis", "value", "numerator", "denominator", "unit", "better", "months",
    "target", "tolerance", "direction", "rag", "missing_quarters",
    "previous_value", "change_previous", "year_before_value", "change_year",
    "trend_previous", "trend_year",
]

IMPROVING, WORSENING, NO_CHANGE = Trend.IMPROVING.value, Trend.WORSENING.value, Trend.NO_CHANGE.value


# --- the frame of measures: one row per contract and quarter held -----------------------


def _terms(contract_names: np.ndarray, contracts: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """Start, end and annual value of each contract in ``contract_names`` (NaT / NaN when unknown)."""
    n = len(contract_names)
    if contracts is None or contracts.empty:
        return {"start": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
                "end": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
                "annual_value": np.full(n, np.nan)}
    c = contracts.drop_duplicates("contract", keep="last")
    end = c["extended_end_date"] if "extended_end_date" in c.columns else pd.Series(None, index=c.index)
    end = end.where(end.notna(), c["initial_end_date"])
    position = pd.Index(c["contract"].astype(str).to_numpy(dtype=object)).get_indexer(contract_names)
    known = position >= 0

    def pick(values: np.ndarray, missing) -> np.ndarray:
        out = np.full(n, missing, dtype=values.dtype)
        out[known] = values[position[known]]
        return out

    return {"start": pick(as_days(c["start_date"]), np.datetime64("NaT")),
            "end": pick(as_days(end), np.datetime64("NaT")),
            "annual_value": pick(pd.to_numeric(c["annual_value"], errors="coerce")
                                 .to_numpy(dtype=float), np.nan)}


def _group_cumsum(values: np.ndarray, first_row: np.ndarray) -> np.ndarray:
    """Cumulative sums down the rows, restarting at each group's first row (rows grouped)."""
    total = np.cumsum(values, axis=0)
    before = np.where((first_row > 0)[:, None] if values.ndim == 2 else first_row > 0,
                      total[np.maximum(first_row - 1, 0)], 0.0)
    return total - before


class _Frame:
    """The measures pivoted to one row per contract and quarter held (sorted by contract,
    then quarter), with everything the indicators need on both bases, as numpy arrays."""

    _PERIOD_SPAN = 1 << 20      # contract code × span + period: one integer key per row

    def __init__(self, measures: pd.DataFrame, contracts: pd.DataFrame | None, catalogue: Catalogue):
        codes = [m.code for m in catalogue.measures]
        contract_code, names = pd.factorize(measures["contract"].astype(str), sort=True)
        period = (measures["year"].to_numpy(dtype=np.int64) * 4
                  + measures["quarter"].to_numpy(dtype=np.int64) - 1)
        keys, row = np.unique(contract_code * self._PERIOD_SPAN + period, return_inverse=True)
        self.column = {code: i for i, code in enumerate(codes)}
        # Factorise the codes first: mapping a few dozen distinct codes beats mapping every row.
        code_index, distinct = pd.factorize(measures["code"])
        column = np.array([self.column.get(c, -1) for c in distinct], dtype=np.int64)[code_index]
        known = column >= 0        # codes outside the catalogue are not the indicators' business
        row, column = row[known], column[known]
        cells = row * len(codes) + column
        if len(cells) and np.bincount(cells).max() > 1:
            raise ValueError("measures hold a code twice for one contract and quarter: "
                             "pass only the current version of each submission")
        quarter_values = np.full((len(keys), len(codes)), np.nan)
        quarter_values[row, column] = measures["value"].to_numpy(dtype=float)[known]

        self.keys_array = keys
        self.contract_code = (keys // self._PERIOD_SPAN).astype(np.int64)
        self.contract_names = np.asarray(names, dtype=object)
        self.period = (keys % self._PERIOD_SPAN).astype(np.int64)
        self.year = self.period // 4
        self.quarter = self.period % 4 + 1
        n = len(keys)

        terms = _terms(self.contract_names, contracts)
        self.start = terms["start"][self.contract_code]
        self.end = terms["end"][self.contract_code]
        self.annual_value = terms["annual_value"][self.contract_code]
        days, _ = days_in_term(self.year, self.quarter, self.start, self.end)

        # Year-to-date groups: one contract, one financial year. Rows are sorted, so each
        # group is a block; first_row is the block's first row for every row.
        group = self.contract_code * 10_000 + self.year
        is_first = np.r_[True, group[1:] != group[:-1]]
        first_row = np.maximum.accumulate(np.where(is_first, np.arange(n), 0))

        # Flows sum over the quarters held so far this year; one blank makes the sum unknown.
        ytd_values = quarter_values.copy()
        flows = [self.column[m.code] for m in catalogue.measures if m.aggregation == "flow"]
        flow_values = quarter_values[:, flows]
        sums = _group_cumsum(np.nan_to_num(flow_values, nan=0.0), first_row)
        blanks = _group_cumsum(np.isnan(flow_values).astype(float), first_row)
        ytd_values[:, flows] = np.where(blanks > 0, np.nan, sums)
        ytd_values[:, [self.column[m.code] for m in catalogue.measures
                       if m.aggregation == "quarter"]] = np.nan
        self.values = {"quarter": quarter_values, "ytd": ytd_values}

        # Whole quarters: see "Special denominators" above.
        self.days = {"quarter": days.astype(float),
                     "ytd": _group_cumsum(days.astype(float), first_row)}
        self.quarters = {"quarter": np.ones(n), "ytd": _group_cumsum(np.ones(n), first_row)}

        self.previous_row = self.row_of(self.contract_code, self.period - 1)
        self.year_before_row = self.row_of(self.contract_code, self.period - 4)
        self.missing_quarters = self._missing_quarters()

    def __len__(self) -> int:
        return len(self.keys_array)

    def row_of(self, contract_code: np.ndarray, period: np.ndarray) -> np.ndarray:
        """The row holding each (contract, period), or -1 when that quarter is not held."""
        wanted = contract_code * self._PERIOD_SPAN + period
        position = np.searchsorted(self.keys_array, wanted)
        position = np.minimum(position, len(self.keys_array) - 1)
        return np.where(self.keys_array[position] == wanted, position, -1)

    def _missing_quarters(self) -> np.ndarray:
        """Quarters 1..q-1 of each row's year, within the term, that are not held."""
        text = np.full(len(self), "", dtype=object)
        for earlier in (1, 2, 3):
            earlier_q = np.full(len(self), earlier)
            _, within = days_in_term(self.year, earlier_q, self.start, self.end)
            held = self.row_of(self.contract_code, self.year * 4 + earlier - 1) >= 0
            lacking = (earlier < self.quarter) & (within > 0) & ~held
            label = f"Q{earlier}"
            text = np.where(lacking, np.where(text == "", label, text + ", " + label), text)
        return text

    def total(self, codes: tuple[str, ...], basis: str) -> np.ndarray:
        """The sum of measures on a basis; unknown if any of them is unknown.

        Rounded to 6 decimals: measures have at most 2 (pence), so this only takes
        away floating-point noise (130751.50000000001 is 130751.5).
        """
        columns = [self.column[code] for code in codes]
        return np.round(self.values[basis][:, columns].sum(axis=1), 6)

    def denominator(self, indicator: Indicator, basis: str) -> np.ndarray:
        den = indicator.denominator
        if den is None:
            return np.full(len(self), np.nan)
        if isinstance(den, Capacity):
            values = self.values[basis]
            units = values[:, self.column[den.units]]
            lost = self.total(den.less, basis) if den.less else 0.0
            return units * self.days[basis] - lost
        if den == CONTRACT_VALUE:
            return self.annual_value * self.quarters[basis] / 4
        if isinstance(den, tuple):
            return self.total(den, basis)
        raise ValueError(f"{indicator.code}: unknown denominator {den!r}")


def measure_values(measures: pd.DataFrame, catalogue: Catalogue, basis: str = "quarter") -> pd.DataFrame:
    """Every measure of ``catalogue`` per contract and quarter held, on a basis.

    On ``ytd`` each measure combines by its catalogue aggregation exactly as the
    indicators do (flows sum the quarters held so far this year, one blank making
    the sum unknown; stocks and ytd measures take the quarter; ``quarter`` measures
    have no year-to-date value). Columns: contract, year, quarter, period, then one
    column per measure code of the catalogue (codes of other types are left out; a
    measure its quarter's template version did not hold is NaN); sorted by contract
    then quarter.
    """
    codes = [m.code for m in catalogue.measures]
    columns = ["contract", "year", "quarter", "period", *codes]
    if measures is None or measures.empty:
        return pd.DataFrame(columns=columns)
    frame = _Frame(measures, None, catalogue)
    out = pd.DataFrame(frame.values[basis], columns=codes)
    out.insert(0, "contract", frame.contract_names[frame.contract_code])
    out.insert(1, "year", frame.year)
    out.insert(2, "quarter", frame.quarter)
    out.insert(3, "period", frame.period)
    return out


# --- trends ---------------------------------------------------------------------------


def _shifted(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``values`` at other rows (NaN where the row is -1: that quarter is not held)."""
    out = np.full(values.shape, np.nan)
    ok = rows >= 0
    out[ok] = values[rows[ok]]
    return out


def trend(change, better: str) -> np.ndarray:
    """"improving" / "worsening" / "no change" / None for each change, by the better direction."""
    change = np.asarray(change, dtype=float)
    sign = np.sign(change) * (1 if better == "higher" else -1)
    out = np.full(change.shape, None, dtype=object)
    known = ~np.isnan(change)
    out[known & (np.abs(change) < 1e-12)] = NO_CHANGE
    out[known & (np.abs(change) >= 1e-12) & (sign > 0)] = IMPROVING
    out[known & (np.abs(change) >= 1e-12) & (sign < 0)] = WORSENING
    return out


# --- the public function -------------------------------------------------------------


_INTEGER_COLUMNS = {"year", "quarter", "period"}
_NUMBER_COLUMNS = {"value", "numerator", "denominator", "months", "target", "tolerance",
                   "previous_value", "change_previous", "year_before_value", "change_year"}


def empty_indicators() -> pd.DataFrame:
    """No rows, but the columns and their types, so that callers need no special case."""
    return pd.DataFrame({c: pd.Series(dtype="int64" if c in _INTEGER_COLUMNS
                                      else float if c in _NUMBER_COLUMNS else object)
                         for c in COLUMNS})


def compute_indicators(measures: pd.DataFrame, contracts: pd.DataFrame | None,
                       targets: pd.DataFrame | None, catalogue: Catalogue) -> pd.DataFrame:
    """Every indicator of ``catalogue`` for every contract and quarter held, on both bases.

    ``measures``: columns contract, year, quarter, code, value (NaN = not
    reported), one row per code of the current version of each quarter
    (``indicators.data.load_measures``). ``contracts``: columns contract,
    start_date, initial_end_date, extended_end_date, annual_value (for the
    special denominators; without it, contract-value indicators have no value
    and the term is unbounded). ``targets``: ``indicators.data.load_targets``.
    ``catalogue``: the contracts' type (every contract in ``measures`` of that type).

    One row per contract, indicator, quarter held and basis; columns ``COLUMNS``.
    Sorted by contract, indicator (catalogue order), period, basis.
    """
    if measures is None or measures.empty:
        return empty_indicators()
    indicators = catalogue.indicators
    if not indicators:
        return empty_indicators()
    frame = _Frame(measures, contracts, catalogue)
    n = len(frame)
    quarters = frame.quarter
    # The previous quarter of the same financial year, for the year-to-date basis.
    previous_same_year = np.where(quarters > 1, frame.previous_row, -1)

    # Numbers per (indicator, basis) block; text is added once at the end from integer codes,
    # which keeps pandas from converting hundreds of thousands of strings one by one.
    numbers: dict[str, list[np.ndarray]] = {k: [] for k in (
        "value", "numerator", "denominator", "previous_value", "year_before_value")}
    trends: dict[str, list[np.ndarray]] = {"trend_previous": [], "trend_year": []}
    for ind in indicators:
        for basis in BASES:
            numerator = frame.total(ind.numerator_for(basis), basis)
            denominator = frame.denominator(ind, basis)
            if ind.is_ratio:
                with np.errstate(divide="ignore", invalid="ignore"):
                    value = np.where(denominator != 0, numerator / denominator, np.nan)
            else:
                value = numerator
            if basis == "quarter":
                previous = _shifted(value, frame.previous_row)
            elif ind.is_ratio:
                # A year-to-date ratio against the one a quarter earlier in the same year;
                # a count's year to date only grows, so that comparison says nothing.
                previous = _shifted(value, previous_same_year)
            else:
                previous = np.full(n, np.nan)
            year_before = _shifted(value, frame.year_before_row)
            for key, column in (("value", value), ("numerator", numerator),
                                ("denominator", denominator), ("previous_value", previous),
                                ("year_before_value", year_before)):
                numbers[key].append(column)
            trends["trend_previous"].append(trend(value - previous, ind.better))
            trends["trend_year"].append(trend(value - year_before, ind.better))

    blocks = len(indicators) * len(BASES)
    row = np.tile(np.arange(n), blocks)                      # row of the pivoted frame
    indicator = np.repeat(np.arange(len(indicators)), len(BASES) * n)
    basis_of = np.tile(np.repeat(np.arange(len(BASES)), n), len(indicators))   # index into BASES
    contract_code, contract_names = frame.contract_code, frame.contract_names
    # The pivoted frame is sorted by contract then period, so its row order is period order.
    order = np.lexsort((basis_of, row, indicator, contract_code[row]))
    row, indicator, basis_of = row[order], indicator[order], basis_of[order]

    def text(values) -> pd.Series:
        return pd.Series(np.asarray(values, dtype=object), dtype=object, copy=False)

    def take(values, codes) -> pd.Series:
        return text(np.asarray(values, dtype=object)[codes])

    years = frame.year
    first = int(years.min())
    fiscal_names = [fiscal_year_label(y) for y in range(first, int(years.max()) + 1)]
    result = pd.DataFrame({
        "contract": take(contract_names, contract_code[row]),
        "service": take([i.service for i in indicators], indicator),
        "indicator": take([i.code for i in indicators], indicator),
        "label": take([i.label for i in indicators], indicator),
        "short": take([i.short for i in indicators], indicator),
        "year": years[row],
        "fiscal_year": take(fiscal_names, years[row] - first),
        "quarter": quarters[row],
        "period": frame.period[row],
        "basis": take(BASES, basis_of),
    })
    for key, columns in numbers.items():
        result[key] = np.concatenate(columns)[order]
    result["unit"] = take([i.unit for i in indicators], indicator)
    result["better"] = take([i.better for i in indicators], indicator)
    is_days = np.array([i.unit == "days" for i in indicators])[indicator]
    result["months"] = np.where(is_days, result["value"].to_numpy() / DAYS_PER_MONTH, np.nan)
    result["missing_quarters"] = text(np.where(basis_of == BASES.index("ytd"),
                                               frame.missing_quarters[row], ""))
    result["change_previous"] = result["value"] - result["previous_value"]
    result["change_year"] = result["value"] - result["year_before_value"]
    for key, columns in trends.items():
        result[key] = text(np.concatenate(columns)[order])

    target, tolerance, direction = lookup_targets(
        targets, list(contract_names), [i.code for i in indicators], contract_code[row], indicator,
        result["period"].to_numpy(), better=[i.better for i in indicators])
    result["target"] = target
    result["tolerance"] = tolerance
    result["direction"] = text(direction)
    result["rag"] = text(rate(result["value"].to_numpy(), target, tolerance, direction))
    return result[COLUMNS]


def _by_type(engine, contracts: pd.DataFrame, contract: str | None) -> pd.DataFrame:
    """Compute the indicators of ``contracts`` type by type, each with its own catalogue.

    The frames are put together in the order :func:`compute_indicators` gives one
    catalogue's: by contract, then the catalogue's indicator order, period, basis.
    """
    from models.contract_types import get_type

    from .data import load_measures, load_targets

    if contracts.empty:
        return empty_indicators()
    measures = load_measures(engine, contract)
    targets = load_targets(engine, contract)
    frames = []
    for type_name, of_type in contracts.groupby("contract_type", sort=True):
        references = set(of_type["contract"])
        frames.append(compute_indicators(measures[measures["contract"].isin(references)], of_type,
                                         targets[targets["contract"].isin(references)],
                                         get_type(type_name)))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty_indicators()
    if len(frames) == 1:
        return frames[0]
    # Each frame is sorted already; a stable sort by contract keeps each contract's order.
    combined = pd.concat(frames, ignore_index=True)
    return combined.sort_values("contract", kind="stable", ignore_index=True)


def indicators_for(engine, contract: str) -> pd.DataFrame:
    """One contract's indicators, computed with its type's catalogue from the database."""
    from .data import load_contracts

    contracts = load_contracts(engine)
    return _by_type(engine, contracts[contracts["contract"] == contract], contract)


def all_indicators(engine, contract: str | None = None) -> pd.DataFrame:
    """Every contract's indicators (or one contract's), each by its own type, from the database.

    Raises ``models.contract_types.ContractTypeError`` when a contract's type file
    is missing or faulty.
    """
    from .data import load_contracts

    contracts = load_contracts(engine)
    if contract is not None:
        contracts = contracts[contracts["contract"] == contract]
    return _by_type(engine, contracts, contract)
