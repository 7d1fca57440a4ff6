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
from dashboard.warm import warm_before_listening


def main(argv: list[str] | None = None) -> None:
    # The pages are listed by st.navigation in app.py, never read from the pages/ folder.
    PagesManager.uses_pages_directory = False
    args = sys.argv[1:] if argv is None else argv
    script = str(settings.ROOT / "app.py")
    _read_config(script, args)
    # Before listening: the first visitor then waits no longer than anyone else.
    print(f"  {warm_before_listening()}", flush=True)
    sys.argv = ["streamlit", "run", script, *args]
    cli.main()


def _read_config(script: str, args: list[str]) -> None:
    """Streamlit's settings read with the command line's options before the warm-up uses
    Streamlit: read without them, the options would look like a change made after the start,
    and Streamlit would print that it must be restarted (it need not)."""
    from streamlit import config
    from streamlit.web import bootstrap

    context = cli.main_run.make_context("run", [script, *args], resilient_parsing=True)
    config._main_script_path = script     # where Streamlit looks for the app's own settings
    bootstrap.load_config_options(flag_options={name: value for name, value in context.params.items()
                                                if name not in ("target", "args")})


if __name__ == "__main__":
    main()
