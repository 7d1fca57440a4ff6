"""What goes into a quarter's meeting pack: one plain structure, from the engine and the records.

:func:`gather` reads everything once (indicators, measures, commentary,
warnings, quality visits, actions, submissions, meetings) and returns a
:class:`PackContent`. The PDF and the Excel writers only lay it out: they do no
arithmetic and read nothing else, so both show the same numbers as the
dashboard. With suppression on, a hidden figure never reaches the structure:
its value is None and its text ``<5`` or ``[c]`` (reports.suppression).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Engine

import formats as fmt
from figures import summary
from indicators.data import load_contracts, load_measures, load_targets
from indicators.engine import compute_indicators
from indicators.narrative import narrative
from models.catalogue import Catalogue, Indicator
from models.contract_types import get_type
from models.periods import Quarter
from records.actions import OPEN_STATUSES
from records.actions import actions as load_actions
from records.commentary import quarter_return
from records.escalation import current_stage
from records.meetings import meetings as load_meetings
from records.submissions import submission_history
from records.visits import visits as load_visits
from users.access import Actor, require_read, sees_all_figures

from .suppression import HIDDEN, LEGEND, NoSuppression, Suppression, suppression_for

#: Quarters shown on each chart: two years is enough to see a trend on paper.
HISTORY_QUARTERS = 8
#: The most of any one text (a commentary, a visit's summary, an action, a warning) the pack
#: prints: the upload limit of a commentary cell (``data_ingest.layout``), so a return sent
#: since that limit is never cut, while an older one stored with a megabyte of text keeps the
#: pack a few pages long and quick to make. A cut text ends with :func:`cut_note`.
PACK_TEXT_LIMIT = 5_000
#: The same for a text printed in a table's cell (a visit's summary, an action, a warning),
#: which must fit on one page of the PDF.
PACK_CELL_LIMIT = 1_500


def cut_note(length: int, limit: int = PACK_TEXT_LIMIT) -> str:
    """What ends a text the pack cut: how much it shows, of how much, and where the rest is."""
    return (f" […] [Cut here: the pack shows the first {limit:,} of {length:,} characters. "
            "The whole text is in the return as uploaded, on the History page.]")


def capped(text: str | None, limit: int = PACK_TEXT_LIMIT) -> str:
    """``text`` as the pack prints it: whole when it is at most ``limit`` characters, else its
    first ``limit`` characters and :func:`cut_note`."""
    text = text or ""
    if len(text) <= limit:
        return text
    return text[:limit].rstrip() + cut_note(len(text), limit)


class NotHeld(LookupError):
    """The contract or the quarter asked for is not held; the message says which."""


@dataclass
class Figure:
    """One number as the pack shows it."""

    #: None when not reported, nothing to divide by, or hidden.
    value: float | None
    #: As printed: ``67%``, ``310``, ``305 days (10 months)``, ``no data``, ``<5``, ``[c]``.
    text: str
    #: ``<5`` or ``[c]`` when suppressed, else None.
    hidden: str | None = None


@dataclass
class IndicatorLine:
    code: str
    service: str
    label: str
    short: str
    unit: str
    better: str
    #: A number of days drawn in months too (a length of stay).
    show_months: bool
    quarter: Figure
    ytd: Figure
    #: ``Q1`` when the year to date lacks a quarter, else "".
    ytd_missing: str
    target: float | None
    target_text: str
    rag: str | None               # "green" / "amber" / "red" / None (quarter basis)
    trend: str | None             # against the previous quarter: "improving" / "worsening" / "no change"
    change_text: str              # ``+5 points``; ``no change``; ``no data``; ``[c]`` when hidden
    #: ``62 of 67`` for a ratio of counts; "" otherwise or when hidden.
    fraction_text: str = ""
    #: The same for the year to date (``42 of 84``).
    ytd_fraction_text: str = ""


@dataclass
class Point:
    """One quarter of an indicator's chart."""

    quarter: Quarter
    value: float | None
    hidden: str | None
    target: float | None
    rag: str | None = None
    #: The target's tolerance and better direction (the chart's amber band).
    tolerance: float | None = None
    direction: str | None = None


@dataclass
class ServiceSection:
    """One indicator group of the contract's type (a service, or finance), in meeting order."""

    name: str
    indicators: list[IndicatorLine]
    #: Indicator code -> its quarters, oldest first (at most HISTORY_QUARTERS).
    history: dict[str, list[Point]]
    commentary: str
    #: Whether the return's Commentary sheet has a row for it (so "no commentary" means something).
    has_commentary: bool = True


