"""Blocks the service pages are made of: each draws one chart with its table beside it.

A block loads through :mod:`dashboard.cache`, shapes with :mod:`dashboard.views`,
builds the figure with :mod:`dashboard.charts` and draws with
:func:`dashboard.layout.chart_with_table`. Pages pick blocks and order them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import cache, charts, layout, views
import formats as fmt
from dashboard.state import Selection
from models.catalogue import INDICATORS_BY_CODE, MEASURES_BY_CODE
from models.periods import Quarter


def _period_label(quarter: Quarter, basis: str) -> str:
    return fmt.period(quarter, basis)


def _suffix(basis: str) -> str:
    return "each quarter" if basis == "quarter" else "year to date"


# Each block is built by a cached function of plain arguments (the database URL, data
# version, contract, quarter and the block's own) that returns the figure as a dict with
# its table and note: building a Plotly figure costs tens of milliseconds, a cached dict
# next to nothing, so a warm rerun only draws.
Built = tuple[dict, pd.DataFrame, str | None]


def _where(selection: Selection) -> tuple[str, str, str, int, int]:
    return (cache.database_url(), selection.version, selection.contract, selection.quarter.year,
            selection.quarter.quarter)


def _draw(built: Built, key: str) -> None:
    fig, table, note = built
    layout.chart_with_table(fig, table, key=key, note=note)


@cache.cached
def _trend(url: str, version: str, contract: str, year: int, quarter: int, code: str, basis: str,
           in_months: bool, title: str | None) -> Built:
    ind = INDICATORS_BY_CODE[code]
    table = cache.indicators(contract, version)
    rows = views.trend_rows(table, code, basis)
    spc = cache.spc_chart(contract, code, version) if basis == "quarter" else None
    fig = charts.trend(rows, f"{title or ind.label}, {_suffix(basis)}", ind.unit, spc=spc,
                       highlight=_period_label(Quarter(year, quarter), basis), in_months=in_months,
                       series_name=ind.short)
    note = spc_note(spc)
    if basis == "ytd" and (rows["missing_quarters"].fillna("") != "").any():
        note = ((note + " ") if note else "") + ("A year to date that lacks a quarter not held counts "
                                                 "only the quarters held.")
    return fig.to_dict(), views.trend_table(rows, code), note


def indicator_trend(selection: Selection, code: str, basis: str, *, in_months: bool = False,
                    title: str | None = None) -> None:
    """One indicator over every quarter held: target, RAG points, SPC lines, hover counts."""
    _draw(_trend(*_where(selection), code, basis, in_months, title), key=f"trend_{code}_{basis}")


def spc_note(spc) -> str | None:
    """What the grey lines of a trend are, in words."""
    if spc is None or spc.mean is None:
        return None
    points = len(spc.points)
    if spc.reliable:
        text = (f"Grey lines: the mean and process limits (XmR) of the {points} quarters with a value. "
                f"Variation at the latest quarter: {fmt.variation(spc.variation)}")
        if spc.assurance:
            text += f"; assurance: {fmt.assurance(spc.assurance)}"
        return text + "."
    return (f"Grey line: the median of the {points} quarters with a value (a run chart). "
            "Process limits appear from 12 quarters. "
            f"Variation at the latest quarter: {fmt.variation(spc.variation)}.")


@cache.cached
def _together(url: str, version: str, contract: str, year: int, quarter: int, codes: tuple[str, ...],
              basis: str, title: str) -> Built:
    long = views.several_trends(cache.indicators(contract, version), codes, basis)
    fig = charts.several_lines(long, f"{title}, {_suffix(basis)}", INDICATORS_BY_CODE[codes[0]].unit,
                               highlight=_period_label(Quarter(year, quarter), basis))
    return fig.to_dict(), views.several_trends_table(long, codes), None


def indicators_together(selection: Selection, codes: tuple[str, ...], basis: str, title: str) -> None:
    """Several indicators with the same unit on one chart (One Stop's three response measures)."""
    _draw(_together(*_where(selection), tuple(codes), basis, title), key=f"together_{codes[0]}_{basis}")


@cache.cached
def _stacked(url: str, version: str, contract: str, year: int, quarter: int, codes: tuple[str, ...],
             basis: str, title: str, names: dict[str, str], y_title: str, beside: str | None,
             stacked: bool, colours: tuple[str, ...] | None) -> Built:
    all_codes = ((beside,) if beside else ()) + codes
    series = views.measure_series(cache.measures(contract, version), all_codes, basis)
    fig = charts.stacked_bars(series, [(c, names[c]) for c in codes], f"{title}, {_suffix(basis)}",
                              y_title=y_title, highlight=_period_label(Quarter(year, quarter), basis),
                              extra_bar=(beside, names[beside]) if beside else None, stacked=stacked,
                              colours=colours)
    return fig.to_dict(), views.measures_table(series, all_codes, names), None


def measures_stacked(selection: Selection, codes: tuple[str, ...], basis: str, title: str, *,
                     names: dict[str, str] | None = None, y_title: str = "People",
                     beside: str | None = None, stacked: bool = True,
                     colours: tuple[str, ...] | None = None, key: str) -> None:
    """Measures stacked per quarter (risk change of closed cases, children by age band).

    ``beside``: a measure drawn as its own bar next to the stack (women resident).
    ``stacked=False``: side by side instead (measures that are not parts of a whole).
    """
    every = ((beside,) if beside else ()) + tuple(codes)
    names = {c: (names or {}).get(c, MEASURES_BY_CODE[c].label) for c in every}
    _draw(_stacked(*_where(selection), tuple(codes), basis, title, names, y_title, beside, stacked,
                   tuple(colours) if colours else None), key=key)


@cache.cached
def _outcomes(url: str, version: str, contract: str, year: int, quarter: int, codes: tuple[str, ...],
              total_code: str, basis: str, title: str, names: dict[str, str], total_name: str) -> Built:
    chosen = Quarter(year, quarter)
    series = views.measure_series(cache.measures(contract, version), codes + (total_code,), basis)
    values = views.at_quarter(series, chosen)
    breakdown = views.breakdown_table(values, values.get(total_code), names, total_name)
    period = _period_label(chosen, basis)
    share = f"Share of {total_name}"
    breakdown["Label"] = [f"{people} ({part})" if part != fmt.NO_DATA else people
                          for people, part in zip(breakdown["People"], breakdown[share])]
    fig = charts.horizontal_bars(breakdown, f"{title}, {period}", text_column="Label")
    note = f"{total_name.capitalize()} in {period}: {fmt.whole(values.get(total_code))}."
    if basis == "ytd":
        missing = views.missing_note(cache.indicators(contract, version), chosen)
        note = f"{note} {missing}" if missing else note
    return fig.to_dict(), breakdown[["Outcome", "People", share]], note


def outcomes(selection: Selection, codes: tuple[str, ...], total_code: str, basis: str, title: str, *,
             names: dict[str, str], total_name: str, key: str) -> None:
    """Outcomes of the chosen period as bars, each with its share of the total (closed cases, leavers)."""
    _draw(_outcomes(*_where(selection), tuple(codes), total_code, basis, title, names, total_name), key=key)


@cache.cached
def _funnel(url: str, version: str, contract: str, year: int, quarter: int,
            stages: tuple[tuple[str, str], ...], title: str) -> Built:
    chosen = Quarter(year, quarter)
    codes = tuple(code for code, _ in stages)
    values = views.at_quarter(views.measure_series(cache.measures(contract, version), codes, "ytd"), chosen)
    fig = charts.funnel([(name, values.get(code)) for code, name in stages],
                        f"{title}, {fmt.period(chosen, 'ytd')}")
    note = views.missing_note(cache.indicators(contract, version), chosen)
    return fig.to_dict(), views.funnel_table(values, stages), note


def funnel(selection: Selection, stages: tuple[tuple[str, str], ...], title: str, *, key: str) -> None:
    """A funnel of measures for the chosen year to date (Fresh Start)."""
    _draw(_funnel(*_where(selection), tuple(stages), title), key=key)


@cache.cached
def _spend(url: str, version: str, contract: str, year: int, quarter: int, basis: str) -> Built:
    series = views.spend_series(cache.measures(contract, version), cache.indicators(contract, version), basis)
    codes = INDICATORS_BY_CODE["FN-SPEND"].numerator
    names = [(c, MEASURES_BY_CODE[c].label.replace("Expenditure: ", "")) for c in codes]
    fig = charts.stacked_bars(series, names, f"Spend by service against the contract value, {_suffix(basis)}",
                              y_title="Spend", money=True, highlight=_period_label(Quarter(year, quarter), basis),
                              line=("contract_value", "Contract value (pro rata)"))
    return fig.to_dict(), views.spend_table(series), None


def spend(selection: Selection, basis: str, *, key: str = "finance_spend") -> None:
    """Spend by service per quarter against the pro-rata contract value."""
    _draw(_spend(*_where(selection), basis), key=key)


def no_data_note(selection: Selection) -> None:
    """Says what 'no data' means, once per page."""
    st.caption("'no data' means the provider left the figure blank or a quarter is not held: "
               "it is never counted as zero.")
