import time
from .test_browser_screens import *  # noqa
from .test_browser_screens import _drawn

def test_dbg(hostile_dashboard, chromium):
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{hostile_dashboard}/overview?contract=ASC0013&quarter=2016-17-Q4")
    _drawn(page)
    print(page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMain"] a')].filter(a => a.href.includes('evil')).slice(0,6).map(a => [a.href, a.innerText, a.parentElement.outerHTML.slice(0, 300)])"""))