@dataclass
class MeasureLine:
    code: str
    sheet: str
    label: str
    value: float | None
    text: str
    hidden: str | None
    cell: str
    money: bool


@dataclass
class Exception_:
    """Something the meeting should look at: a red or amber indicator, a gap, a warning."""

    kind: str        # "Red", "Amber", "Not reported", "Warning", "Overdue action"
    service: str
    text: str


@dataclass
class PackContent:
    reference: str
    title: str
    #: The contract's type (``models.catalogue.Catalogue.name``) and its title.
    contract_type: str
    contract_type_title: str
    provider: str
    commissioner: str
    annual_value: float | None
    term: str                       # ``01/09/2014 to 31/08/2019``
    quarter: Quarter
    meeting_date: date | None
    made_on: date
    suppressed: bool
    escalation: str
    summary: list[IndicatorLine]
    narrative: list[str]
    exceptions: list[Exception_]
    sections: list[ServiceSection]
    general_commentary: str
    visits: list[dict]
    actions: list[dict]
    measures: list[MeasureLine]
    submissions: list[dict]
    #: The submission read for the quarter: version, file, who completed it.
    return_details: dict = field(default_factory=dict)
    suppression_note: str = ""

    def section(self, name: str) -> ServiceSection:
        return next(s for s in self.sections if s.name == name)


# --- figures ------------------------------------------------------------------------------


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _number(value) -> float | None:
    return None if _missing(value) else float(value)


def figure(value, unit: str, hidden: str | None = None) -> Figure:
    if hidden:
        return Figure(None, hidden, hidden)
    number = _number(value)
    return Figure(number, fmt.value(number, unit))


def _fraction(catalogue: Catalogue, indicator: Indicator, row: dict | None) -> str:
    """The counts behind a ratio, as the Overview writes them (``figures.summary.counts_text``:
    ``62 of 67``); "" for a plain count or when nothing is held."""
    if row is None:
        return ""
    text = summary.counts_text(catalogue, indicator.code, row["numerator"], row["denominator"])
    return "" if text == fmt.NO_DATA else text


def _said(catalogue: Catalogue, indicator: Indicator, row: dict | None, hidden: str | None,
          ) -> tuple[Figure, summary.Summary]:
    """A figure and its summary as the Overview words it (``figures.summary.summarise``)."""
    said = summary.summarise(catalogue, indicator.code, row)
    shown = figure(row["value"] if row is not None else None, indicator.unit, hidden)
    if not hidden and shown.value is not None:
        shown.text = said.value
    return shown, said


# --- the pieces ---------------------------------------------------------------------------


def _indicator_lines(frame: pd.DataFrame, quarter: Quarter, hide: Suppression | NoSuppression,
                     catalogue: Catalogue) -> list[IndicatorLine]:
    at = frame[frame["period"] == quarter.index]
    # Each row as a plain dict, read once: looking rows up one by one in a frame (.loc) took
    # longer than the rest of the summary.
    by_basis: dict[str, dict[str, dict]] = {"quarter": {}, "ytd": {}}
    for row in at.to_dict("records"):
        by_basis.setdefault(row["basis"], {})[row["indicator"]] = row
    lines = []
    # In meeting order: group by group, so that the summary reads service by service.
    ordered = [i for group in catalogue.indicator_groups for i in catalogue.indicators_for(group)]
    for ind in ordered:
        q_row = by_basis["quarter"].get(ind.code)
        y_row = by_basis["ytd"].get(ind.code)
        q_hidden = hide.indicator(ind.code, quarter, "quarter")
        y_hidden = hide.indicator(ind.code, quarter, "ytd")
        quarter_figure, said = _said(catalogue, ind, q_row, q_hidden)
        ytd_figure, _ = _said(catalogue, ind, y_row, y_hidden)
        change_hidden = hide.change(ind.code, quarter, quarter.previous(), "quarter")
        if change_hidden:
            # Even "no change" would give a hidden value back from a shown one.
            change, trend = HIDDEN, None
        else:
            change = fmt.NO_DATA if q_row is None else summary.change_text(q_row, ind.unit, with_trend=False)
            trend = None if q_row is None or _missing(q_row["trend_previous"]) else q_row["trend_previous"]
        target = _number(q_row["target"]) if q_row is not None else None
        lines.append(IndicatorLine(
            code=ind.code, service=ind.service, label=ind.label, short=ind.short, unit=ind.unit,
            better=ind.better, show_months=ind.show_months, quarter=quarter_figure, ytd=ytd_figure,
            ytd_missing=(y_row["missing_quarters"] or "") if y_row is not None else "",
            target=target,
            target_text=said.target,
            rag=(q_row["rag"] if q_row is not None and not _missing(q_row["rag"]) else None),
            trend=trend, change_text=change,
            fraction_text="" if q_hidden else _fraction(catalogue, ind, q_row),
            ytd_fraction_text="" if y_hidden else _fraction(catalogue, ind, y_row)))
    return lines


