"""Colours and marks shared by the Plotly and the ReportLab renderers.

Colours are Okabe–Ito (colour-blind safe). RAG is never colour alone: each RAG
has its own marker (named as Plotly names them; the PDF draws the same shapes).
"""

from __future__ import annotations

import formats as fmt

#: Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7",
}
#: Series colours in order (yellow left out: too pale on white).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
LINE_COLOUR = "#0072B2"
TARGET_COLOUR = "#000000"
SPC_COLOUR = "#666666"
GRID_COLOUR = "#E5E5E5"
#: The amber band between a target and the edge of its tolerance: orange, 18% opaque.
BAND_COLOUR = "#E69F00"
BAND_OPACITY = 0.18
#: The chosen quarter, shaded.
HIGHLIGHT_COLOUR = "#56B4E9"
HIGHLIGHT_OPACITY = 0.15
#: Text of a hidden figure's label at the foot of a chart, and of an empty chart's message.
NOTE_COLOUR = "#333333"
MUTED_COLOUR = "#555555"

#: Marker of a point by its RAG (None: no target).
RAG_SYMBOL = {"green": "circle", "amber": "diamond", "red": "x", None: "circle-open"}
RAG_COLOUR: dict[str | None, str] = {key: colour for key, colour in fmt.RAG_COLOUR.items()}
RAG_COLOUR[None] = LINE_COLOUR
