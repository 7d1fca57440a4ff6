"""Blocks the service pages are made of: each draws one chart with its table beside it.

A service page is a list of blocks in its contract type's file (``[[pages.blocks]]``,
``models.catalogue.Block``); :func:`draw_page` draws them in order. A block loads
through :mod:`dashboard.cache`, shapes with :mod:`dashboard.views`, builds the
figure with :mod:`dashboard.charts` and draws with
:func:`dashboard.layout.chart_with_table`. Nothing here names a measure or an
indicator: the block says which.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.elements.lib.mutable_expander_container import ExpanderContainer

import formats as fmt
from dashboard import cache, charts, layout, views
from dashboard.state import Selection, page_key
from models.catalogue import Block, Catalogue, Page
from models.periods import Quarter

#: The colour schemes a block may name (``colours = "bands"``).
COLOURS = {"good_neutral_bad": charts.GOOD_NEUTRAL_BAD, "bands": charts.BANDS}

#: Block kinds that follow the page's quarter / year-to-date switch (unless the block fixes a basis).
FOLLOWS_BASIS = frozenset({"trend", "trends_together", "service_trends", "stacked_bars", "outcomes", "spend"})


def _period_label(quarter: Quarter, basis: str) -> str:
    return fmt.period(quarter, basis)


def _suffix(basis: str) -> str:
    return "each quarter" if basis == "quarter" else "year to date"


# Each block is built by a cached function of plain arguments (the database URL, data
# version, contract, its type's name, quarter and the block's own) that returns the
# figure as a dict with its table and note: building a Plotly figure costs tens of
# milliseconds, a cached dict next to nothing, so a warm rerun only draws.
Built = tuple[dict, pd.DataFrame, str | None]


def _where(selection: Selection) -> tuple[str, str, str, str, int, int]:
    contract, contract_type, quarter = selection.contract, selection.contract_type, selection.quarter
    if contract is None or contract_type is None or quarter is None:
        raise ValueError("a section is drawn only for a chosen contract and quarter (state.require_selection)")
    return cache.database_url(), selection.version, contract, contract_type, quarter.year, quarter.quarter


def _draw(built: Built, key: str) -> None:
    fig, table, note = built
    layout.chart_with_table(fig, table, key=key, note=note)


@cache.cached
def _trend(url: str, version: str, contract: str, type_name: str, year: int, quarter: int, code: str,
           basis: str, in_months: bool, title: str | None) -> Built:
    catalogue = cache.catalogue(type_name)
    ind = catalogue.indicators_by_code[code]
    table = cache.indicators(contract, version)
    rows = views.trend_rows(table, catalogue, code, basis)
    spc = cache.spc_chart(contract, code, version) if basis == "quarter" else None
    fig = charts.trend(rows, f"{title or ind.label}, {_suffix(basis)}", ind.unit, spc=spc,
                       highlight=_period_label(Quarter(year, quarter), basis), in_months=in_months,
                       series_name=ind.short)
    note = spc_note(spc)
    if basis == "ytd" and (rows["missing_quarters"].fillna("") != "").any():
        note = ((note + " ") if note else "") + ("A year to date that lacks a quarter not held counts "
                                                 "only the quarters held.")
    return fig.to_dict(), views.trend_table(rows, catalogue, code), note


def indicator_trend(selection: Selection, code: str, basis: str, *, in_months: bool = False,
                    title: str | None = None, key: str | None = None) -> None:
    """One indicator over every quarter held: target, RAG points, SPC lines, hover counts."""
    _draw(_trend(*_where(selection), code, basis, in_months, title), key=key or trend_key(code, basis))


def trend_key(code: str, basis: str) -> str:
    """The key of an indicator's trend (tests and browsers find its table by it)."""
    return f"trend_{code}_{basis}"


def spc_note(spc) -> str | None:
    """What the grey lines of a trend are, in words."""
    if spc is None or spc.mean is None:
        return None
    points = spc.point_count
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
def _together(url: str, version: str, contract: str, type_name: str, year: int, quarter: int,
              codes: tuple[str, ...], basis: str, title: str) -> Built:
    catalogue = cache.catalogue(type_name)
    long = views.several_trends(cache.indicators(contract, version), catalogue, codes, basis)
    fig = charts.several_lines(long, f"{title}, {_suffix(basis)}", catalogue.indicators_by_code[codes[0]].unit,
                               highlight=_period_label(Quarter(year, quarter), basis))
    return fig.to_dict(), views.several_trends_table(long, catalogue, codes), None


def indicators_together(selection: Selection, codes: tuple[str, ...], basis: str, title: str, *,
                        key: str | None = None) -> None:
    """Several indicators with the same unit on one chart (One Stop's three response measures)."""
    _draw(_together(*_where(selection), tuple(codes), basis, title), key=key or f"together_{codes[0]}_{basis}")


