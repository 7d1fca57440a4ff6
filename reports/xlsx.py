"""The meeting pack as an Excel workbook, for monitors who want the figures themselves.

Sheets: ``Summary`` (every indicator for the quarter); one sheet per service
with its indicators, the provider's commentary and, for each indicator, its
quarters in a small table beside a native Excel line chart with the target
line; ``Measures`` (the raw measures of the quarter, with the workbook cell
each came from); ``Submissions``; ``Quality visits``; ``Actions``.

Numbers are stored as numbers with UK formats (percentages as fractions of 1
with a ``0%`` format, money in pounds); a hidden figure is the text ``<5`` or
``[c]``, never a number. Every text cell is written through
:func:`models.safe_text.write_text`, so a provider's text starting with ``=``
stays text. The texts are the pack's (at most ``content.PACK_TEXT_LIMIT`` characters, a
longer one cut with a note saying so); a cell never holds more than Excel's 32,767
characters, and one that would is cut with the same note.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

import formats as fmt
from models.safe_text import write_text

from .content import Figure, IndicatorLine, PackContent, ServiceSection, cut_note

NUMBER_FORMATS = {"%": "0%", "people": "#,##0", "days": "#,##0", "money": "£#,##0.00"}
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
MUTED = Font(italic=True, color="555555")
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
RAG_FILLS = {"green": "CCEBE3", "amber": "FAE5BF", "red": "F5D0BF"}
THIN = Side(style="thin", color="BBBBBB")
WRAP = Alignment(wrap_text=True, vertical="top")
# Made once and shared by every cell that uses them: openpyxl compares each new style
# object with the workbook's, so one per cell cost a noticeable part of the workbook's time.
RIGHT = Alignment(horizontal="right")
HEADER_BORDER = Border(bottom=THIN)
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="bottom")
RAG_PATTERN_FILLS = {rag: PatternFill("solid", fgColor=colour) for rag, colour in RAG_FILLS.items()}
#: Rows taken by one indicator's block on a service sheet (its table and its chart).
BLOCK_ROWS = 18


#: The most characters Excel keeps in a cell; a longer text is cut and says so.
EXCEL_CELL_LIMIT = 32_767


def _put(ws: Worksheet, row: int, column: int, value, number_format: str | None = None,
         font: Font | None = None):
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        if len(value) > EXCEL_CELL_LIMIT:
            # Excel would refuse to open the file: cut it, and say so in the cell.
            note = cut_note(len(value), EXCEL_CELL_LIMIT)
            value = value[:EXCEL_CELL_LIMIT - len(note)] + note
        write_text(cell, value)
    else:
        cell.value = value
        if number_format and value is not None:
            cell.number_format = number_format
    if font:
        cell.font = font
    return cell


def _figure(ws: Worksheet, row: int, column: int, figure: Figure, unit: str):
    """A figure as a number in its format, or its text when hidden or missing."""
    if figure.value is None:
        cell = _put(ws, row, column, figure.text)
        cell.alignment = RIGHT
        return cell
    return _put(ws, row, column, figure.value, NUMBER_FORMATS.get(unit))


def _header(ws: Worksheet, row: int, names: list[str]) -> None:
    for column, name in enumerate(names, start=1):
        cell = _put(ws, row, column, name, font=BOLD)
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = HEADER_ALIGNMENT


def _widths(ws: Worksheet, widths: list[float]) -> None:
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width


def _title(ws: Worksheet, content: PackContent, heading: str) -> int:
    """Title lines at the top of a sheet; returns the next free row."""
    _put(ws, 1, 1, heading, font=TITLE)
    _put(ws, 2, 1, f"{content.reference} {content.title} — {content.provider}")
    _put(ws, 3, 1, f"Quarter {content.quarter.label}; year to date {fmt.period(content.quarter, 'ytd')}.")
    row = 4
    if content.suppressed:
        _put(ws, row, 1, content.suppression_note, font=MUTED)
    else:
        _put(ws, row, 1, "Council use only: every figure is shown, including counts under 5.",
             font=MUTED)
    return row + 2


def _rag_cell(ws: Worksheet, row: int, column: int, line: IndicatorLine) -> None:
    text = fmt.rag(line.rag, "no target" if line.target is None else "no data")
    cell = _put(ws, row, column, text)
    if line.rag in RAG_PATTERN_FILLS:
        cell.fill = RAG_PATTERN_FILLS[line.rag]


def _indicator_row(ws: Worksheet, row: int, line: IndicatorLine, with_service: bool) -> None:
    values = [line.service] if with_service else []
    values += [line.code, line.label]
    for column, value in enumerate(values, start=1):
        _put(ws, row, column, value).alignment = WRAP
    column = len(values) + 1
    _figure(ws, row, column, line.quarter, line.unit)
    _figure(ws, row, column + 1, line.ytd, line.unit)
    if line.target is None:
        _put(ws, row, column + 2, "none")
    else:
        _put(ws, row, column + 2, line.target, NUMBER_FORMATS.get(line.unit))
    _rag_cell(ws, row, column + 3, line)
    _put(ws, row, column + 4, fmt.trend(line.trend) if line.trend else "")
    _put(ws, row, column + 5, line.change_text)
    _put(ws, row, column + 6, line.fraction_text)
    _put(ws, row, column + 7, line.ytd_fraction_text)
    _put(ws, row, column + 8, line.ytd_missing and f"lacks {line.ytd_missing}")


INDICATOR_COLUMNS = ["Quarter", "Year to date", "Target", "RAG", "Trend", "On previous quarter",
                     "Counts, quarter", "Counts, year to date", "Year to date note"]


def _summary_sheet(wb: Workbook, content: PackContent) -> None:
    ws = wb.active
    ws.title = "Summary"
    row = _title(ws, content, "Quarterly contract monitoring meeting pack")
    meeting = fmt.uk_date(content.meeting_date) if content.meeting_date else "not yet arranged"
    for label, value in (("Date of the meeting", meeting), ("Escalation stage", content.escalation),
                         ("Pack made", fmt.uk_date(content.made_on))):
        _put(ws, row, 1, label, font=BOLD)
        _put(ws, row, 3, value)
        row += 1
    row += 1
    _header(ws, row, ["Service", "Code", "Indicator", *INDICATOR_COLUMNS])
    header_row = row
    for line in content.summary:
        row += 1
        _indicator_row(ws, row, line, with_service=True)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=4)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(3 + len(INDICATOR_COLUMNS))}{row}"
    row += 2
    _put(ws, row, 1, "The quarter in brief", font=BOLD)
    for sentence in content.narrative:
        row += 1
        _put(ws, row, 1, sentence)
    if content.general_commentary:
        row += 2
        _put(ws, row, 1, "The provider's general commentary", font=BOLD)
        row += 1
        _put(ws, row, 1, content.general_commentary)
    if content.exceptions:
        row += 2
        _put(ws, row, 1, "Exceptions", font=BOLD)
        for item in content.exceptions:
            row += 1
            _put(ws, row, 1, item.kind)
            _put(ws, row, 2, item.service)
            _put(ws, row, 3, item.text)
    _widths(ws, [13, 13, 48, 12, 12, 10, 12, 14, 18, 14, 14, 14])


def _service_sheet(wb: Workbook, content: PackContent, section: ServiceSection) -> None:
    ws = wb.create_sheet(section.name[:31])
    row = _title(ws, content, section.name)
    _header(ws, row, ["Code", "Indicator", *INDICATOR_COLUMNS])
    for line in section.indicators:
        row += 1
        _indicator_row(ws, row, line, with_service=False)
    if section.has_commentary:
        row += 2
        _put(ws, row, 1, "The provider's commentary", font=BOLD)
        row += 1
        _put(ws, row, 1, section.commentary or "No commentary for this service this quarter.")
    row += 2
    _put(ws, row, 1, "Quarter by quarter (the chart beside each table; a blank value is hidden or "
                     "not reported, as the note says)", font=MUTED)
    row += 2
    for line in section.indicators:
        _history_block(ws, row, line, section.history.get(line.code, []), content)
        row += BLOCK_ROWS
    _widths(ws, [12, 48, 12, 12, 10, 12, 14, 18, 14, 14, 14])


def _history_block(ws: Worksheet, row: int, line: IndicatorLine, points, content: PackContent) -> None:
    """One indicator's quarters as a table (Quarter, value, target, note) and a line chart."""
    _put(ws, row, 1, f"{line.short} ({line.label})" if line.short != line.label else line.label,
         font=BOLD)
    top = row + 1
    _header(ws, top, ["Quarter", line.short, "Target", "Note"])
    fmt_code = NUMBER_FORMATS.get(line.unit)
    for n, point in enumerate(points, start=1):
        r = top + n
        _put(ws, r, 1, point.quarter.label)
        if point.value is not None:
            _put(ws, r, 2, point.value, fmt_code)
        if point.target is not None:
            _put(ws, r, 3, point.target, fmt_code)
        note = point.hidden or ("no data" if point.value is None else "")
        if point.quarter == content.quarter:
            note = (note + "; " if note else "") + "this quarter"
        _put(ws, r, 4, note)
    if not points:
        return
    last = top + len(points)
    chart = LineChart()
    chart.title = line.short
    chart.height, chart.width = 7.0, 15.0
    chart.y_axis.title = {"%": "Per cent", "people": "People", "days": "Days"}.get(line.unit, "")
    chart.y_axis.number_format = fmt_code or "General"
    chart.x_axis.title = "Quarter"
    # openpyxl 3.1 marks axes deleted unless told otherwise; Excel would then hide them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.scaling.min = 0
    chart.display_blanks = "gap"
    has_target = any(p.target is not None for p in points)
    data = Reference(ws, min_col=2, max_col=3 if has_target else 2, min_row=top, max_row=last)
    chart.add_data(data, titles_from_data=True)
    # Quarters are text: a string reference, so Excel labels the axis with them.
    quarters = f"{quote_sheetname(ws.title)}!$A${top + 1}:$A${last}"
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=quarters))
    value_series = chart.series[0]
    value_series.marker.symbol = "circle"
    value_series.smooth = False
    value_series.graphicalProperties.line.solidFill = "0072B2"
    value_series.marker.graphicalProperties.solidFill = "0072B2"
    if has_target:
        target_series = chart.series[1]
        target_series.graphicalProperties.line.solidFill = "000000"
        target_series.graphicalProperties.line.dashStyle = "dash"
        target_series.marker.symbol = "none"
        target_series.smooth = False
    chart.legend.position = "b"
    ws.add_chart(chart, f"F{row}")


