"""A quarter in short plain sentences, as a contract monitor would write it.

Used by the pages and the meeting pack. Everything comes from the engine's
indicators frame and the contract type's catalogue (an argument): the sentences
name indicators by their short catalogue names and group indicators of a
service that share one measure as denominator (three measures of the new
referrals received, say).

Order: for each of the catalogue's indicator groups (its services, then any
others such as finance), its counts, then what changed on the previous
quarter, then what is red or amber and by how much; then any special-cause
variation; then the gaps (no data, a partial year to date).
"""

from __future__ import annotations

import pandas as pd

import formats as fmt
from models.catalogue import Catalogue, Indicator
from models.periods import Quarter

from .spc import CONCERN, IMPROVEMENT, spc_by_indicator

_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
                 9: "nine", 10: "ten"}


def format_difference(difference: float, unit: str, places: int = 0) -> str:
    """How far apart two values are, in the indicator's unit: ``6 points``, ``14 days``, ``1 person``
    (``5.3 points`` with ``places=1``, beside a value shown to one decimal)."""
    size = abs(difference) * (100 if unit == "%" else 1)
    shown = fmt.whole(size) if not places else str(fmt._round(size, places))
    if shown == "0":    # a real gap that rounds away: "0 points short" would read as none
        return {"%": "less than 1 point", "days": "less than a day"}.get(unit, "less than 1 person")
    one = shown == "1"
    if unit == "%":
        return f"{shown} point{'' if one else 's'}"
    if unit == "days":
        return f"{shown} day{'' if one else 's'}"
    return f"{shown} {'person' if one else 'people'}"


def count_words(n: int) -> str:
    """``All three`` / ``Both`` / ``All 12``."""
    if n == 2:
        return "Both"
    return f"All {_NUMBER_WORDS.get(n, str(n))}"


