"""What the pages draw, shaped from the indicator engine's output: tables and series.

Every number comes from the engine (``indicators``) or the measures it reads;
this module only picks rows, orders them and formats them in UK style. The few
figures the engine does not give (the contract card's value to date, a
measure's year to date for a chart) are computed here in plain, tested
functions, by the same rules the engine uses.

No Streamlit here: the functions take DataFrames and the contract type's
catalogue (``models.catalogue.Catalogue``, an argument: nothing here names a
measure or an indicator) and return DataFrames or dataclasses, so that tests
and reports can call them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

import formats as fmt
from figures import summary
from indicators.engine import measure_values
from models.catalogue import CONTRACT_VALUE, Capacity, Catalogue, Indicator
from models.periods import Quarter

#: Column names of the tables, in the words a monitor uses.
QUARTER_COL = "Quarter"


def _as_quarter(value) -> Quarter:
    return value if isinstance(value, Quarter) else Quarter(int(value[0]), int(value[1]))


def _rows(indicators: pd.DataFrame, basis: str, quarter: Quarter | None = None,
          indicator: str | None = None) -> pd.DataFrame:
    rows = indicators[indicators["basis"] == basis]
    if quarter is not None:
        rows = rows[rows["period"] == quarter.index]
    if indicator is not None:
        rows = rows[rows["indicator"] == indicator]
    return rows


#: "Since last quarter" when the quarter before the chosen one is not held at all (the
#: contract's first quarter): "no data" would say the provider left a figure blank.
NO_PREVIOUS_QUARTER = "no earlier quarter"


def _previous_held(indicators: pd.DataFrame, quarter: Quarter) -> bool:
    return not _rows(indicators, "quarter", quarter.previous()).empty


def _first(rows: pd.DataFrame, column: str):
    return rows[column].iloc[0] if len(rows) else None


# --- words for numerators and denominators -------------------------------------------------


def _measure_words(catalogue: Catalogue, codes: tuple[str, ...]) -> str:
    return " + ".join(catalogue.measures_by_code[c].label for c in codes)


def numerator_words(catalogue: Catalogue, code: str, basis: str = "quarter") -> str:
    """What an indicator's numerator counts, in the catalogue's words."""
    return _measure_words(catalogue, catalogue.indicators_by_code[code].numerator_for(basis))


def denominator_words(catalogue: Catalogue, code: str) -> str:
    """What an indicator's denominator counts, in the catalogue's words ('' for a count)."""
    ind = catalogue.indicators_by_code[code]
    if ind.denominator is None:
        return ""
    if isinstance(ind.denominator, Capacity):
        return "Unit-nights available (units × days under contract − unit-nights lost)"
    if isinstance(ind.denominator, str):    # CONTRACT_VALUE, the one denominator given in words
        return "Contract value for the period (annual value, pro rata)"
    return _measure_words(catalogue, ind.denominator)


def _is_money(catalogue: Catalogue, code: str) -> bool:
    ind = catalogue.indicators_by_code[code]
    return all(catalogue.measures_by_code[c].type == "money" for c in ind.numerator)


#: ``62 of 67`` for a ratio (``figures.summary.counts_text``: the pack's rule too).
counts_text = summary.counts_text


def hover_text(catalogue: Catalogue, code: str, row: dict | pd.Series, basis: str) -> str:
    """The hover of one point: period, value, RAG, target, numerator and denominator."""
    ind = catalogue.indicators_by_code[code]
    lines = [f"<b>{fmt.period((row['year'], row['quarter']), basis)}</b>",
             f"{ind.short}: <b>{fmt.value(row['value'], ind.unit)}</b>"]
    if row.get("not_held") is True:
        return "<br>".join(lines + ["No return is held for this quarter."])
    if not fmt.is_missing(row.get("target")):
        lines[1] = f"{ind.short}: <b>{_rag_value(row, ind.unit)}</b>"
        lines.append(f"Target {fmt.target_band(row['target'], row.get('tolerance'), row.get('direction'), ind.unit)}: "
                     f"{fmt.rag(row.get('rag'), 'no data')}")
        reason = rag_reason(row, ind.unit)
        if reason:
            lines.append(reason)
    money_values = _is_money(catalogue, code)
    if ind.is_ratio:
        lines.append(f"{numerator_words(catalogue, code, basis)}: {fmt.count(row['numerator'], money_values)}")
        den_money = money_values or ind.denominator == CONTRACT_VALUE
        lines.append(f"{denominator_words(catalogue, code)}: {fmt.count(row['denominator'], den_money)}")
    if basis == "ytd" and row.get("missing_quarters"):
        lines.append(f"Not held: {row['missing_quarters']}")
    return "<br>".join(lines)


def _rag_value(row, unit: str) -> str:
    """The value beside its RAG (one decimal where the whole number would hide why)."""
    return fmt.rag_value(row["value"], unit, row.get("target"), row.get("tolerance"), row.get("direction"))


def rag_reason(row, unit: str) -> str:
    """The sentence that decides an engine row's RAG (``formats.rag_reason``), with its first
    letter as written; '' without a value or a target."""
    return fmt.rag_reason(row.get("value"), unit, row.get("target"), row.get("tolerance"), row.get("direction"))


# --- trends --------------------------------------------------------------------------------


def _with_gaps(rows: pd.DataFrame, code: str) -> pd.DataFrame:
    """Rows for the quarters between the first and last held that are not held, with no value,
    so that a chart shows the gap and a table says 'no data'."""
    if rows.empty:
        return rows.copy()
    periods = np.arange(int(rows["period"].min()), int(rows["period"].max()) + 1)
    if len(periods) == len(rows):
        return rows.reset_index(drop=True).copy()
    full = rows.set_index("period").reindex(periods)
    full.index.name = "period"
    full = full.reset_index()
    missing = full["year"].isna()
    full.loc[missing, "year"] = full.loc[missing, "period"] // 4
    full.loc[missing, "quarter"] = full.loc[missing, "period"] % 4 + 1
    full.loc[missing, "indicator"] = code
    full.loc[missing, "missing_quarters"] = ""
    full["year"] = full["year"].astype(int)
    full["quarter"] = full["quarter"].astype(int)
    full["not_held"] = missing
    return full


def trend_rows(indicators: pd.DataFrame, catalogue: Catalogue, code: str,
               basis: str = "quarter") -> pd.DataFrame:
    """One indicator over every quarter held, oldest first, ready to chart and to tabulate.

    Columns: the engine's (year, quarter, period, value, numerator, denominator,
    target, rag, months, missing_quarters …) plus ``label`` (``2016/17 Q3``) and
    ``hover`` (the point's hover text).
    """
    rows = _with_gaps(_rows(indicators, basis, indicator=code).sort_values("period"), code)
    rows["label"] = [fmt.period((y, q), basis) for y, q in zip(rows["year"], rows["quarter"], strict=True)]
    rows["hover"] = [hover_text(catalogue, code, r, basis) for r in rows.to_dict("records")]
    return rows.reset_index(drop=True)


def trend_table(rows: pd.DataFrame, catalogue: Catalogue, code: str) -> pd.DataFrame:
    """The table beside a trend chart: every value in UK format, 'no data' where missing."""
    ind = catalogue.indicators_by_code[code]
    not_held = rows["not_held"].fillna(False).astype(bool) if "not_held" in rows else \
        pd.Series(False, index=rows.index)
    records = rows.to_dict("records")
    table = pd.DataFrame({QUARTER_COL: rows["label"],
                          "Value": [_rag_value(r, ind.unit) for r in records]})
    if ind.is_ratio:
        table["Counts"] = [counts_text(catalogue, code, n, d)
                           for n, d in zip(rows["numerator"], rows["denominator"], strict=True)]
    if rows["target"].notna().any():
        table["Target"] = ["" if gap else fmt.target_band(r["target"], r.get("tolerance"), r.get("direction"),
                                                          ind.unit) if not fmt.is_missing(r["target"]) else "none"
                           for r, gap in zip(records, not_held, strict=True)]
        table["RAG"] = ["no return" if gap else fmt.rag(r, "no data") if not fmt.is_missing(t)
                        else "no target" for r, t, gap in zip(rows["rag"], rows["target"], not_held, strict=True)]
    return table


def several_trends(indicators: pd.DataFrame, catalogue: Catalogue, codes: tuple[str, ...],
                   basis: str = "quarter") -> pd.DataFrame:
    """Several indicators of one unit side by side (a page's ``trends_together`` block): long form."""
    frames = []
    for code in codes:
        rows = trend_rows(indicators, catalogue, code, basis)
        rows["series"] = catalogue.indicators_by_code[code].short
        frames.append(rows)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def several_trends_table(long: pd.DataFrame, catalogue: Catalogue, codes: tuple[str, ...]) -> pd.DataFrame:
    table = pd.DataFrame({QUARTER_COL: pd.unique(long["label"])}) if len(long) else pd.DataFrame()
    for code in codes:
        ind = catalogue.indicators_by_code[code]
        rows = long[long["indicator"] == code].set_index("label")
        table[ind.short] = [fmt.value(rows["value"].get(label), ind.unit) if label in rows.index
                            else fmt.NO_DATA for label in table[QUARTER_COL]]
    return table


# --- the overview ----------------------------------------------------------------------------


OVERVIEW_COLUMNS = ["Service", "Indicator", "Quarter", "Counts", "Target", "RAG",
                    "Change on previous quarter", "Year to date", "Variation", "Assurance"]


def overview_grid(indicators: pd.DataFrame, catalogue: Catalogue, quarter: Quarter,
                  spc: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator with a target in force for the quarter: exceptions (red, amber) first.

    ``spc``: ``indicators.spc.spc_summary`` up to the quarter (variation and
    assurance per indicator). Returns the display columns ``OVERVIEW_COLUMNS``
    plus ``indicator`` (code) and ``rag`` (raw) for styling and tests.
    """
    quarter_rows = _rows(indicators, "quarter", quarter)
    ytd_rows = _rows(indicators, "ytd", quarter).set_index("indicator")
    spc_by = spc.set_index("indicator") if spc is not None and len(spc) else None
    order = {ind.code: i for i, ind in enumerate(catalogue.indicators)}
    previous_held = _previous_held(indicators, quarter)
    records = []
    for row in quarter_rows.to_dict("records"):
        if fmt.is_missing(row["target"]):
            continue
        code, unit = row["indicator"], row["unit"]
        ytd = ytd_rows.loc[code] if code in ytd_rows.index else None
        ytd_text = fmt.NO_DATA
        if ytd is not None and not fmt.is_missing(ytd["value"]):
            ytd_text = _rag_value(ytd, unit)
            if not fmt.is_missing(ytd["rag"]):
                ytd_text += f" {fmt.rag(ytd['rag'])}"
            if ytd["missing_quarters"]:
                ytd_text += "*"
        variation = assurance = None
        if spc_by is not None and code in spc_by.index:
            variation, assurance = spc_by.at[code, "variation"], spc_by.at[code, "assurance"]
        # The indicator's summary, as the meeting pack writes it (figures.summary).
        said = summary.summarise(catalogue, code, row)
        records.append({
            "Service": row["service"],
            "Indicator": catalogue.indicators_by_code[code].short,
            "Quarter": said.value,
            "Counts": said.counts,
            "Target": said.target,
            "RAG": said.rag_text,
            "Change on previous quarter": said.change if previous_held else NO_PREVIOUS_QUARTER,
            "Year to date": ytd_text,
            "Variation": fmt.variation(variation),
            "Assurance": fmt.assurance(assurance, "not yet"),
            "indicator": code,
            "rag": row["rag"] if not fmt.is_missing(row["rag"]) else None,
            "why": said.reason,
            "_rag_order": fmt.RAG_ORDER.get(row["rag"], 3),
            "_order": order.get(code, 99),
        })
    grid = pd.DataFrame.from_records(
        records, columns=OVERVIEW_COLUMNS + ["indicator", "rag", "why", "_rag_order", "_order"])
    grid = grid.sort_values(["_rag_order", "_order"]).drop(columns=["_rag_order", "_order"])
    return grid.reset_index(drop=True)


def change_text(row, unit: str) -> str:
    """The change on the previous quarter by the one rounding rule (``figures.summary.change_text``)."""
    return summary.change_text(row, unit)


def rag_counts(grid: pd.DataFrame) -> dict[str, int]:
    """How many indicators are red, amber, green and without data in a grid."""
    counts = grid["rag"].fillna("no data").value_counts()
    return {key: int(counts.get(key, 0)) for key in ("red", "amber", "green", "no data")}


KEY_FIGURE_COLUMNS = ["Service", "Figure", "Quarter", "Year to date", "Change on previous quarter"]


def key_figures(indicators: pd.DataFrame, measures: pd.DataFrame, catalogue: Catalogue,
                quarter: Quarter) -> pd.DataFrame:
    """The counts behind the quarter (people served, women and children resident, the funnel…).

    Rows of the catalogue's ``key_figures`` (by service; together with the grid they
    hold every figure of the council's quarterly report): an indicator's value from
    the engine, or a measure's value (its year to date by the catalogue's
    aggregation). Columns ``KEY_FIGURE_COLUMNS`` plus ``code``.
    """
    quarter_rows = _rows(indicators, "quarter", quarter).set_index("indicator")
    ytd_rows = _rows(indicators, "ytd", quarter).set_index("indicator")
    measure_codes = tuple(code for _, codes in catalogue.key_figures for code in codes
                          if code in catalogue.measures_by_code)
    each_quarter = measure_series(measures, catalogue, measure_codes, "quarter")
    by_quarter = at_quarter(each_quarter, quarter)
    by_ytd = at_quarter(measure_series(measures, catalogue, measure_codes, "ytd"), quarter)
    previous = at_quarter(each_quarter, quarter.previous())
    previous_held = _previous_held(indicators, quarter)
    records = []
    for service, codes in catalogue.key_figures:
        for code in codes:
            if code in catalogue.indicators_by_code:
                ind = catalogue.indicators_by_code[code]
                row = quarter_rows.loc[code] if code in quarter_rows.index else None
                ytd = ytd_rows.loc[code] if code in ytd_rows.index else None
                records.append({
                    "Service": service, "Figure": ind.label,
                    "Quarter": fmt.value(row["value"], ind.unit) if row is not None else fmt.NO_DATA,
                    "Year to date": fmt.value(ytd["value"], ind.unit) if ytd is not None else fmt.NO_DATA,
                    "Change on previous quarter": NO_PREVIOUS_QUARTER if not previous_held
                    else change_text(row, ind.unit) if row is not None else fmt.NO_DATA,
                    "code": code})
            else:
                measure = catalogue.measures_by_code[code]
                now, before = by_quarter.get(code), previous.get(code)
                difference = None if now is None or before is None else now - before
                records.append({
                    "Service": service, "Figure": measure.label,
                    "Quarter": fmt.count(now, measure.type == "money"),
                    "Year to date": fmt.count(by_ytd.get(code), measure.type == "money"),
                    "Change on previous quarter": fmt.change(difference, "people") if previous_held
                    else NO_PREVIOUS_QUARTER,
                    "code": code})
    return pd.DataFrame.from_records(records, columns=KEY_FIGURE_COLUMNS + ["code"])


# --- the contract card -----------------------------------------------------------------------


@dataclass(frozen=True)
class ContractCard:
    reference: str
    title: str
    provider: str
    commissioner: str
    start: date | None
    initial_end: date | None
    extended_end: date | None
    #: Days from the end of the chosen quarter to the end of the term in force.
    days_left: int | None
    #: True when the term in force has ended by ``today``.
    ended: bool
    annual_value: float | None
    #: The contract value from the start to the end of the chosen quarter.
    value_to_date: float | None
    #: Spend reported from the start to the end of the chosen quarter (quarters held).
    spend_to_date: float | None
    #: Spend to date against the contract value of the quarters whose spend is reported
    #: (like with like when a quarter is missing): the engine's spend indicator, summed.
    spend_share: float | None
    #: Quarters under contract up to the chosen one, and those with spend reported.
    quarters_due: int
    quarters_reported: int
    quarter: Quarter

    @property
    def end(self) -> date | None:
        return self.extended_end or self.initial_end

    @property
    def quarters_missing(self) -> int:
        return max(0, self.quarters_due - self.quarters_reported)


def _to_date(value) -> date | None:
    if fmt.is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def quarters_under_contract(start: date | None, quarter: Quarter) -> int:
    """Quarters from the one the contract started in to ``quarter``, each counted whole."""
    if start is None:
        return 0
    return max(0, quarter.index - Quarter.containing(start).index + 1)


def value_to_date(annual_value: float | None, start: date | None, quarter: Quarter) -> float | None:
    """The contract value from the start to the end of ``quarter``: a quarter of the annual
    value for each quarter under contract.

    Quarters count whole, as in the engine's spend denominator (``CONTRACT_VALUE``):
    a return covers a whole quarter, including a part quarter at the start of the term.
    """
    if annual_value is None or fmt.is_missing(annual_value) or start is None:
        return None
    return float(annual_value) * quarters_under_contract(start, quarter) / 4


def spend_indicator(catalogue: Catalogue) -> Indicator | None:
    """The indicator of spend against the contract value (its denominator is the pro-rata
    value), or None for a type that reports no spend."""
    return next((i for i in catalogue.indicators if i.denominator == CONTRACT_VALUE), None)


def contract_card(details: dict, indicators: pd.DataFrame, catalogue: Catalogue, quarter: Quarter,
                  today: date | None = None) -> ContractCard:
    """The contract card of the overview, as of the end of ``quarter``."""
    today = today or date.today()
    start = _to_date(details.get("start_date"))
    initial_end = _to_date(details.get("initial_end_date"))
    extended_end = _to_date(details.get("extended_end_date"))
    end = extended_end or initial_end
    given = details.get("annual_value")
    annual = None if given is None or fmt.is_missing(given) else float(given)

    spending = spend_indicator(catalogue)
    spend = _rows(indicators, "quarter", indicator=spending.code) if spending else indicators.iloc[0:0]
    spend = spend[(spend["period"] <= quarter.index) & spend["numerator"].notna()]
    spent = float(spend["numerator"].sum()) if len(spend) else None
    value_reported = float(spend["denominator"].sum()) if len(spend) else None
    return ContractCard(
        reference=str(details.get("contract", "")), title=str(details.get("title") or ""),
        provider=str(details.get("provider") or ""), commissioner=str(details.get("commissioner") or ""),
        start=start, initial_end=initial_end, extended_end=extended_end,
        days_left=(end - quarter.end).days if end else None,
        ended=bool(end and end < today),
        annual_value=annual,
        value_to_date=value_to_date(annual, start, quarter),
        spend_to_date=spent,
        spend_share=spent / value_reported if spent is not None and value_reported else None,
        quarters_due=quarters_under_contract(start, quarter),
        quarters_reported=len(spend),
        quarter=quarter,
    )


# --- measures for charts -------------------------------------------------------------------


def measure_series(measures: pd.DataFrame, catalogue: Catalogue, codes: tuple[str, ...],
                   basis: str = "quarter") -> pd.DataFrame:
    """Measures of one contract per quarter held, one column per code, oldest first.

    On the ``ytd`` basis each measure combines by its catalogue aggregation, by the
    engine's own rule (``indicators.engine.measure_values``).
    Columns: year, quarter, period, label, codes….
    """
    if measures.empty:
        return pd.DataFrame(columns=["year", "quarter", "period", "label", *codes])
    # A measure its quarter's template version did not hold is NaN: shown as no data.
    wide = measure_values(measures, catalogue, basis).set_index(["year", "quarter"]).reindex(
        columns=list(codes))
    # Every quarter from the first held to the last: a quarter not held shows as a gap.
    first, last = wide.index[0][0] * 4 + wide.index[0][1] - 1, wide.index[-1][0] * 4 + wide.index[-1][1] - 1
    every = pd.MultiIndex.from_tuples([(p // 4, p % 4 + 1) for p in range(first, last + 1)],
                                      names=["year", "quarter"])
    wide = wide.reindex(every)
    wide = wide.reset_index()
    wide["period"] = wide["year"] * 4 + wide["quarter"] - 1
    wide["label"] = [fmt.period((y, q), basis) for y, q in zip(wide["year"], wide["quarter"], strict=True)]
    return wide[["year", "quarter", "period", "label", *codes]].reset_index(drop=True)


def measures_table(series: pd.DataFrame, catalogue: Catalogue, codes: tuple[str, ...],
                   names: dict[str, str] | None = None) -> pd.DataFrame:
    """The table beside a measures chart: one column per measure, 'no data' where blank."""
    names = names or {}
    table = pd.DataFrame({QUARTER_COL: series["label"]})
    for code in codes:
        measure = catalogue.measures_by_code[code]
        table[names.get(code, measure.label)] = [fmt.count(v, measure.type == "money") for v in series[code]]
    return table


def at_quarter(series: pd.DataFrame, quarter: Quarter) -> dict[str, float | None]:
    """One row of a measure series as ``code -> value`` (None when not held or blank)."""
    row = series[series["period"] == quarter.index]
    codes = [c for c in series.columns if c not in ("year", "quarter", "period", "label")]
    if row.empty:
        return {c: None for c in codes}
    return {c: (None if fmt.is_missing(row[c].iloc[0]) else float(row[c].iloc[0])) for c in codes}


def breakdown_table(values: dict[str, float | None], total: float | None, names: dict[str, str],
                    total_name: str) -> pd.DataFrame:
    """Counts with their share of a total (outcomes of closed cases or leavers)."""
    rows = []
    for code, name in names.items():
        value = values.get(code)
        share = None if value is None or not total else value / total
        rows.append({"Outcome": name, "People": fmt.whole(value), f"Share of {total_name}": fmt.percent(share),
                     "value": value, "share": share})
    return pd.DataFrame(rows)


def spend_series(measures: pd.DataFrame, indicators: pd.DataFrame, catalogue: Catalogue, code: str,
                 basis: str = "quarter") -> pd.DataFrame:
    """The money measures an indicator of spend adds up, per quarter held, with its total, the
    pro-rata contract value (its denominator), their ratio and RAG."""
    codes = tuple(catalogue.indicators_by_code[code].numerator)
    series = measure_series(measures, catalogue, codes, basis)
    spend = _rows(indicators, basis, indicator=code).set_index("period")
    series["contract_value"] = series["period"].map(spend["denominator"]).astype(float)
    series["total"] = series["period"].map(spend["numerator"]).astype(float)
    series["share"] = series["period"].map(spend["value"]).astype(float)
    series["rag"] = series["period"].map(spend["rag"])
    return series


def spend_table(series: pd.DataFrame, catalogue: Catalogue, code: str,
                names: dict[str, str] | None = None) -> pd.DataFrame:
    """The table beside the spend chart: each part of the spend, the total, the value and RAG."""
    codes = tuple(catalogue.indicators_by_code[code].numerator)
    table = measures_table(series, catalogue, codes, names)
    table["Total spend"] = [fmt.money(v) for v in series["total"]]
    table["Contract value (pro rata)"] = [fmt.money(v) for v in series["contract_value"]]
    table["Spend against value"] = [fmt.percent(v) for v in series["share"]]
    table["RAG"] = [fmt.rag(r, "no data") for r in series["rag"]]
    return table


def funnel_table(values: dict[str, float | None], stages: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """Each funnel stage with its share of the first stage and of the stage before."""
    rows = []
    first = values.get(stages[0][0]) if stages else None
    before = None
    for code, name in stages:
        value = values.get(code)
        rows.append({
            "Stage": name, "People": fmt.whole(value),
            "Share of the first stage": fmt.percent(None if value is None or not first else value / first),
            "Share of the stage before": fmt.percent(None if value is None or not before else value / before)
            if before is not None else "",
        })
        before = value if value is not None else 0
    return pd.DataFrame(rows)


def missing_in_year(indicators: pd.DataFrame, quarter: Quarter) -> str:
    """The quarters of the year to date at ``quarter`` that are due but not held (``"Q2"``), or ''."""
    rows = _rows(indicators, "ytd", quarter)
    if rows.empty:
        return ""
    return str(rows["missing_quarters"].iloc[0] or "")


def missing_note(indicators: pd.DataFrame, quarter: Quarter) -> str | None:
    """A sentence saying which quarters a year to date lacks, or None when it is complete."""
    missing = missing_in_year(indicators, quarter)
    if not missing:
        return None
    return (f"The year to date {fmt.period(quarter, 'ytd')} lacks {missing}: no return is held "
            "for it, so its figures are not counted.")