@cache.cached
def _stacked(url: str, version: str, contract: str, type_name: str, year: int, quarter: int,
             codes: tuple[str, ...], basis: str, title: str, names: dict[str, str], y_title: str,
             beside: str | None, stacked: bool, colours: tuple[str, ...] | None) -> Built:
    catalogue = cache.catalogue(type_name)
    all_codes = ((beside,) if beside else ()) + codes
    series = views.measure_series(cache.measures(contract, version), catalogue, all_codes, basis)
    fig = charts.stacked_bars(series, [(c, names[c]) for c in codes], f"{title}, {_suffix(basis)}",
                              y_title=y_title, highlight=_period_label(Quarter(year, quarter), basis),
                              extra_bar=(beside, names[beside]) if beside else None, stacked=stacked,
                              colours=colours)
    return fig.to_dict(), views.measures_table(series, catalogue, all_codes, names), None


def measures_stacked(selection: Selection, codes: tuple[str, ...], basis: str, title: str, *,
                     names: dict[str, str], y_title: str = "People", beside: str | None = None,
                     stacked: bool = True, colours: tuple[str, ...] | None = None, key: str) -> None:
    """Measures stacked per quarter (risk change of closed cases, children by age band).

    ``names``: the name each measure is drawn under (``beside`` included).
    ``beside``: a measure drawn as its own bar next to the stack (women resident).
    ``stacked=False``: side by side instead (measures that are not parts of a whole).
    """
    _draw(_stacked(*_where(selection), tuple(codes), basis, title, names, y_title, beside, stacked,
                   tuple(colours) if colours else None), key=key)


@cache.cached
def _outcomes(url: str, version: str, contract: str, type_name: str, year: int, quarter: int,
              codes: tuple[str, ...], total_code: str, basis: str, title: str, names: dict[str, str],
              total_name: str) -> Built:
    catalogue = cache.catalogue(type_name)
    chosen = Quarter(year, quarter)
    series = views.measure_series(cache.measures(contract, version), catalogue, codes + (total_code,), basis)
    values = views.at_quarter(series, chosen)
    breakdown = views.breakdown_table(values, values.get(total_code), names, total_name)
    period = _period_label(chosen, basis)
    share = f"Share of {total_name}"
    breakdown["Label"] = [f"{people} ({part})" if part != fmt.NO_DATA else people
                          for people, part in zip(breakdown["People"], breakdown[share], strict=True)]
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
def _funnel(url: str, version: str, contract: str, type_name: str, year: int, quarter: int,
            stages: tuple[tuple[str, str], ...], title: str) -> Built:
    catalogue = cache.catalogue(type_name)
    chosen = Quarter(year, quarter)
    codes = tuple(code for code, _ in stages)
    values = views.at_quarter(views.measure_series(cache.measures(contract, version), catalogue, codes, "ytd"),
                              chosen)
    fig = charts.funnel([(name, values.get(code)) for code, name in stages],
                        f"{title}, {fmt.period(chosen, 'ytd')}")
    note = views.missing_note(cache.indicators(contract, version), chosen)
    return fig.to_dict(), views.funnel_table(values, stages), note


def funnel(selection: Selection, stages: tuple[tuple[str, str], ...], title: str, *, key: str) -> None:
    """A funnel of measures for the chosen year to date (Fresh Start)."""
    _draw(_funnel(*_where(selection), tuple(stages), title), key=key)


#: The spend chart's title when its block gives none.
SPEND_TITLE = "Spend by service against the contract value"


@cache.cached
def _spend(url: str, version: str, contract: str, type_name: str, year: int, quarter: int, code: str,
           names: dict[str, str], title: str, basis: str) -> Built:
    catalogue = cache.catalogue(type_name)
    series = views.spend_series(cache.measures(contract, version), cache.indicators(contract, version),
                                catalogue, code, basis)
    parts = [(c, names[c]) for c in catalogue.indicators_by_code[code].numerator]
    fig = charts.stacked_bars(series, parts, f"{title}, {_suffix(basis)}",
                              y_title="Spend", money=True, highlight=_period_label(Quarter(year, quarter), basis),
                              line=("contract_value", "Contract value (pro rata)"))
    return fig.to_dict(), views.spend_table(series, catalogue, code, names), None


def spend(selection: Selection, code: str, basis: str, *, names: dict[str, str], title: str = SPEND_TITLE,
          key: str) -> None:
    """The money measures of a spend indicator per quarter against the pro-rata contract value."""
    _draw(_spend(*_where(selection), code, names, title, basis), key=key)


def no_data_note(selection: Selection) -> None:
    """Says what 'no data' means, once per page."""
    st.caption("'no data' means the provider left the figure blank or a quarter is not held: "
               "it is never counted as zero.")


# --- a whole page, block by block ------------------------------------------------------------