def _history(frame: pd.DataFrame, quarter: Quarter, hide) -> dict[str, list[Point]]:
    rows = frame[(frame["basis"] == "quarter") & (frame["period"] <= quarter.index)
                 & (frame["period"] > quarter.index - HISTORY_QUARTERS)]
    history: dict[str, list[Point]] = {}
    # Sorted once: each indicator's rows keep that order in its group.
    for code, group in rows.sort_values("period", kind="stable").groupby("indicator", sort=False):
        points = []
        for row in group.itertuples(index=False):
            at = Quarter.from_index(int(row.period))
            hidden = hide.indicator(code, at, "quarter")
            rag = None if hidden or _missing(row.rag) else row.rag
            points.append(Point(at, None if hidden else _number(row.value), hidden, _number(row.target),
                                rag, _number(row.tolerance),
                                None if _missing(row.direction) else row.direction))
        history[code] = points
    return history


def _narrative(frame: pd.DataFrame, reference: str, quarter: Quarter, hide,
               catalogue: Catalogue) -> list[str]:
    """The engine's sentences, told without any hidden figure.

    Hidden figures of the quarter are dropped from what the narrative reads, and a
    change from a hidden previous quarter is forgotten, so no sentence can quote one.
    """
    # Later quarters play no part in the narrative (its charts stop at the quarter): leaving
    # them out makes the rest lighter.
    frame = frame[frame["period"] <= quarter.index]
    if not hide.enabled:
        return narrative(frame, reference, quarter, catalogue)
    at = frame[frame["period"] == quarter.index]
    hidden_rows, blanked = [], []
    hidden_rated = 0    # rated this quarter but hidden: "8 of 12 met" then says why it is not "9 of 13"
    # The quarter's rows read as plain tuples, and changed all at once after: a row at a time
    # through .loc took a tenth of a second.
    for index, code, basis, rag in zip(at.index, at["indicator"], at["basis"], at["rag"], strict=True):
        if hide.indicator(code, quarter, basis):
            hidden_rows.append(index)
            hidden_rated += int(basis == "quarter" and not _missing(rag))
        elif hide.change(code, quarter, quarter.previous(), basis):
            blanked.append(index)
    frame = frame.drop(index=hidden_rows)
    if blanked:
        frame.loc[blanked, ["previous_value", "change_previous"]] = float("nan")
        frame.loc[blanked, "trend_previous"] = None
    return narrative(frame, reference, quarter, catalogue, hidden_rated)


def _exceptions(lines: list[IndicatorLine], measures: list[MeasureLine], warnings: list[dict],
                actions: list[dict], hide) -> list[Exception_]:
    found: list[Exception_] = []
    for rag in ("red", "amber"):
        for line in lines:
            if line.rag != rag:
                continue
            found.append(Exception_(
                fmt.RAG_WORD[rag], line.service,
                f"{line.label}: {line.quarter.text} against a target of {line.target_text}."))
    blanks = [m for m in measures if m.value is None and not m.hidden]
    for m in blanks:
        found.append(Exception_("Not reported", m.sheet, f"{m.code} {m.label} ({m.sheet}!{m.cell})."
                                if m.cell else f"{m.code} {m.label}."))
    for w in warnings:
        where = w.get("location") or w.get("cell") or ""
        message = w.get("message", "")
        if hide.enabled:
            # A warning quotes the provider's figures; an outside reader gets where and what kind.
            message = _without_figures(message)
        found.append(Exception_("Warning", w.get("sheet") or where.split("!")[0],
                                f"{where}: {message}" if where else message))
    overdue = [a for a in actions if a["overdue"]]
    for a in overdue:
        found.append(Exception_("Overdue action", a["service"],
                                f"{a['text']} (owner {a['owner'] or 'not set'}, due {a['due']})."))
    return found


