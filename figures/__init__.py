"""Each chart described once, as plain data: what the dashboard (Plotly) and the pack (ReportLab) draw.

No Streamlit, no Plotly, no ReportLab here. A description says everything a reader
sees (series, target line, amber band, RAG markers, titles, axis units and range,
figures hidden by small-number suppression); a renderer only turns it into
marks: ``dashboard.charts`` on screen, ``reports.figures`` in the PDF. So the
pack and the screen cannot disagree about a chart.

- :mod:`figures.style`: the colours, marker symbols and fonts both renderers use.
- :mod:`figures.trend`: one indicator quarter by quarter (:class:`TrendChart`).
- :mod:`figures.visits`: quality-visit scores by service (:class:`VisitsChart`).
- :mod:`figures.summary`: one indicator's figures in words ("62 of 67", value, target, RAG,
  change), for the Overview and the pack alike.
"""
