"""Streamlit drawing helpers shared by the pages: a chart with its table beside it, the
quarter/year-to-date switch, page headings, RAG-coloured tables.
"""

from __future__ import annotations

import re
from typing import Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import formats as fmt
from dashboard import state
from dashboard.state import Selection, page_key

#: Plotly's toolbar, trimmed to what a monitor uses.
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"],
                 "toImageButtonOptions": {"format": "png", "scale": 2}}

BASES = ("quarter", "ytd")

#: What the overview grid's columns mean, said under it (a static table has no column tips).
OVERVIEW_GRID_NOTES = (
    "Quarter: the figure that decides the RAG. Target: the target and its amber band; a value within "
    "the tolerance is amber, beyond it red. Since last quarter: better or worse by the indicator's "
    "direction; a percentage changes in percentage points. Year to date: the financial year to date "
    "at the chosen quarter, with its own RAG.")
#: The Overview's tables head the change on the previous quarter as the pages do.
OVERVIEW_HEADINGS = {"Change on previous quarter": "Since last quarter"}


def table_height(rows: int) -> int:
    """The height that shows every row of a table without scrolling."""
    return 35 * (rows + 1) + 3


_table_height = table_height   # chart_with_table's own argument hides the name


#: Key figures (``st.metric``) in type that shrinks with the screen, so that no sum of money is
#: cut short ("£1,312,…") on a 1280-pixel screen; never cut, whatever the width.
SCREEN_STYLE = """<style>
  [data-testid="stMetricValue"] { font-size: clamp(1.3rem, 1.9vw, 2.25rem); }
  [data-testid="stMetricValue"] * { overflow: visible !important; text-overflow: clip !important; }
</style>"""


def page_header(title: str, selection: Selection) -> None:
    """The page title with the contract and quarter it shows."""
    st.html(SCREEN_STYLE)
    st.title(title)
    if selection.contract and selection.quarter:
        provider = selection.contract_details.get("provider") or ""
        st.caption(f"{selection.contract} · {provider} · {fmt.quarter(selection.quarter)}")


def basis_switch(page: str, label: str = "Show figures for") -> str:
    """The quarter / year-to-date switch of a page; returns ``quarter`` or ``ytd``.

    The choice is every page's (``state.basis``): it is kept when moving to another page
    and written to the URL (``basis=ytd``), so a link or Back gives the same figures.
    """
    key = page_key(page, "basis")
    shown = st.session_state.get(key)
    if shown in BASES and shown != state.basis_shown(key):
        state.remember_basis(shown, key)     # set since the switch was last drawn
    else:
        st.session_state[key] = state.basis()
        state.remember_basis(state.basis(), key)
    choice = st.segmented_control(label, BASES, key=key, required=True,
                                  format_func=lambda b: "Each quarter" if b == "quarter" else "Year to date",
                                  on_change=lambda: state.remember_basis(st.session_state.get(key), key),
                                  help="Each quarter on its own, or the financial year to date at each quarter.")
    return choice or "quarter"


def chart_with_table(fig: go.Figure | dict, table: pd.DataFrame, key: str, *, note: str | None = None,
                     table_height: int | None = None) -> None:
    """A chart with its table view beside it (below it on a narrow screen).

    Both sit in a container keyed ``key`` (letters, digits, ``-`` and ``_``), which
    tests find with ``AppTest.get_by_key`` and browsers with the class ``st-key-<key>``.
    """
    if isinstance(fig, dict) and not fig.get("data"):
        # An empty chart (one that says why it is empty) as a dict is refused by Plotly's
        # check for empty data; as a Figure it is taken as already checked.
        fig = go.Figure(fig)
    with st.container(key=key):
        chart_column, table_column = st.columns([5, 4], gap="medium")
        with chart_column:
            st.plotly_chart(fig, theme=None, key=f"{key}_chart", config=PLOTLY_CONFIG)
            if note:
                st.caption(note)
        with table_column:
            title = _title(fig)
            st.markdown(f"**Table: {escape(title)}**" if title else "**Table**")
            if table is None or table.empty:
                st.write(fmt.NO_DATA)
            else:
                # Wide enough for a year to date ("2016/17 Q1–Q3"), which is cut short otherwise.
                config = {"Quarter": st.column_config.TextColumn(width=112)} if "Quarter" in table else None
                # Every row shown while the table is about the chart's height; longer ones scroll.
                height: int | Literal["auto"] = table_height or (
                    _table_height(len(table)) if len(table) <= 12 else "auto")
                st.dataframe(table, hide_index=True, height=height, column_config=config)


def _title(fig: go.Figure | dict) -> str:
    """The chart's title on one line (a long one is wrapped on the chart)."""
    if isinstance(fig, dict):
        text = ((fig.get("layout") or {}).get("title") or {}).get("text") or ""
    else:
        text = fig.layout.title.text or ""
    return text.replace("<br>", " ")


def static_table(table: pd.DataFrame, rag: pd.Series | None = None, tinted: tuple[str, ...] = ()) -> None:
    """A table whose cells wrap, so that nothing is cut short on a narrow screen; ``tinted``
    columns tinted by each row's ``rag``. ``st.table`` reads every cell and heading as
    Markdown: each is escaped, so that it shows as it was written."""
    shown = table.map(_cell_text)
    shown.columns = [_cell_text(column) for column in table.columns]
    st.table(rag_styler(shown, rag, [_cell_text(column) for column in tinted]) if rag is not None else shown,
             hide_index=True)


def _cell_text(value: object) -> str:
    """A cell of a static table as escaped Markdown on one line (a blank for a missing value):
    Markdown would also read leading spaces as code and a line break as a new line."""
    return "" if fmt.is_missing(value) else escape(" ".join(str(value).split()))


def rag_styler(table: pd.DataFrame, rag: pd.Series, columns: list[str]):
    """A Styler tinting ``columns`` of each row by its RAG (the cells keep their icon and word)."""
    tints = {"green": "rgba(0, 158, 115, 0.18)", "amber": "rgba(230, 159, 0, 0.25)",
             "red": "rgba(213, 94, 0, 0.22)"}
    rag = rag.reset_index(drop=True)

    def tint(column: pd.Series) -> list[str]:
        return [f"background-color: {tints[r]}" if r in tints else "" for r in rag]

    return table.reset_index(drop=True).style.apply(tint, subset=columns)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~=<$:&])")


#: Streamlit's Markdown links a bare address (``http://…``, ``www.…``, ``name@host``) even when
#: its characters are escaped (the link is found in the text after escapes are read). A word
#: joiner (U+2060, invisible, no space) after ``:``, ``www`` and ``@`` keeps it text.
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)(?=\S)")
WORD_JOINER = "\u2060"


def escape(text: str) -> str:
    """Text someone typed (a workbook, a form) shown as it was typed inside Markdown: no
    formatting, links, images, HTML or auto-linked addresses."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, str(text)))
