"""One indicator's figures in words, for the Overview and the meeting pack alike.

From a row of the indicator engine (``indicators.engine``: value, numerator,
denominator, target, tolerance, direction, rag, previous_value,
change_previous, trend_previous) and the contract type's catalogue:

- :func:`counts_text`: the counts behind a ratio, ``62 of 67`` (people),
  ``£393,000 of £393,746`` (spend against the contract value), ``5,130 ÷ 14``
  (days over leavers); "" for a plain count.
- :func:`summarise`: the value beside its RAG (one decimal where the whole number
  would hide why), the target with its amber band, the RAG and the sentence that
  decides it, and the change on the previous quarter by the one rounding rule (the
  difference of the whole figures shown).

Plain functions of ``formats``: no Streamlit, no pandas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import formats as fmt
from models.catalogue import Catalogue


def _money(catalogue: Catalogue, code: str) -> bool:
    ind = catalogue.indicators_by_code[code]
    return all(catalogue.measures_by_code[c].type == "money" for c in ind.numerator)


def counts_text(catalogue: Catalogue, code: str, numerator: Any, denominator: Any) -> str:
    """``62 of 67`` for a ratio; ``£393,000 of £393,746`` for spend; ``a ÷ b`` for an average
    number of days; '' for a plain count; ``no data`` when either count is missing."""
    ind = catalogue.indicators_by_code[code]
    if not ind.is_ratio:
        return ""
    if ind.unit == "days":
        if fmt.is_missing(numerator) or fmt.is_missing(denominator):
            return fmt.NO_DATA
        return f"{fmt.whole(numerator)} ÷ {fmt.whole(denominator)}"
    return fmt.fraction(numerator, denominator, money_values=_money(catalogue, code))


def previous_value(row: Mapping) -> Any:
    """The previous quarter's value of an engine row (from its change when not given)."""
    previous = row.get("previous_value")
    if fmt.is_missing(previous) and not fmt.is_missing(row.get("change_previous")) \
            and not fmt.is_missing(row.get("value")):
        previous = float(row["value"]) - float(row["change_previous"])
    return previous


def change_text(row: Mapping, unit: str, with_trend: bool = True) -> str:
    """The change on the previous quarter by the one rounding rule (``formats.change_between``):
    the difference of the whole figures shown, with ``better`` or ``worse`` unless told not to."""
    if with_trend:
        return fmt.change_between_with_trend(row.get("value"), previous_value(row), unit,
                                             row.get("trend_previous"))
    return fmt.change_between(row.get("value"), previous_value(row), unit)


@dataclass(frozen=True)
class Summary:
    """One indicator at one period, as every page and the pack write it."""

    #: ``94.7%``: the value, to one decimal where the whole number would hide its RAG.
    value: str
    #: ``62 of 67`` (see :func:`counts_text`).
    counts: str
    #: ``100% (amber ≥95%)``; ``none`` without a target.
    target: str
    #: "green" / "amber" / "red", or None.
    rag: str | None
    #: ``✔ Green``; ``no target`` or ``no data``.
    rag_text: str
    #: ``94.7% is 5.3 points below the 100% target, …: red``; '' without a value or target.
    reason: str
    #: ``+5 points, better``; ``no data``.
    change: str


def summarise(catalogue: Catalogue, code: str, row: Mapping | None) -> Summary:
    """The :class:`Summary` of an engine row of indicator ``code`` (None: nothing held)."""
    unit = catalogue.indicators_by_code[code].unit
    if row is None:
        return Summary(fmt.NO_DATA, "", "none", None, "no data", "", fmt.NO_DATA)
    target, tolerance, direction = row.get("target"), row.get("tolerance"), row.get("direction")
    rag = row.get("rag")
    rag = rag if not fmt.is_missing(rag) and rag in fmt.RAG_WORD else None
    return Summary(
        value=fmt.rag_value(row.get("value"), unit, target, tolerance, direction),
        counts=counts_text(catalogue, code, row.get("numerator"), row.get("denominator")),
        target=fmt.target_band(target, tolerance, direction, unit),
        rag=rag,
        rag_text=fmt.rag(rag, "no target" if fmt.is_missing(target) else fmt.NO_DATA),
        reason=fmt.rag_reason(row.get("value"), unit, target, tolerance, direction),
        change=change_text(row, unit))