def _measures_sheet(wb: Workbook, content: PackContent) -> None:
    ws = wb.create_sheet("Measures")
    row = _title(ws, content, f"The provider's measures, {content.quarter.label}")
    _header(ws, row, ["Code", "Sheet", "Measure", "Value", "Where it came from"])
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    for m in content.measures:
        row += 1
        _put(ws, row, 1, m.code)
        _put(ws, row, 2, m.sheet)
        _put(ws, row, 3, m.label)
        if m.value is None:
            cell = _put(ws, row, 4, m.text)
            cell.alignment = RIGHT
        else:
            _put(ws, row, 4, m.value, NUMBER_FORMATS["money"] if m.money else "#,##0")
        _put(ws, row, 5, m.cell)
    _widths(ws, [8, 12, 70, 14, 18])


def _submissions_sheet(wb: Workbook, content: PackContent) -> None:
    ws = wb.create_sheet("Submissions")
    row = _title(ws, content, "Returns received")
    names = ["Quarter", "Version", "Status", "Uploaded", "Uploaded by", "File", "Completed by",
             "Date completed", "Warnings", "Warning details"]
    _header(ws, row, names)
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    for s in content.submissions:
        row += 1
        uploaded = s["uploaded_at"]
        if isinstance(uploaded, datetime) and uploaded.tzinfo is not None:
            uploaded = uploaded.replace(tzinfo=None)   # Excel has no time zones
        values = [s["period"], s["version"], s["status"], uploaded, s["uploaded_by"], s["file_name"],
                  s["completed_by"], s["date_completed"], s["warning_count"], s["warnings"]]
        for column, value in enumerate(values, start=1):
            if hasattr(value, "to_pydatetime"):
                value = value.to_pydatetime().replace(tzinfo=None)
            cell = _put(ws, row, column, value, "dd/mm/yyyy hh:mm" if column == 4 else None)
            cell.alignment = WRAP
    _widths(ws, [12, 8, 11, 17, 18, 30, 18, 14, 10, 60])