def _basis_at(page: Page) -> int | None:
    """Where the page's quarter / year-to-date switch goes: before the section (its heading)
    of the first block that follows it; None when no block does."""
    for index, block in enumerate(page.blocks):
        if block.kind in FOLLOWS_BASIS and block.basis is None:
            return index - 1 if index and page.blocks[index - 1].kind == "header" else index
    return None


def _block_key(page: Page, block: Block, basis: str) -> str:
    """A key for a block's container, stable across reruns. An indicator's trend keeps
    ``trend_<code>_<basis>`` wherever it is drawn (tests and browsers find its table by it);
    other blocks are named by the page, the kind and their first code."""
    if block.kind == "trend":
        return trend_key(block.needs("indicator"), basis)
    if block.kind == "trends_together":
        return f"together_{block.indicators[0]}_{basis}"
    first = block.indicator or (block.indicators or block.measures or ("",))[0]
    return f"{page.slug}_{block.kind}_{first}".rstrip("_")


def _unique(key: str, drawn: set[str]) -> str:
    """``key``, or ``key_2``, ``key_3``… when the page has already drawn a container of that key
    (a type file may show one indicator twice on a page; Streamlit refuses a repeated key)."""
    unique, n = key, 1
    while unique in drawn:
        n += 1
        unique = f"{key}_{n}"
    drawn.add(unique)
    return unique


def draw_block(selection: Selection, catalogue: Catalogue, page: Page, block: Block, basis: str,
               drawn: set[str]) -> None:
    """One block of a service page (``models.catalogue.Block``), on ``basis`` unless it fixes its
    own; ``drawn`` holds the keys the page has used so far."""
    basis = block.basis or basis
    key = _unique(_block_key(page, block, basis), drawn) if block.kind not in {"header", "note",
                                                                               "service_trends"} else ""
    if block.kind == "header":
        st.header(block.text)
    elif block.kind == "note":
        st.caption(block.text)
    elif block.kind == "trend":
        indicator_trend(selection, block.needs("indicator"), basis, in_months=block.in_months,
                        title=block.title, key=key)
    elif block.kind == "trends_together":
        indicators_together(selection, block.indicators, basis,
                            block.title or " and ".join(catalogue.indicators_by_code[c].short
                                                        for c in block.indicators), key=key)
    elif block.kind == "service_trends":
        for indicator in catalogue.indicators_for(block.needs("service")):
            indicator_trend(selection, indicator.code, basis, key=_unique(trend_key(indicator.code, basis), drawn))
    elif block.kind == "stacked_bars":
        names = block.named()
        if block.beside:
            names[block.beside] = block.beside_name
        measures_stacked(selection, block.measures, basis, block.needs("title"), names=names, y_title=block.y_title,
                         beside=block.beside, stacked=not block.side_by_side,
                         colours=COLOURS.get(block.colours) if block.colours else None, key=key)
    elif block.kind == "outcomes":
        outcomes(selection, block.measures, block.needs("total"), basis, block.needs("title"), names=block.named(),
                 total_name=block.total_name, key=key)
    elif block.kind == "funnel":
        funnel(selection, tuple(zip(block.measures, block.names, strict=True)), block.needs("title"), key=key)
    elif block.kind == "spend":
        spend(selection, block.needs("indicator"), basis, names=block.named(), title=block.title or SPEND_TITLE,
              key=key)
    else:   # the type file's validation knows every kind; a new kind needs drawing here
        st.warning(f"This page has a block of a kind the dashboard cannot draw: {block.kind!r}.")


def draw_page(selection: Selection, catalogue: Catalogue, page: Page) -> None:
    """A whole service page: its blocks in order, the quarter / year-to-date switch where the
    first block that follows it begins, and what 'no data' means at the foot.

    A ``collapsed`` header starts a closed section (down to the next header): a panel titled
    by the header whose charts are made and drawn only once someone opens it, so that a
    long page opens quickly (each chart costs the browser about a tenth of a second)."""
    switch_at = _basis_at(page)
    basis = "quarter"
    drawn: set[str] = set()
    section: ExpanderContainer | None = None
    for index, block in enumerate(page.blocks):
        if index == switch_at:
            basis = layout.basis_switch(page.slug)
        if block.kind == "header":
            section = _closed_section(page, block, index) if block.collapsed else None
            if section is not None:
                continue    # the panel's title is the heading
        if section is None:
            draw_block(selection, catalogue, page, block, basis, drawn)
        elif section.open:
            with section:
                draw_block(selection, catalogue, page, block, basis, drawn)
    no_data_note(selection)


def _closed_section(page: Page, header: Block, index: int) -> ExpanderContainer:
    """The panel of a collapsed header; ``.open`` says whether to draw what it holds."""
    return st.expander(f"**{layout.escape(header.text)}**", on_change="rerun",
                       key=section_key(page, index), icon=":material/bar_chart:")


def section_key(page: Page, index: int) -> str:
    """The key of a collapsed section's panel (``st.session_state[key]`` is True when open)."""
    return page_key(page.slug, f"section_{index}")
