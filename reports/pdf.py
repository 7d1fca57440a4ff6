"""The meeting pack as a PDF: A4, print-friendly, page numbers on every page.

Laid out with ReportLab's platypus from a :class:`~reports.content.PackContent`
and its charts, drawn as vector graphics (``reports.figures``: each service's
indicators, and the quality visits). Black text on white,
colour only as a second cue: each RAG has its own symbol and word (as on the
dashboard), each trend an arrow and a word, so the pack reads the same printed
in grey.

Sections: cover; summary of every indicator; the quarter in brief (narrative,
exceptions, the provider's general commentary); a section per service with its
table, the provider's commentary and its charts; quality visits; open and
overdue actions.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

import formats as fmt
import settings

from .content import IndicatorLine, PackContent
from .suppression import HIDDEN

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN

INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#BBBBBB")
SHADE = colors.HexColor("#F0F0F0")
RAG_COLOURS = {key: colors.HexColor(value) for key, value in fmt.RAG_COLOUR.items()}

# --- fonts ----------------------------------------------------------------------------------
# DejaVu Sans (Debian's fonts-dejavu-core) has the RAG and trend symbols and the minus
# sign; ReportLab's own Vera is the fallback, without them.
_FONT_FILES = {
    "Pack": ("DejaVuSans.ttf", "Vera.ttf"),
    "Pack-Bold": ("DejaVuSans-Bold.ttf", "VeraBd.ttf"),
    "Pack-Italic": ("DejaVuSans-Oblique.ttf", "VeraIt.ttf"),
    "Pack-BoldItalic": ("DejaVuSans-BoldOblique.ttf", "VeraBI.ttf"),
}
_SYMBOLS_FALLBACK = {"✔": "", "▲": "", "✖": "", "↗": "", "↘": "", "→": "", "−": "-", "…": "..."}
_has_symbols = True


def _register_fonts() -> None:
    global _has_symbols
    if "Pack" in pdfmetrics.getRegisteredFontNames():
        return
    import reportlab

    vera = Path(reportlab.__file__).parent / "fonts"
    for name, (dejavu, fallback) in _FONT_FILES.items():
        path = settings.FONT_DIR / dejavu
        if not path.is_file():
            path, _has_symbols = vera / fallback, False
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily("Pack", normal="Pack", bold="Pack-Bold", italic="Pack-Italic",
                                  boldItalic="Pack-BoldItalic")


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as entities, as ``xml.sax.saxutils.escape`` does; written out here
    because importing that module brings ``urllib.request``, ``http`` and ``email`` with it
    (some 40 ms of ``python -m reports pack``, which has 2 seconds in all)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _t(text: object) -> str:
    """Text safe for a Paragraph (escaped), with symbols the font lacks replaced."""
    value = "" if text is None else str(text)
    if not _has_symbols:
        for symbol, plain in _SYMBOLS_FALLBACK.items():
            value = value.replace(symbol, plain)
    return escape(value)


# --- styles ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    head: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    quote: ParagraphStyle
    bullet: ParagraphStyle


def _styles() -> Styles:
    body = ParagraphStyle("body", fontName="Pack", fontSize=10, leading=13.5, textColor=INK,
                          alignment=TA_LEFT, spaceAfter=4)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10.5, textColor=MUTED),
        cell=ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0),
        cell_bold=ParagraphStyle("cellb", parent=body, fontName="Pack-Bold", fontSize=8.5,
                                 leading=10.5, spaceAfter=0),
        head=ParagraphStyle("head", parent=body, fontName="Pack-Bold", fontSize=8.5, leading=10.5,
                            spaceAfter=0),
        h1=ParagraphStyle("h1", parent=body, fontName="Pack-Bold", fontSize=16, leading=20,
                          spaceBefore=0, spaceAfter=8),
        h2=ParagraphStyle("h2", parent=body, fontName="Pack-Bold", fontSize=12, leading=15,
                          spaceBefore=8, spaceAfter=5),
        title=ParagraphStyle("title", parent=body, fontName="Pack-Bold", fontSize=24, leading=29,
                             spaceAfter=6),
        subtitle=ParagraphStyle("subtitle", parent=body, fontSize=14, leading=18, spaceAfter=4),
        quote=ParagraphStyle("quote", parent=body, fontName="Pack-Italic", leftIndent=8,
                             borderColor=RULE, borderWidth=0, borderPadding=0),
        bullet=ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=2),
    )


# --- pieces ---------------------------------------------------------------------------------


def rag_markup(rag: str | None, target_text: str = "") -> str:
    """``✔ Green`` with the symbol in its colour; ``no target`` or ``no data`` otherwise."""
    if rag not in fmt.RAG_WORD:
        return _t("no target" if target_text in ("", "none") else "no data")
    colour = fmt.RAG_COLOUR[rag]
    return f'<font color="{colour}">{_t(fmt.RAG_ICON[rag])}</font> {_t(fmt.RAG_WORD[rag])}'


def trend_markup(line: IndicatorLine) -> str:
    if line.change_text == HIDDEN:
        return _t(HIDDEN)
    if not line.trend:
        return _t("–")
    return _t(fmt.trend(line.trend))


def _value_markup(line: IndicatorLine, which: str, counts: bool = False) -> str:
    figure = line.quarter if which == "quarter" else line.ytd
    text = _t(figure.text)
    notes = []
    if counts:
        notes.append(line.fraction_text if which == "quarter" else line.ytd_fraction_text)
    if which == "ytd" and line.ytd_missing and not figure.hidden and figure.value is not None:
        notes.append("lacks " + line.ytd_missing)
    for note in filter(None, notes):
        text += f'<br/><font size="7" color="#555555">{_t(note)}</font>'
    return text


def _table(rows: list[list], widths: list[float], *, header_rows: int = 1,
           zebra: bool = True, extra: list | None = None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=header_rows, hAlign="LEFT")
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, header_rows), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        style.append(("LINEBELOW", (0, 0), (-1, header_rows - 1), 0.8, INK))
    if zebra:
        for r in range(header_rows, len(rows), 2):
            style.append(("BACKGROUND", (0, r), (-1, r), SHADE))
    table.setStyle(TableStyle(style + (extra or [])))
    return table


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text, style)


def _legend(content: PackContent, s: Styles) -> list:
    parts = ["RAG against the target: "
             + ", ".join(f"{rag_markup(k)} {_t(fmt.RAG_MEANING[k])}" for k in ("green", "amber", "red"))
             + ". Trend: the quarter against the one before."]
    if content.suppressed:
        parts.append(_t(content.suppression_note))
    return [_p(" ".join(parts), s.small)]


# --- sections -------------------------------------------------------------------------------


def _cover(content: PackContent, s: Styles) -> list:
    q = content.quarter
    months = f"{q.start.strftime('%B %Y')} to {q.end.strftime('%B %Y')}"
    meeting = fmt.uk_date(content.meeting_date) if content.meeting_date else "not yet arranged"
    story: list = [Spacer(1, 30 * mm),
                   _p(_t("Quarterly contract monitoring meeting"), s.title),
                   _p(_t(f"{content.reference}: {content.title}"), s.subtitle),
                   Spacer(1, 6 * mm)]
    details = [
        ("Quarter", f"{q.label} ({months})"),
        ("Date of the meeting", meeting),
        ("Provider", content.provider),
        ("Commissioner", content.commissioner),
        ("Contract type", content.contract_type_title),
        ("Contract value", f"{fmt.money(content.annual_value)} a year"),
        ("Contract term", content.term),
        ("Escalation stage", content.escalation),
    ]
    ret = content.return_details
    if ret.get("version"):
        completed = ret.get("completed_by") or "not stated"
        when = ret.get("date_completed")
        if when:
            # Strings are returned as typed; anything else that is not a date is shown as it is.
            with contextlib.suppress(TypeError):
                when = fmt.uk_date(when)
            completed += f", {when}"
        details.append(("Provider's return", f"version {ret['version']}, completed by {completed}"))
    details.append(("Pack made", fmt.uk_date(content.made_on)))
    rows = [[_p(_t(k), s.cell_bold), _p(_t(v), s.cell)] for k, v in details]
    story.append(_table(rows, [45 * mm, TEXT_WIDTH - 45 * mm], header_rows=0, zebra=False,
                        extra=[("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                               ("FONTSIZE", (0, 0), (-1, -1), 10)]))
    story.append(Spacer(1, 10 * mm))
    if content.suppressed:
        story.append(_p(_t("For sharing outside the council: counts of 1 to 4 people are shown as "
                           "<5, and figures from which such a count could be worked out are not "
                           "shown ([c]): by adding up parts to a total, by taking a count from "
                           "another of which it is part (so no \u201cx of y\u201d leaves fewer "
                           "than 5 people who are not x), from a percentage, or from a year to "
                           "date. The provider's commentary is reproduced as written."),
                        s.body))
    else:
        story.append(_p("<b>" + _t("For council use only: this pack shows every figure, including "
                                   "counts of fewer than 5 people. Make the pack with small numbers "
                                   "suppressed before sharing it outside the council.") + "</b>",
                        s.body))
    story.append(Spacer(1, 6 * mm))
    story.append(_p("<b>Contents</b>", s.body))
    for name in ("Summary of indicators", "The quarter in brief", *[x.name for x in content.sections],
                 "Quality visits", "Open and overdue actions"):
        story.append(_p(_t(name), s.bullet))
    story.append(PageBreak())
    return story


def _summary(content: PackContent, s: Styles) -> list:
    head = ["Service", "Indicator", "Quarter", "Year to date", "Target", "RAG", "Trend"]
    # The target with its amber band (figures.summary, as on the Overview): ``75% (amber ≥65%)``.
    widths = [20 * mm, 50 * mm, 20 * mm, 22 * mm, 22 * mm, 19 * mm]
    widths.append(TEXT_WIDTH - sum(widths))
    rows = [[_p(_t(h), s.head) for h in head]]
    previous_service = None
    for line in content.summary:
        rows.append([
            _p(_t(line.service if line.service != previous_service else ""), s.cell_bold),
            _p(_t(line.label), s.cell),
            _p(_value_markup(line, "quarter"), s.cell),
            _p(_value_markup(line, "ytd"), s.cell),
            _p(_t(line.target_text), s.cell),
            _p(rag_markup(line.rag, line.target_text), s.cell),
            _p(trend_markup(line), s.cell),
        ])
        previous_service = line.service
    q = content.quarter
    return [_p(_t(f"Summary of indicators, {q.label}"), s.h1),
            _p(_t(f"Quarter: {q.label}. Year to date: {fmt.period(q, 'ytd')}. "
                  "Percentages are rounded to whole numbers."), s.small),
            _table(rows, widths), Spacer(1, 3 * mm), *_legend(content, s), PageBreak()]


def _in_brief(content: PackContent, s: Styles) -> list:
    story: list = [_p(_t(f"The quarter in brief, {content.quarter.label}"), s.h1)]
    for sentence in content.narrative:
        story.append(Paragraph(_t(sentence), s.bullet, bulletText="•"))
    story.append(_p(_t("Exceptions"), s.h2))
    if not content.exceptions:
        story.append(_p(_t("None: every indicator with a target met it, every measure was "
                           "reported, and no action is overdue."), s.body))
    else:
        rows = [[_p(_t(h), s.head) for h in ("What", "Service", "Detail")]]
        for item in content.exceptions:
            kind = item.kind
            key = kind.lower()
            marker = rag_markup(key) if key in fmt.RAG_WORD else _t(kind)
            rows.append([_p(marker, s.cell), _p(_t(item.service), s.cell), _p(_t(item.text), s.cell)])
        story.append(_table(rows, [30 * mm, 24 * mm, TEXT_WIDTH - 54 * mm]))
    if content.general_commentary:
        story.append(_p(_t("The provider's general commentary"), s.h2))
        story.append(_p(_t(content.general_commentary), s.quote))
    story.append(PageBreak())
    return story


def _service(content: PackContent, index: int, s: Styles, chart: list | None) -> list:
    section = content.sections[index]
    story: list = [_p(_t(section.name), s.h1)]
    head = ["Indicator", "Quarter", "Year to date", "Target", "RAG", "On previous quarter"]
    widths = [52 * mm, 24 * mm, 28 * mm, 22 * mm, 19 * mm]
    widths.append(TEXT_WIDTH - sum(widths))
    rows = [[_p(_t(h), s.head) for h in head]]
    for line in section.indicators:
        on_previous = _t(line.change_text or "–")
        if line.trend and line.change_text not in (HIDDEN, fmt.NO_DATA, "no change"):
            on_previous += "<br/>" + trend_markup(line)
        rows.append([_p(_t(line.label), s.cell), _p(_value_markup(line, "quarter", True), s.cell),
                     _p(_value_markup(line, "ytd", True), s.cell),
                     _p(_t(line.target_text), s.cell), _p(rag_markup(line.rag, line.target_text), s.cell),
                     _p(on_previous, s.cell)])
    story.append(_table(rows, widths))
    story.append(Spacer(1, 2 * mm))
    story += _legend(content, s)
    money = [m for m in content.measures if m.sheet == section.name and m.money]
    if money:
        story.append(_p(_t(f"Expenditure, {content.quarter.label}"), s.h2))
        rows = [[_p(_t(h), s.head) for h in ("Measure", "Quarter")]]
        rows += [[_p(_t(m.label), s.cell), _p(_t(m.text), s.cell)] for m in money]
        story.append(_table(rows, [90 * mm, 30 * mm]))
    if section.has_commentary:
        story.append(_p(_t("The provider's commentary"), s.h2))
        story.append(_p(_t(section.commentary or "No commentary for this service this quarter."),
                        s.quote if section.commentary else s.body))
    if chart:
        # The service's charts (reports.figures): a heading, a legend, then rows of two, each
        # row a vector drawing that moves whole to the next page when it does not fit.
        story.append(Spacer(1, 3 * mm))
        story.append(_p(_t(f"{section.name}: quarter by quarter"), s.h2))
        story += chart
    story.append(PageBreak())
    return story


def _visits(content: PackContent, s: Styles, chart=None) -> list:
    story: list = [_p(_t("Quality visits"), s.h1)]
    if not content.visits:
        story.append(_p(_t("No quality visit is recorded for this contract."), s.body))
    else:
        rows = [[_p(_t(h), s.head) for h in ("Service", "Visit", "Score", "After action plan",
                                              "Summary")]]
        for v in content.visits:
            rows.append([_p(_t(v["service"]), s.cell), _p(_t(v["date"]), s.cell),
                         _p(_t(v["score_text"]), s.cell), _p(_t(v["score_after_text"]), s.cell),
                         _p(_t(v["summary"]), s.cell)])
        widths = [24 * mm, 20 * mm, 14 * mm, 22 * mm]
        story.append(_table(rows, widths + [TEXT_WIDTH - sum(widths)]))
        if chart is not None:
            story.append(Spacer(1, 4 * mm))
            story.append(chart)
    return story


def _actions(content: PackContent, s: Styles) -> list:
    story: list = [Spacer(1, 6 * mm), _p(_t("Open and overdue actions"), s.h1)]
    if not content.actions:
        story.append(_p(_t("No open action is recorded for this contract."), s.body))
        return story
    overdue = sum(1 for a in content.actions if a["overdue"])
    story.append(_p(_t(f"{len(content.actions)} open, of which {overdue} overdue "
                       f"(as at {fmt.uk_date(content.made_on)})."), s.body))
    rows = [[_p(_t(h), s.head) for h in ("Action", "Service", "Owner", "Due", "Status")]]
    for a in content.actions:
        status = a["status"] + (" — OVERDUE" if a["overdue"] else "")
        rows.append([_p(_t(a["text"]), s.cell), _p(_t(a["service"] or "Contract"), s.cell),
                     _p(_t(a["owner"] or "not set"), s.cell), _p(_t(a["due"]), s.cell),
                     _p(f"<b>{_t(status)}</b>" if a["overdue"] else _t(status), s.cell)])
    widths = [24 * mm, 28 * mm, 20 * mm, 30 * mm]
    story.append(_table(rows, [TEXT_WIDTH - sum(widths)] + widths))
    return story


# --- the document -----------------------------------------------------------------------------


def _numbered_canvas(content: PackContent):
    """A canvas that writes "Page n of N" and the pack's name at the foot of every page."""
    footer_left = f"{content.reference} · {content.quarter.label} · contract monitoring meeting pack"
    footer_mark = ("Small numbers suppressed" if content.suppressed
                   else "Council use only: contains small numbers")

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, 13 * mm, PAGE_WIDTH - MARGIN, 13 * mm)
            self.setFont("Pack", 8)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, 9 * mm, footer_left)
            self.drawCentredString(PAGE_WIDTH / 2, 5.5 * mm, footer_mark)
            self.drawRightString(PAGE_WIDTH - MARGIN, 9 * mm, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


def write_pdf(content: PackContent, charts: bool = True) -> bytes:
    """The pack as PDF bytes; ``charts``: with each service's charts and the quality visits'
    (vector drawings, ``reports.figures``), else without."""
    from .figures import service_drawings, visits_drawing

    _register_fonts()
    # Binary streams: ASCII85 makes the file bigger and, in pure Python, takes seconds.
    rl_config.useA85 = 0
    drawn: dict[str, Any] = {}
    if charts:
        drawn = {section.name: service_drawings(section, content.quarter.label, TEXT_WIDTH)
                 for section in content.sections}
        drawn["Quality visits"] = visits_drawing(content.visits, TEXT_WIDTH)
    s = _styles()
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=f"{content.reference} {content.quarter.label} meeting pack",
        author=content.commissioner or "Contract monitoring", subject=content.title,
        creator="Contract monitoring", lang="en-GB")
    frame = Frame(MARGIN, MARGIN, TEXT_WIDTH, PAGE_HEIGHT - 2 * MARGIN, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story: list = []
    story += _cover(content, s)
    story += _summary(content, s)
    story += _in_brief(content, s)
    for index, section in enumerate(content.sections):
        story += _service(content, index, s, drawn.get(section.name))
    story += _visits(content, s, drawn.get("Quality visits"))
    story += _actions(content, s)
    doc.build(story, canvasmaker=_numbered_canvas(content))
    return out.getvalue()