def _without_figures(message: str) -> str:
    """A warning's text with its numbers taken out (they may be small counts).

    Cell references (``Sheet!C14``), measure codes (letters then digits) and quarters
    (``Q3``) keep their digits: a number is only taken out where it stands on its own.
    """
    return re.sub(r"(?<![A-Za-z0-9!/.,])\d(?:[\d,.]*\d)?(?![\d/])", "…", message)


def _measure_lines(measures: pd.DataFrame, quarter: Quarter, hide,
                   catalogue: Catalogue) -> list[MeasureLine]:
    at = measures[(measures["year"] == quarter.year) & (measures["quarter"] == quarter.quarter)]
    by_code = at.set_index("code")
    lines = []
    for m in catalogue.measures:
        if m.code not in by_code.index:
            continue    # not in the template version the quarter was returned on
        row = by_code.loc[m.code]
        hidden = hide.measure(m.code, quarter)
        value = None if hidden else _number(row["value"])
        text = hidden or fmt.count(value, m.type == "money")
        lines.append(MeasureLine(m.code, m.sheet, m.label, value, text, hidden, row["cell"] or "",
                                 m.type == "money"))
    return lines


def _visits(engine: Engine, reference: str, upto: date, actor: Actor) -> list[dict]:
    frame = load_visits(engine, reference, actor)
    out = []
    for row in frame.itertuples(index=False):
        if row.visit_date > upto:
            continue
        out.append({"service": row.service, "visit_date": row.visit_date,
                    "date": fmt.uk_date(row.visit_date),
                    "score": _number(row.score), "score_text": fmt.percent(_number(row.score)),
                    "score_after": _number(row.score_after),
                    "score_after_text": fmt.percent(_number(row.score_after))
                    if not _missing(row.score_after) else "not yet",
                    "summary": capped(row.summary, PACK_CELL_LIMIT)})
    return out


def _actions(engine: Engine, reference: str, today: date, actor: Actor) -> list[dict]:
    frame = load_actions(engine, reference, today, actor)
    out = []
    for row in frame.itertuples(index=False):
        if row.status not in OPEN_STATUSES:
            continue
        due = None if _missing(row.due_date) else row.due_date
        out.append({"text": capped(row.text, PACK_CELL_LIMIT), "owner": row.owner or "", "due_date": due,
                    "due": fmt.uk_date(due) if due else "no date", "status": row.status,
                    "overdue": bool(row.overdue), "service": row.service or "",
                    "indicator": row.indicator_label or "", "meeting": row.meeting or ""})
    return out


def _uk_date_text(text: str) -> str:
    """An ISO date as ``19/01/2017``; any other text as it is."""
    try:
        return fmt.uk_date(date.fromisoformat(text[:10])) if text else ""
    except ValueError:
        return text


def _submissions(engine: Engine, reference: str, quarter: Quarter, hide, actor: Actor) -> list[dict]:
    frame = submission_history(engine, reference, actor)
    frame = frame[(frame["year"] * 4 + frame["quarter"] - 1) <= quarter.index]
    out = []
    for row in frame.itertuples(index=False):
        uploaded = row.uploaded_at
        out.append({"period": row.period, "version": int(row.version), "status": row.status,
                    "uploaded": fmt.uk_date(uploaded) if not _missing(uploaded) else "",
                    "uploaded_at": uploaded, "uploaded_by": row.uploaded_by or "",
                    "file_name": row.file_name or "", "completed_by": row.completed_by or "",
                    "date_completed": _uk_date_text(row.date_completed or ""),
                    "warning_count": int(row.warning_count),
                    "warnings": capped(_without_figures(row.warnings or "") if hide.enabled
                                       else row.warnings or "")})
    return out


def _meeting_date(engine: Engine, reference: str, quarter: Quarter, actor: Actor) -> date | None:
    frame = load_meetings(engine, reference, actor)
    frame = frame[frame["quarter"] == quarter.label]
    if frame.empty:
        return None
    return frame.iloc[0]["meeting_date"]   # newest first


def _require_read(engine: Engine, reference: str, actor: Actor) -> None:
    """``users.NotAllowed`` unless the person may read the contract (nothing for one not held)."""
    from sqlalchemy import select

    from models.database import sessions
    from models.schema import Contract

    with sessions(engine)() as session:
        row = session.scalar(select(Contract).where(Contract.reference == reference))
        if row is not None:
            require_read(actor, row)


