"""Meeting mode: the meeting pack's sections one at a time, full screen and in large type, for a projector.

The same content as the PDF pack (``reports.content.gather``), small numbers
suppressed unless the chair turns that off. Previous / Next (or the ← and →
keys) move between sections.
"""

import math

import streamlit as st

import formats as fmt
from dashboard import cache, charts, state
from figures.visits import visits_chart
from models.periods import Quarter
from reports.content import PackContent, gather
from reports.figures import indicator_chart
from reports.suppression import HIDDEN, LEGEND

PAGE = "meeting"
SLIDE = state.page_key(PAGE, "slide")
SUPPRESS = state.page_key(PAGE, "suppress")
FULL_SCREEN = state.page_key(PAGE, "full-screen")

#: Large type for a room: everything scaled up, tables with big cells.
STYLE = """
<style>
  .block-container, [data-testid="stMainBlockContainer"] { padding-top: 1.2rem; padding-bottom: 1rem;
                                                          max-width: 100%; }
  .meeting { font-size: 1.55rem; line-height: 1.45; }
  .meeting h1 { font-size: 2.8rem; margin-bottom: .3rem; }
  .meeting h2 { font-size: 2.1rem; margin: .6rem 0 .3rem 0; }
  .meeting p, .meeting li { font-size: 1.55rem; }
  .meeting table { border-collapse: collapse; width: 100%; font-size: 1.45rem; }
  .meeting th { text-align: left; border-bottom: 3px solid #222; padding: .35rem .6rem; }
  .meeting td { border-bottom: 1px solid #bbb; padding: .35rem .6rem; vertical-align: top; }
  .meeting tr:nth-child(even) td { background: #f3f3f3; }
  .meeting .muted { color: #555; font-size: 1.15rem; }
  .meeting blockquote { font-style: italic; border-left: 6px solid #0072B2; margin: .4rem 0;
                        padding: .2rem 1rem; }
  .rag-green { color: #009E73; } .rag-amber { color: #E69F00; } .rag-red { color: #D55E00; }
  /* Every slide fits a 1920×1080 projector without scrolling: the long ones in smaller type
     and in two columns. */
  .meeting .compact table { font-size: 1.12rem; }
  .meeting .compact td, .meeting .compact th { padding: .16rem .5rem; }
  .meeting .compact p, .meeting .compact li { font-size: 1.2rem; }
  .meeting .two { display: grid; grid-template-columns: 1fr 1fr; gap: 2.2rem; align-items: start; }
  .meeting .two h2:first-child { margin-top: 0; }
  .meeting .service table { font-size: 1.2rem; }
  .meeting .service blockquote { font-size: 1.2rem; max-height: 16rem; overflow: auto; }
</style>
"""
HIDE_CHROME = """
<style>
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  header[data-testid="stHeader"] { display: none; }
</style>
"""


def esc(text: object) -> str:
    """Text shown as typed: HTML special characters escaped."""
    import html

    return html.escape("" if text is None else str(text))


@st.cache_data(show_spinner="Gathering the pack…", max_entries=32)
def pack_content(url: str, version: str, contract: str, year: int, quarter: int,
                 suppress: bool, actor) -> PackContent:
    return gather(cache.engine(), contract, Quarter(year, quarter), actor=actor, suppress=suppress)


def rag_html(rag: str | None, target_text: str) -> str:
    if rag not in fmt.RAG_WORD:
        return "no target" if target_text in ("", "none") else fmt.NO_DATA
    return f'<span class="rag-{rag}">{fmt.RAG_ICON[rag]}</span> {fmt.RAG_WORD[rag]}'


def trend_html(line) -> str:
    if line.change_text == HIDDEN:
        return HIDDEN
    if not line.trend:
        return "–"
    if line.change_text in ("no change", fmt.NO_DATA):
        return esc(line.change_text)
    return f"{esc(line.change_text)} {esc(fmt.trend(line.trend))}"


