"""Shared Streamlit plumbing for the pages.

- ``cache``: the one database engine and the cached loaders (keyed by a data version);
  ``cache.clear()`` after storing something.
- ``state``: the sidebar's contract and quarter, kept in the URL; ``state.current()``
  at the top of every page (its ``catalogue``: the contract type's, from its file);
  ``state.page_key`` for a page's own session keys.
- UK formats (money, dates, quarters, percentages, RAG, "no data") are ``formats.py`` at the
  root, shared with the narrative and the meeting pack.
- ``charts``: Plotly figure builders with a colour-blind-safe (Okabe–Ito) palette.
- ``views``: the tables and series the pages draw, shaped from the indicator engine's output.
- ``layout``: drawing helpers: a chart with its table beside it, the quarter/year-to-date switch.
- ``sections``: the blocks the service pages are made of (one chart and its table each),
  drawn in the order the contract type's file lists them (``sections.draw_page``).

Nothing here names a measure or an indicator: the catalogue is an argument, and
cached loaders take the type's name (``cache.catalogue(name)`` finds it).

Pages only draw what these modules give them.
"""
