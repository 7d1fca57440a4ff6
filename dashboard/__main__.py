"""``python -m dashboard [streamlit options]``: start the dashboard (``streamlit run app.py``).

Why not plain ``streamlit run app.py`` (which also works): with a ``pages/``
folder beside ``app.py``, Streamlit treats the folder as the page list until
some session has run ``st.navigation``. The first visitor after a start who
opens a link straight to a service page (``/refuge``: a page of the contract's
type, which has no file of its own) then sees "Page not found" over the right
page. Starting the server here, with that mode switched off before any session
begins, avoids it. Options are Streamlit's own (``--server.port 8502``,
``--server.address 0.0.0.0`` once sign-in is configured).

Before the server listens, :func:`dashboard.warm.warm` imports the app's code and
computes the first pages' figures, so that the first visit is not a cold start.
"""

from __future__ import annotations

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

import settings
from dashboard.warm import warm


def main(argv: list[str] | None = None) -> None:
    # The pages are listed by st.navigation in app.py, never read from the pages/ folder.
    PagesManager.uses_pages_directory = False
    args = sys.argv[1:] if argv is None else argv
    # Before listening: the first visitor then waits no longer than anyone else.
    seconds = warm()
    print(f"  Made ready in {seconds:.1f} s: the app's code, the schema and the latest quarters.",
          flush=True)
    sys.argv = ["streamlit", "run", str(settings.ROOT / "app.py"), *args]
    cli.main()


if __name__ == "__main__":
    main()