#: (indicator, basis) -> the engine's row at the meeting's quarter (target, tolerance, direction),
#: set once the quarter is known: the pack's lines carry the target but not its tolerance.
ENGINE_ROWS: dict[tuple[str, str], dict] = {}


def engine_rows(contract: str, quarter: Quarter, version: str) -> dict[tuple[str, str], dict]:
    table = cache.indicators(contract, version)
    at = table[table["period"] == quarter.index]
    return {(r["indicator"], r["basis"]): r for r in at.to_dict("records")}


def _figure_cell(line, figure, basis: str) -> str:
    """A figure as the pack prints it; beside a RAG, to one decimal where whole would hide why."""
    row = ENGINE_ROWS.get((line.code, basis))
    if figure.hidden or figure.value is None or row is None or fmt.is_missing(row.get("target")):
        return esc(figure.text)
    return esc(fmt.rag_value(figure.value, line.unit, row["target"], row.get("tolerance"),
                             row.get("direction"), with_months=line.show_months))


def _target_cell(line) -> str:
    row = ENGINE_ROWS.get((line.code, "quarter"))
    if row is None or fmt.is_missing(row.get("target")):
        return esc(line.target_text)
    return esc(fmt.target_band(row["target"], row.get("tolerance"), row.get("direction"), line.unit))


def _rag_cell(line) -> str:
    """The RAG with the sentence that decides it as its tooltip."""
    cell = rag_html(line.rag, line.target_text)
    row = ENGINE_ROWS.get((line.code, "quarter"))
    if line.quarter.hidden or line.rag not in fmt.RAG_WORD or row is None:
        return cell
    reason = fmt.rag_reason(line.quarter.value, line.unit, row["target"], row.get("tolerance"),
                            row.get("direction"))
    return f'<span title="{esc(reason)}">{cell}</span>'


