"""The tables the data-entry pages show, in the users' words and UK formats.

Plain functions (no Streamlit): each takes what a records function returned and
gives a DataFrame of text ready for ``st.dataframe``. Text a user or provider typed
stays as typed (``dashboard.layout.escape`` is for the rare place it goes into Markdown).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

import pandas as pd

import formats as fmt
from models.catalogue import Catalogue

#: Times are shown in UK local time.
try:
    from zoneinfo import ZoneInfo

    UK: tzinfo = ZoneInfo("Europe/London")
except Exception:  # no time-zone data on the machine: show UTC
    UK = UTC


def uk_time(value: object) -> str:
    """``14/02/2017 10:32`` in UK local time; ``""`` when missing."""
    if fmt.is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if not isinstance(value, datetime):
        return fmt.uk_date(value)
    if value.tzinfo is None:          # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UK).strftime("%d/%m/%Y %H:%M")


def _date(value: object) -> str:
    return "" if fmt.is_missing(value) else fmt.uk_date(value)


def _percent(value: fmt.Figure) -> str:
    return fmt.percent(value) if not fmt.is_missing(value) else "not scored"


def indicator_value(unit: str, value: fmt.Figure) -> str:
    """An indicator's value (or target) in its unit (``%``, ``days``, ``people``): ``95%``,
    ``42 days``, ``20``."""
    return fmt.value(value, unit)


# --- upload ---------------------------------------------------------------------------


def preview_table(preview: pd.DataFrame) -> pd.DataFrame:
    """records.uploads.headline_preview as the page shows it."""
    rows = []
    for r in preview.to_dict("records"):
        unit = r["unit"]
        ytd = indicator_value(unit, r["ytd_value"])
        if r.get("missing_quarters"):
            ytd += f" (without {r['missing_quarters']})"
        rows.append({
            "Service": r["service"], "Indicator": r["label"],
            "This quarter": indicator_value(unit, r["quarter_value"]),
            "Year to date": ytd,
            "Previous quarter": indicator_value(unit, r["previous_value"]),
            "Target": indicator_value(unit, r["target"]) if not fmt.is_missing(r["target"]) else "",
            "RAG": fmt.rag(r["rag"], no_target="") if not fmt.is_missing(r["target"]) else ""})
    return pd.DataFrame(rows, columns=["Service", "Indicator", "This quarter", "Year to date",
                                       "Previous quarter", "Target", "RAG"])


def differences_display(differences: pd.DataFrame) -> pd.DataFrame:
    """records.uploads.differences_table as the page shows it: blank stays "not reported"."""
    return pd.DataFrame(
        [{"Code": r["code"], "Measure": r["measure"],
          "Current version": _measure_value(r["money"], r["current"]),
          "This file": _measure_value(r["money"], r["new"])} for r in differences.to_dict("records")],
        columns=["Code", "Measure", "Current version", "This file"])


# --- history --------------------------------------------------------------------------


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """records.submissions.submission_history as the page shows it."""
    return pd.DataFrame(
        [{"Quarter": r["period"], "Version": r["version"],
          "Status": "Current" if r["is_current"] else "Superseded",
          "Uploaded": uk_time(r["uploaded_at"]), "Uploaded by": r["uploaded_by"],
          "File": r["file_name"], "Completed by": r["completed_by"],
          "Warnings": r["warnings"] or "none"} for r in history.to_dict("records")],
        columns=["Quarter", "Version", "Status", "Uploaded", "Uploaded by", "File",
                 "Completed by", "Warnings"])


def submission_label(row: dict) -> str:
    """``2016/17 Q4 · version 2 (current) · Q4.xlsx`` for choosing a submission."""
    status = "current" if row["is_current"] else "superseded"
    return f"{row['period']} · version {row['version']} ({status}) · {row['file_name']}"


def _measure_value(money: bool, value: fmt.Figure) -> str:
    """A stored measure as the provider reported it: money to the penny, ``not reported`` for a blank."""
    if fmt.is_missing(value):
        return "not reported"
    return fmt.money(value, pence=True) if money else fmt.whole(value)


def values_display(values: pd.DataFrame) -> pd.DataFrame:
    """records.submissions.submission_values: each measure with the cell it came from."""
    return pd.DataFrame(
        [{"Code": r["code"], "Measure": r["measure"], "Value": _measure_value(r["money"], r["value"]),
          "Cell": r["cell"]} for r in values.to_dict("records")],
        columns=["Code", "Measure", "Value", "Cell"])


def sources_display(sources: pd.DataFrame) -> pd.DataFrame:
    """records.submissions.figure_sources as the page shows it."""
    return pd.DataFrame(
        [{"Part": r["role"].capitalize(), "Code": r["code"], "Measure": r["measure"],
          "Quarter": r["quarter"], "Value": _measure_value(r["money"], r["value"]), "Cell": r["cell"],
          "File": r["file_name"], "Version": r["version"], "Uploaded": uk_time(r["uploaded_at"]),
          "Uploaded by": r["uploaded_by"]} for r in sources.to_dict("records")],
        columns=["Part", "Code", "Measure", "Quarter", "Value", "Cell", "File", "Version",
                 "Uploaded", "Uploaded by"])


# --- targets --------------------------------------------------------------------------


def target_history_table(history: pd.DataFrame) -> pd.DataFrame:
    """records.targets.target_history as the page shows it (newest change first)."""
    rows = []
    for r in history.to_dict("records"):
        unit = r["unit"]
        tolerance = (f"{fmt.whole(r['tolerance'] * 100)} points" if unit == "%"
                     else fmt.value(r["tolerance"], unit))
        rows.append({"Indicator": r["label"], "Target": fmt.value(r["value"], unit),
                     "Amber within": tolerance, "Better": r["direction"],
                     "From": r["effective"], "Note": r["note"],
                     "Changed": uk_time(r["created_at"]), "By": r["created_by"]})
    return pd.DataFrame(rows, columns=["Indicator", "Target", "Amber within", "Better", "From",
                                       "Note", "Changed", "By"])


# --- visits, actions, meetings, escalation --------------------------------------------


def visits_table(visits: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Service": r["service"], "Visit date": _date(r["visit_date"]), "Score": _percent(r["score"]),
          "After action plan": _percent(r["score_after"]), "Summary": r["summary"],
          "Recorded": uk_time(r["created_at"]), "By": r["created_by"]}
         for r in visits.to_dict("records")],
        columns=["Service", "Visit date", "Score", "After action plan", "Summary", "Recorded", "By"])


def visit_label(row: dict) -> str:
    return f"{row['service']} · {_date(row['visit_date'])}"


def actions_table(actions: pd.DataFrame) -> pd.DataFrame:
    """The actions log for reading: overdue ones say so in words as well as colour."""
    return pd.DataFrame(
        [{"Overdue": "⚠ Overdue" if r["overdue"] else "", "Action": r["text"], "Owner": r["owner"],
          "Due": _date(r["due_date"]), "Status": r["status"], "Service": r["service"],
          "Indicator": r["indicator_label"], "Meeting": r["meeting"],
          "Last change": uk_time(r["updated_at"] if not fmt.is_missing(r["updated_at"])
                                 else r["created_at"]),
          "By": r["updated_by"] or r["created_by"]} for r in actions.to_dict("records")],
        columns=["Overdue", "Action", "Owner", "Due", "Status", "Service", "Indicator", "Meeting",
                 "Last change", "By"])


def actions_styler(table: pd.DataFrame, overdue: pd.Series):
    """The actions table with overdue rows tinted (they also say "⚠ Overdue" in words)."""
    flags = list(overdue)

    def tint(row: pd.Series) -> list[str]:
        colour = "background-color: rgba(213, 94, 0, 0.18)" if flags[row.name] else ""
        return [colour] * len(row)

    return table.reset_index(drop=True).style.apply(tint, axis=1)


def action_label(row: dict) -> str:
    due = f" · due {_date(row['due_date'])}" if not fmt.is_missing(row["due_date"]) else ""
    text = row["text"] if len(row["text"]) <= 60 else row["text"][:57] + "…"
    return f"{text}{due} ({row['status']})"


def meetings_table(meetings: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Meeting": _date(r["meeting_date"]), "Quarter": r["quarter"], "Notes": r["notes"],
          "Recorded": uk_time(r["created_at"]), "By": r["created_by"]}
         for r in meetings.to_dict("records")],
        columns=["Meeting", "Quarter", "Notes", "Recorded", "By"])


def escalation_table(history: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Date": _date(r["changed_on"]), "Stage": r["stage"], "Note": r["note"],
          "Recorded": uk_time(r["created_at"]), "By": r["created_by"]}
         for r in history.to_dict("records")],
        columns=["Date", "Stage", "Note", "Recorded", "By"])


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FIELD_WORDS = {"text": "action", "due_date": "due date", "meeting_id": "meeting",
                "service_id": "service", "score_after": "score after action plan",
                "visit_date": "visit date", "meeting_date": "meeting date"}


def _change_value(field: str, text: str | None) -> str:
    if text is None:
        return ""
    if _ISO_DATE.match(text):
        return fmt.uk_date(text)
    if field in ("score", "score_after"):
        return fmt.percent(float(text))
    return text


def changes_table(changes: pd.DataFrame, records: dict[int, str] | None = None) -> pd.DataFrame:
    """records.changes.change_history as the page shows it; ``records`` names each record by id."""
    return pd.DataFrame(
        [{"Record": (records or {}).get(r["record_id"], str(r["record_id"])),
          "Changed": uk_time(r["changed_at"]), "By": r["changed_by"],
          "Field": _FIELD_WORDS.get(r["field"], r["field"].replace("_", " ")),
          "Was": _change_value(r["field"], r["old_value"]),
          "Now": _change_value(r["field"], r["new_value"])} for r in changes.to_dict("records")],
        columns=["Record", "Changed", "By", "Field", "Was", "Now"])


def stored_warnings_table(warnings: list[dict]) -> pd.DataFrame:
    """The warnings stored with a submission (dicts from Finding.as_dict)."""
    return pd.DataFrame(
        [{"Where": w.get("location") or w.get("cell") or "workbook", "Warning": w.get("message", ""),
          "What to do": w.get("advice", "")} for w in warnings],
        columns=["Where", "Warning", "What to do"])


def figure_text(indicators: pd.DataFrame, code: str, quarter, basis: str, catalogue: Catalogue) -> str:
    """``Refuge occupancy, 2016/17 Q3: 99% (7,514 of 7,590)`` from the engine's table
    (``catalogue``: the contract's type)."""
    ind = catalogue.indicators_by_code[code]
    rows = indicators[(indicators["indicator"] == code) & (indicators["basis"] == basis)
                      & (indicators["period"] == quarter.index)] if not indicators.empty else indicators
    when = fmt.period(quarter, basis)
    if rows.empty:
        return f"{ind.label}, {when}: no data"
    row = rows.iloc[0]
    text = f"{ind.label}, {when}: {fmt.value(row['value'], ind.unit)}"
    if ind.is_ratio and not fmt.is_missing(row["numerator"]) and not fmt.is_missing(row["denominator"]):
        # Pounds spent show as money (£130,752 of £131,249); counts and nights as numbers.
        money = all(catalogue.measures_by_code[c].type == "money" for c in ind.numerator_for(basis))
        text += f" ({fmt.fraction(row['numerator'], row['denominator'], money)})"
    return text


def targets_saved(changed: list[str], effective, catalogue: Catalogue) -> str:
    names = ", ".join(catalogue.label(c) for c in changed)
    count = f"{len(changed)} target{'s' if len(changed) != 1 else ''}"
    return f"Saved {count} from {effective.label} on: {names}."


def visit_chart_bars(scores: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """records.visits.scores_by_year for ``dashboard.charts.stacked_bars(stacked=False)``.

    One group of bars per service (``label``); within it, one bar per year and stage,
    oldest first, in percentage points: the years read left to right. Returns the
    series and its (column, name) pairs.
    """
    if scores.empty:
        return pd.DataFrame(columns=["label"]), []
    stages = (("Visit", "at the visit"), ("After action plan", "after the action plan"))
    columns = [(f"{year}:{stage}", f"{year} {words} (%)") for year in sorted(scores["year"].unique())
               for stage, words in stages
               if ((scores["year"] == year) & (scores["stage"] == stage)).any()]
    rows = []
    for service, held in scores.groupby("service", sort=True):
        row = {"label": service}
        for column, _ in columns:
            year, stage = column.split(":")
            match = held[(held["year"] == int(year)) & (held["stage"] == stage)]
            row[column] = float(match["score"].iloc[0]) * 100 if len(match) else None
        rows.append(row)
    return pd.DataFrame(rows, columns=["label", *[c for c, _ in columns]]), columns


def visit_chart_table(scores: pd.DataFrame) -> pd.DataFrame:
    """The chart's table view: one row per service and year."""
    if scores.empty:
        return pd.DataFrame(columns=["Service", "Year", "Visit", "After action plan"])
    wide = scores.pivot_table(index=["service", "year"], columns="stage", values="score",
                              aggfunc="last").reset_index()
    return pd.DataFrame(
        [{"Service": r["service"], "Year": str(r["year"]),
          "Visit": _percent(r.get("Visit")), "After action plan": _percent(r.get("After action plan"))}
         for r in wide.to_dict("records")],
        columns=["Service", "Year", "Visit", "After action plan"])