def lower_first(text: str) -> str:
    """Lower-case the first letter unless it starts an acronym or a number (``FS``, ``24``)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _denominator_groups(service: str, catalogue: Catalogue) -> list[tuple[str, list[Indicator]]]:
    """Indicators of a service that share one measure as denominator (two or more of them)."""
    groups: dict[str, list[Indicator]] = {}
    for ind in catalogue.indicators_for(service):
        if isinstance(ind.denominator, tuple) and len(ind.denominator) == 1:
            groups.setdefault(ind.denominator[0], []).append(ind)
    return [(catalogue.measures_by_code[code].label, members) for code, members in groups.items()
            if len(members) >= 2]


def _rose_or_fell(change: float) -> str:
    return "rose" if change > 0 else "fell"


def _counts_sentence(service: str, quarter: Quarter, rows: pd.DataFrame, ytd: pd.DataFrame,
                     catalogue: Catalogue) -> str | None:
    parts = []
    for ind in catalogue.indicators_for(service):
        if ind.is_ratio or ind.code not in rows.index:
            continue
        value = rows.at[ind.code, "value"]
        if fmt.is_missing(value):
            continue            # said once, with the other gaps, at the end
        text = f"{lower_first(ind.short)} {fmt.value(value, ind.unit)}"
        so_far = ytd.at[ind.code, "value"] if ind.code in ytd.index else None
        if not fmt.is_missing(so_far) and so_far != value:
            text += f" ({fmt.value(so_far, ind.unit)} so far this year)"
        parts.append(text)
    if not parts:
        return None
    return f"{service}, {quarter.label}: " + "; ".join(parts) + "."


def _change_sentences(service: str, rows: pd.DataFrame, catalogue: Catalogue) -> list[str]:
    sentences = []
    grouped: set[str] = set()
    for name, members in _denominator_groups(service, catalogue):
        present = [m for m in members if m.code in rows.index]
        changes = [rows.at[m.code, "change_previous"] for m in present]
        if len(present) < 2 or any(fmt.is_missing(c) or c == 0 for c in changes):
            continue
        if all(c > 0 for c in changes) or all(c < 0 for c in changes):
            details = ", ".join(
                f"{lower_first(m.short)} {fmt.value(rows.at[m.code, 'value'], m.unit)}"
                f" (from {fmt.value(rows.at[m.code, 'previous_value'], m.unit)})" for m in present)
            sentences.append(f"{count_words(len(present))} {service} measures of "
                             f"{lower_first(name)} {_rose_or_fell(changes[0])} on the previous quarter: "
                             f"{details}.")
            grouped.update(m.code for m in present)
    for ind in catalogue.indicators_for(service):
        if not ind.is_ratio or ind.code in grouped or ind.code not in rows.index:
            continue
        row = rows.loc[ind.code]
        if fmt.is_missing(row["change_previous"]):
            continue
        value = fmt.value(row["value"], ind.unit, with_months=False)
        previous = fmt.value(row["previous_value"], ind.unit, with_months=False)
        if previous == value:
            # The one rounding rule (formats.change_between): a change is that of the whole
            # figures as written, so equal figures are no change, and unequal ones a change.
            sentences.append(f"{ind.short} held at {value} on the previous quarter.")
            continue
        word = row["trend_previous"] if row["trend_previous"] in ("improving", "worsening") else None
        sentences.append(
            f"{ind.short} {_rose_or_fell(row['change_previous'])} from {previous} to {value} "
            f"on the previous quarter{f' ({word})' if word else ''}.")
    return sentences


def _rag_sentences(rows: pd.DataFrame, catalogue: Catalogue) -> list[str]:
    sentences = []
    for ind in catalogue.indicators:
        if ind.code not in rows.index:
            continue
        row = rows.loc[ind.code]
        if row["rag"] not in ("red", "amber"):
            continue
        gap = row["value"] - row["target"]
        side = "over" if row["direction"] == "lower" else "short"
        # The one rounding rule (formats): to one decimal where the whole number would hide why.
        places = fmt.rag_places(row["value"], ind.unit, row["target"], row.get("tolerance"), row["direction"])
        value = fmt.rag_value(row["value"], ind.unit, row["target"], row.get("tolerance"), row["direction"])
        sentences.append(
            f"{row['rag'].capitalize()}: {lower_first(ind.short)} {value} "
            f"against a target of {fmt.value(row['target'], ind.unit, with_months=False)}, "
            f"{format_difference(gap, ind.unit, places)} {side}.")
    return sentences


def _special_cause_sentences(indicators: pd.DataFrame, contract: str, quarter: Quarter,
                             catalogue: Catalogue) -> list[str]:
    sentences = []
    charts = spc_by_indicator(indicators, contract, [ind.code for ind in catalogue.indicators], upto=quarter)
    for ind in catalogue.indicators:
        result = charts[ind.code]
        if result.latest_label != quarter.label or not result.at_latest("special_cause"):
            continue
        kind = {IMPROVEMENT: "improvement", CONCERN: "concern"}[result.at_latest("point_type")]
        caveat = "" if result.reliable else f" (a run chart of {result.point_count} quarters: not yet reliable)"
        sentences.append(f"{ind.short}: special cause variation, {kind}: {result.at_latest('rule')}{caveat}.")
    return sentences


def _gap_sentences(rows: pd.DataFrame, ytd: pd.DataFrame, catalogue: Catalogue) -> list[str]:
    sentences = []
    no_data = [lower_first(ind.short) for ind in catalogue.indicators
               if ind.code in rows.index and fmt.is_missing(rows.at[ind.code, "value"])]
    if no_data:
        sentences.append("No data this quarter (a measure not reported, or nothing to divide by) for: "
                         + ", ".join(no_data) + ".")
    # The same quarters are missing for every indicator: they are whole returns.
    lacking = next((q for q in ytd["missing_quarters"] if q), "")
    if lacking:
        quarters = lacking.split(", ")
        listed = quarters[0] if len(quarters) == 1 else ", ".join(quarters[:-1]) + " and " + quarters[-1]
        sentences.append(f"The year to date lacks {listed}: no return is held for "
                         f"{'it' if len(quarters) == 1 else 'them'}.")
    return sentences


def met_sentence(met: int, rated: int, hidden: int = 0) -> str:
    """``9 of 13 measures with a target met it this quarter.``; with measures hidden to protect
    small numbers (the shared pack), says so, so that its "8 of 12" is not read as a mistake."""
    text = f"{met} of {rated} measures with a target met it this quarter"
    if hidden:
        text += (f" ({hidden} more {'is' if hidden == 1 else 'are'} not counted here: "
                 f"{'its figure is' if hidden == 1 else 'their figures are'} hidden to protect small numbers)")
    return text + "."


def narrative_sections(indicators: pd.DataFrame, contract: str, quarter: Quarter,
                       catalogue: Catalogue, hidden_rated: int = 0) -> dict[str, list[str]]:
    """The narrative by section: one per indicator group of the contract's ``catalogue``
    (its services, then others such as finance) with something to say, then
    ``"Overall"`` (targets met, special causes, gaps). Empty when no return is held."""
    of_contract = indicators[indicators["contract"] == contract]
    at = of_contract[of_contract["period"] == quarter.index]
    if at.empty:
        return {}
    rows = at[at["basis"] == "quarter"].set_index("indicator")
    ytd = at[at["basis"] == "ytd"].set_index("indicator")

    sections: dict[str, list[str]] = {}
    for service in catalogue.indicator_groups:
        service_rows = rows[rows["service"] == service]
        if service_rows.empty:
            continue
        sentences = []
        counts = _counts_sentence(service, quarter, service_rows, ytd, catalogue)
        if counts:
            sentences.append(counts)
        sentences += _change_sentences(service, service_rows, catalogue)
        sentences += _rag_sentences(service_rows, catalogue)
        if sentences:
            sections[service] = sentences
    overall = []
    met = int((rows["rag"] == "green").sum())
    rated = int(rows["rag"].notna().sum())
    if rated:
        overall.append(met_sentence(met, rated, hidden_rated))
    overall += _special_cause_sentences(of_contract, contract, quarter, catalogue)
    overall += _gap_sentences(rows, ytd, catalogue)
    if overall:
        sections["Overall"] = overall
    return sections


def narrative(indicators: pd.DataFrame, contract: str, quarter: Quarter,
              catalogue: Catalogue, hidden_rated: int = 0) -> list[str]:
    """Short plain sentences about one contract's quarter, from ``compute_indicators`` output
    computed with the contract's ``catalogue``."""
    sections = narrative_sections(indicators, contract, quarter, catalogue, hidden_rated)
    if not sections:
        return [f"No return is held for {quarter.label}."]
    return [sentence for sentences in sections.values() for sentence in sentences]
