"""A service page of the chosen contract's type, drawn from the layout in its type file.

Every contract type lists its service pages (``[[pages]]`` in ``contract_types/<type>.toml``),
each a list of blocks: headings, notes, trends, stacked bars, outcomes, funnels, spend.
``app.py`` adds one ``st.Page`` per page of the chosen contract's type, each calling
:func:`service_page` with the page's slug (its URL path); the blocks are drawn by
``dashboard.sections.draw_page``. No page here knows a measure or an indicator.
"""

from __future__ import annotations

from dashboard import layout, sections, state


def service_page(slug: str) -> None:
    """Draw the service page ``slug`` of the chosen contract's type (``app.py`` lists only those)."""
    selection = state.current()
    catalogue = state.require_catalogue(selection) if selection.contract else None
    page = catalogue.page(slug) if catalogue else None
    layout.page_header(page.title if page else "Service", selection)
    if state.require_selection(selection) and page is not None:
        sections.draw_page(selection, catalogue, page)