def indicator_table(lines, with_service: bool) -> str:
    head = (["Service"] if with_service else []) + ["Indicator", "Quarter", "Year to date", "Target",
                                                     "RAG", "On previous quarter"]
    rows = []
    previous = None
    for line in lines:
        cells = []
        if with_service:
            cells.append(f"<b>{esc(line.service)}</b>" if line.service != previous else "")
            previous = line.service
        cells += [esc(line.label), _figure_cell(line, line.quarter, "quarter"),
                  _figure_cell(line, line.ytd, "ytd"), _target_cell(line), _rag_cell(line), trend_html(line)]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return ("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def show(html_text: str) -> None:
    st.html(f'<div class="meeting">{html_text}</div>')


def slide_cover(content: PackContent) -> None:
    q = content.quarter
    meeting = fmt.uk_date(content.meeting_date) if content.meeting_date else "not yet arranged"
    show(f"<h1>Contract monitoring meeting: {esc(q.label)}</h1>"
         f"<p><b>{esc(content.reference)}</b> {esc(content.title)}</p>"
         f"<p>Provider: <b>{esc(content.provider)}</b> · Commissioner: {esc(content.commissioner)}</p>"
         f"<p>Quarter {esc(q.label)} ({q.start.strftime('%B %Y')} to {q.end.strftime('%B %Y')}) · "
         f"meeting {esc(meeting)}</p>"
         f"<p>Contract value {esc(fmt.money(content.annual_value))} a year · term {esc(content.term)} · "
         f"escalation: {esc(content.escalation)}</p>"
         + (f'<p class="muted">{esc(content.suppression_note)}</p>' if content.suppressed else
            '<p class="muted">All figures shown, including counts under 5: council use only.</p>'))


def slide_summary(content: PackContent) -> None:
    show(f"<h1>Summary of indicators, {esc(content.quarter.label)}</h1><div class=\"compact\">"
         + indicator_table(content.summary, with_service=True)
         + (f'<p class="muted">{esc(content.suppression_note)}</p>' if content.suppressed else "")
         + "</div>")


def slide_in_brief(content: PackContent) -> None:
    parts = [f"<h1>The quarter in brief, {esc(content.quarter.label)}</h1><div class=\"compact two\"><div><ul>"]
    parts += [f"<li>{esc(s)}</li>" for s in content.narrative]
    parts.append("</ul></div><div><h2>Exceptions</h2>")
    if content.exceptions:
        parts.append("<table><thead><tr><th>What</th><th>Service</th><th>Detail</th></tr></thead><tbody>")
        for item in content.exceptions:
            key = item.kind.lower()
            what = rag_html(key, "x") if key in fmt.RAG_WORD else esc(item.kind)
            parts.append(f"<tr><td>{what}</td><td>{esc(item.service)}</td><td>{esc(item.text)}</td></tr>")
        parts.append("</tbody></table>")
    else:
        parts.append("<p>None.</p>")
    if content.general_commentary:
        parts.append(f"<h2>The provider's general commentary</h2>"
                     f"<blockquote>{esc(content.general_commentary)}</blockquote>")
    parts.append("</div></div>")
    show("".join(parts))


#: Height in pixels the charts of a service slide share (a 1080-pixel screen less the bar and
#: margins), and the gap Streamlit leaves between two charts.
CHART_SPACE = 820
CHART_GAP = 16

#: What a chart says when every figure of it is hidden by small-number suppression, as the PDF does.
ALL_HIDDEN = f"Hidden ({HIDDEN}): small numbers,<br>so that a number under 5<br>cannot be worked out"


def meeting_figure(line, points, highlight: str):
    """An indicator's chart for a slide: a figure hidden by suppression is said to be hidden
    (its quarter labelled ``[c]`` or ``<5`` at the foot), never drawn as "no data"."""
    hidden = [p for p in points if p.hidden]
    if points and hidden and all(p.value is None for p in points):
        return charts.empty(line.short, ALL_HIDDEN)
    # The pack's description of the chart (figures.trend), drawn with Plotly: the hidden
    # quarters are named at the foot, as in the PDF.
    return charts.trend_figure(indicator_chart(line, points, highlight))


def slide_service(content: PackContent, name: str, commentary_topics: tuple[str, ...]) -> None:
    section = content.section(name)
    text = f"<h1>{esc(name)}, {esc(content.quarter.label)}</h1>" + indicator_table(section.indicators, False)
    if any(line.quarter.hidden or line.ytd.hidden or line.change_text == HIDDEN for line in section.indicators):
        text += f'<p class="muted">{esc(content.suppression_note or LEGEND)}</p>'
    if name in commentary_topics:
        text += ("<h2>The provider's commentary</h2>"
                 + (f"<blockquote>{esc(section.commentary)}</blockquote>" if section.commentary
                    else "<p>No commentary for this service this quarter.</p>"))
    # Figures on the left, charts on the right, two to a row, sized so that the whole slide
    # fits a 1920×1080 projector (a service of seven indicators was 2.4 screens tall).
    left, right = st.columns([5, 6], gap="large")
    with left:
        show(f'<div class="service">{text}</div>')
    rows = max(1, math.ceil(len(section.indicators) / 2))
    height = max(190, min(420, (CHART_SPACE - CHART_GAP * (rows - 1)) // rows))
    with right:
        columns = st.columns(2, gap="small")
        for n, line in enumerate(section.indicators):
            fig = meeting_figure(line, section.history.get(line.code, []), content.quarter.label)
            big = height >= 330
            fig.update_layout(font=dict(size=18 if big else 13), title_font=dict(size=24 if big else 16),
                              height=height, margin=dict(t=40 if not big else 60))
            with columns[n % 2]:
                st.plotly_chart(fig, theme=None, key=f"{PAGE}:{line.code}",
                                config={"displaylogo": False})


def slide_visits(content: PackContent) -> None:
    rows = "".join(f"<tr><td>{esc(v['service'])}</td><td>{esc(v['date'])}</td><td>{esc(v['score_text'])}</td>"
                   f"<td>{esc(v['score_after_text'])}</td><td>{esc(v['summary'])}</td></tr>"
                   for v in content.visits)
    show("<h1>Quality visits</h1>"
         + ("<table><thead><tr><th>Service</th><th>Visit</th><th>Score</th><th>After action plan</th>"
            f"<th>Summary</th></tr></thead><tbody>{rows}</tbody></table>" if rows
            else "<p>No quality visit is recorded for this contract.</p>"))
    fig = charts.visits_figure(visits_chart(content.visits))
    if fig is not None:
        fig.update_layout(font=dict(size=18), width=None, height=460)
        st.plotly_chart(fig, theme=None, key=f"{PAGE}:visits", config={"displaylogo": False})


def slide_actions(content: PackContent) -> None:
    if not content.actions:
        show("<h1>Open and overdue actions</h1><p>No open action is recorded for this contract.</p>")
        return
    rows = "".join(
        f"<tr><td>{esc(a['text'])}</td><td>{esc(a['service'] or 'Contract')}</td>"
        f"<td>{esc(a['owner'] or 'not set')}</td><td>{esc(a['due'])}</td>"
        f"<td>{'<b>' + esc(a['status']) + ' — overdue</b>' if a['overdue'] else esc(a['status'])}</td></tr>"
        for a in content.actions)
    overdue = sum(1 for a in content.actions if a["overdue"])
    show(f"<h1>Open and overdue actions</h1><p>{len(content.actions)} open, {overdue} overdue.</p>"
         "<table><thead><tr><th>Action</th><th>Service</th><th>Owner</th><th>Due</th><th>Status</th>"
         f"</tr></thead><tbody>{rows}</tbody></table>")


selection = state.current()
catalogue = state.require_catalogue(selection) if selection.contract else None
if state.require_selection(selection) and catalogue is not None:
    contract, quarter, version = selection.contract, selection.quarter, selection.version
    st.html(STYLE)
    if st.session_state.get(FULL_SCREEN, True):
        st.html(HIDE_CHROME)
    content = pack_content(cache.database_url(), version, contract, quarter.year, quarter.quarter,
                           st.session_state.get(SUPPRESS, True), selection.actor)
    ENGINE_ROWS.clear()
    ENGINE_ROWS.update(engine_rows(contract, quarter, version))
    slides = ["Cover", "Summary", "The quarter in brief", *[s.name for s in content.sections],
              "Quality visits", "Actions"]
    index = min(max(int(st.session_state.get(SLIDE, 0)), 0), len(slides) - 1)

    def move(step: int) -> None:
        st.session_state[SLIDE] = min(max(index + step, 0), len(slides) - 1)

    bar = st.columns([1.2, 1.2, 3, 2.2, 2.2], vertical_alignment="center")
    bar[0].button("Previous", on_click=move, args=(-1,), disabled=index == 0, shortcut="Left",
                  key=f"{PAGE}:previous", width="stretch")
    bar[1].button("Next", on_click=move, args=(1,), disabled=index == len(slides) - 1,
                  shortcut="Right", key=f"{PAGE}:next", type="primary", width="stretch")
    bar[2].markdown(f"**{index + 1} of {len(slides)}: {slides[index]}** · {contract} {quarter.label}")
    bar[3].toggle("Suppress small numbers", value=True, key=SUPPRESS,
                  help="Counts of 1 to 4 people shown as <5, and figures that would give them away hidden.")
    bar[4].toggle("Full screen", value=True, key=FULL_SCREEN,
                  help="Hide the sidebar and the page header; turn off to choose another contract or quarter.")

    name = slides[index]
    if name == "Cover":
        slide_cover(content)
    elif name == "Summary":
        slide_summary(content)
    elif name == "The quarter in brief":
        slide_in_brief(content)
    elif name == "Quality visits":
        slide_visits(content)
    elif name == "Actions":
        slide_actions(content)
    else:
        slide_service(content, name, catalogue.commentary_topics)