def quarters_held(engine: Engine, reference: str, actor: Actor) -> list[Quarter]:
    """Quarters with a current submission for the contract, oldest first
    (``users.NotAllowed`` unless the person may read the contract)."""
    _require_read(engine, reference, actor)
    measures = load_measures(engine, reference)
    pairs = measures[["year", "quarter"]].drop_duplicates().sort_values(["year", "quarter"])
    return [Quarter(int(y), int(q)) for y, q in pairs.itertuples(index=False)]


def gather(engine: Engine, reference: str, quarter: Quarter, *, actor: Actor, suppress: bool = True,
           meeting_date: date | None = None, today: date | None = None) -> PackContent:
    """Everything the pack for ``reference``'s ``quarter`` shows, as ``actor`` may see it.

    ``suppress``: hide small numbers (for a pack shared outside the council); always on for
    a provider's staff (``users.access.sees_all_figures``), who also see only the actions,
    meetings and escalation changes shared with the provider. ``users.NotAllowed`` unless
    the person may read the contract.
    ``meeting_date``: the date printed on the cover; by default the meeting recorded
    for the quarter, if any. ``today``: the date the pack is made (actions overdue by it).
    """
    _require_read(engine, reference, actor)
    suppress = suppress or not sees_all_figures(actor)
    today = today or date.today()
    contracts = load_contracts(engine)
    contract = contracts[contracts["contract"] == reference]
    if contract.empty:
        raise NotHeld(f"No contract {reference!r} is held.")
    measures = load_measures(engine, reference)
    held = set(zip(measures["year"], measures["quarter"], strict=True))
    if (quarter.year, quarter.quarter) not in held:
        listed = ", ".join(q.label for q in quarters_held(engine, reference, actor)) or "none"
        raise NotHeld(f"No return is held for {reference} {quarter.label}. Quarters held: {listed}.")
    meeting_date = meeting_date or _meeting_date(engine, reference, quarter, actor)
    c = contract.iloc[0]
    catalogue = get_type(c["contract_type"])
    frame = compute_indicators(measures, contract, load_targets(engine, reference), catalogue)
    hide = suppression_for(measures, catalogue, suppress)

    summary = _indicator_lines(frame, quarter, hide, catalogue)
    history = _history(frame, quarter, hide)
    held_return = quarter_return(engine, reference, quarter, actor)
    commentary = {topic: capped(text)
                  for topic, text in (held_return.commentary if held_return else {}).items()}
    warnings = [{**w, "message": capped(w.get("message", ""), PACK_CELL_LIMIT)}
                for w in (held_return.warnings if held_return else [])]
    measure_lines = _measure_lines(measures, quarter, hide, catalogue)
    action_rows = _actions(engine, reference, today, actor)
    sections = [ServiceSection(name, [line for line in summary if line.service == name],
                               {i.code: history.get(i.code, []) for i in catalogue.indicators_for(name)},
                               commentary.get(name, ""),
                               has_commentary=name in catalogue.commentary_topics)
                for name in catalogue.indicator_groups]
    end = c["extended_end_date"] if not _missing(c["extended_end_date"]) else c["initial_end_date"]
    return PackContent(
        reference=reference, title=c["title"], contract_type=catalogue.name,
        contract_type_title=catalogue.title, provider=c["provider"],
        commissioner=c["commissioner"] or "", annual_value=_number(c["annual_value"]),
        term=f"{fmt.uk_date(c['start_date'])} to {fmt.uk_date(end)}",
        quarter=quarter,
        meeting_date=meeting_date,
        made_on=today, suppressed=hide.enabled,
        escalation=current_stage(engine, reference, actor)["stage"],
        summary=summary,
        narrative=_narrative(frame, reference, quarter, hide, catalogue),
        exceptions=_exceptions(summary, measure_lines, warnings, action_rows, hide),
        sections=sections,
        general_commentary=commentary.get("General", ""),
        # Visits known at the meeting: by its date, or by the end of the quarter after.
        visits=_visits(engine, reference, meeting_date or quarter.next().end, actor),
        actions=action_rows,
        measures=measure_lines,
        submissions=_submissions(engine, reference, quarter, hide, actor),
        return_details={
            "version": held_return.version if held_return else None,
            "file_name": held_return.file_name if held_return else "",
            "completed_by": held_return.completed_by if held_return else "",
            "date_completed": held_return.date_completed if held_return else "",
        },
        suppression_note=LEGEND if hide.enabled else "",
    )