def _visits_sheet(wb: Workbook, content: PackContent) -> None:
    ws = wb.create_sheet("Quality visits")
    row = _title(ws, content, "Quality visits")
    _header(ws, row, ["Service", "Visit", "Score", "After action plan", "Summary"])
    for v in content.visits:
        row += 1
        _put(ws, row, 1, v["service"])
        _put(ws, row, 2, v["visit_date"], "dd/mm/yyyy")
        if v["score"] is not None:
            _put(ws, row, 3, v["score"], "0%")
        else:
            _put(ws, row, 3, "not scored")
        if v["score_after"] is not None:
            _put(ws, row, 4, v["score_after"], "0%")
        else:
            _put(ws, row, 4, "not yet")
        _put(ws, row, 5, v["summary"]).alignment = WRAP
    _widths(ws, [14, 12, 8, 16, 80])


def _actions_sheet(wb: Workbook, content: PackContent) -> None:
    ws = wb.create_sheet("Actions")
    row = _title(ws, content, f"Open and overdue actions at {fmt.uk_date(content.made_on)}")
    _header(ws, row, ["Action", "Service", "Indicator", "Owner", "Due", "Status", "Overdue", "Agreed at"])
    for a in content.actions:
        row += 1
        values = [a["text"], a["service"] or "Contract", a["indicator"], a["owner"], a["due_date"],
                  a["status"], "Overdue" if a["overdue"] else "", a["meeting"]]
        for column, value in enumerate(values, start=1):
            fmt_code = "dd/mm/yyyy" if isinstance(value, date) else None
            _put(ws, row, column, value if value is not None else "", fmt_code).alignment = WRAP
    _widths(ws, [60, 12, 24, 18, 12, 12, 10, 24])


def write_xlsx(content: PackContent) -> bytes:
    """The pack as xlsx bytes."""
    wb = Workbook()
    wb.properties.title = f"{content.reference} {content.quarter.label} meeting pack"
    wb.properties.creator = content.commissioner or "Contract monitoring"
    _summary_sheet(wb, content)
    for section in content.sections:
        _service_sheet(wb, content, section)
    _measures_sheet(wb, content)
    _submissions_sheet(wb, content)
    _visits_sheet(wb, content)
    _actions_sheet(wb, content)
    for ws in wb.worksheets:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.oddFooter.center.text = "&P of &N"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
