"""Plotly figures to PNG through kaleido, with the machine's Chromium.

Kaleido 1.x drives a Chrome-family browser through choreographer. We point it
at the system Chromium (``MONITORING_BROWSER``, default ``/usr/bin/chromium``)
and never let it fetch one of its own. MathJax is switched off (charts have no
formulae, and its default is a CDN the server cannot reach) and plotly.js is the
copy inside the plotly package, so rendering needs no network at all.

Starting Chromium and loading plotly.js into it takes seconds, drawing a figure
a fraction of one, so :class:`Renderer` starts the browser on a thread of its
own as soon as it is made: the pack gathers its figures meanwhile, and one
browser (one tab: the machine has two cores) draws them all.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import threading
from collections.abc import Sequence

DEFAULT_BROWSER = "/usr/bin/chromium"
#: Pixels per CSS pixel: the pack's 800-pixel-wide charts print 174 mm wide at about 190 dpi.
SCALE = 1.6


class NoBrowser(RuntimeError):
    """No Chromium to draw charts with; the message says what to install or set."""


def browser_path() -> str:
    """The Chromium to use: ``MONITORING_BROWSER``, else ``/usr/bin/chromium``, else one on PATH."""
    configured = os.environ.get("MONITORING_BROWSER")
    for candidate in (configured, DEFAULT_BROWSER, shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise NoBrowser("Charts are drawn with Chromium, which is not installed: install the Debian "
                    "package 'chromium' (apt-get install chromium) or set MONITORING_BROWSER "
                    "to a Chrome or Chromium program.")


class Renderer:
    """A Chromium started in the background, drawing Plotly figures (objects or dicts) to PNG.

    Use as a context manager; :meth:`render` waits for the browser if it is still starting.
    """

    def __init__(self, scale: float = SCALE):
        self.scale = scale
        browser = browser_path()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chart-renderer",
                                        daemon=True)
        self._thread.start()
        self._kaleido = asyncio.run_coroutine_threadsafe(self._open(browser), self._loop)

    @staticmethod
    async def _open(browser: str):
        import kaleido

        # An explicit path: choreographer then looks for no other browser, and kaleido
        # never downloads one (that only happens through its get_chrome command).
        k = kaleido.Kaleido(n=1, mathjax=False, path=browser)
        await k.open()
        return k

    def submit(self, figures: Sequence) -> concurrent.futures.Future:
        """Start drawing ``figures``; the future gives their PNG bytes in order."""
        opts = {"format": "png", "scale": self.scale}

        async def draw() -> list[bytes]:
            k = await asyncio.wrap_future(self._kaleido)
            return [await k.calc_fig(f, opts=opts) for f in figures]

        return asyncio.run_coroutine_threadsafe(draw(), self._loop)

    def render(self, figures: Sequence) -> list[bytes]:
        """Each figure as PNG bytes at its layout's width and height times the scale."""
        return self.submit(figures).result()

    def close(self) -> None:
        try:
            k = self._kaleido.result()
            asyncio.run_coroutine_threadsafe(k.close(), self._loop).result(timeout=30)
        except Exception:  # noqa: BLE001 - closing after a failure: the failure is what matters
            pass
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            self._loop.close()

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def render_png(figures: Sequence, scale: float = SCALE) -> list[bytes]:
    """Each figure as PNG bytes (one browser started and closed for the lot)."""
    if not figures:
        return []
    with Renderer(scale) as renderer:
        return renderer.render(figures)
