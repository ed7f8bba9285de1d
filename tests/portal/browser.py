"""What the portal's browser tests share: Chromium (Debian's, driven by Playwright on a thread of
its own), a static server for the built site, and the rule that a missing tool skips locally but
fails in CI."""

import concurrent.futures
import functools
import http.server
import os
import queue
import shutil
import threading
import unicodedata
from pathlib import Path

import pytest

from portal.search import SearchIndexError, pagefind_executable

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]  # fmt: skip


class PrintedText(str):
    """Text read back from a PDF, compared after NFKC on both sides: some CJK fonts (Noto CJK)
    give compatibility forms that read the same, e.g. the Kangxi radical ⽰ for 示."""

    def __contains__(self, needle: object) -> bool:
        return isinstance(needle, str) and unicodedata.normalize("NFKC", needle) in str(self)


def pdf_text(data: bytes) -> PrintedText:
    """A printed PDF's text without whitespace, NFKC-normalised (see ``PrintedText``)."""
    import io

    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    text = "".join("".join((sheet.extract_text() or "").split()) for sheet in pages)
    return PrintedText(unicodedata.normalize("NFKC", text))


def _require(available: bool, what: str) -> None:
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what}; CI=true, so this test may not be skipped", pytrace=False)
    pytest.skip(what)


def require_pagefind() -> Path:
    """Pagefind's extended binary; without it the test is skipped (fails in CI, see above)."""
    try:
        return pagefind_executable()
    except SearchIndexError:
        _require(False, "Pagefind's extended binary is missing (pip install 'pagefind[extended]')")
        raise  # not reached: _require skips or fails


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".wasm": "application/wasm"}  # fmt: skip

    def log_message(self, *args):
        pass


class _BrowserThread:
    """Playwright's sync API on a thread of its own, which every browser test runs on.

    On the test's own thread, Playwright would keep an asyncio loop running between calls; Django
    then hands that thread another database connection (asgiref's Local) and the database's
    reset between tests goes wrong. So the tests' own thread never runs Playwright."""

    def __init__(self):
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="playwright", daemon=True).start()
        from playwright.sync_api import sync_playwright

        self.playwright = self.run(lambda: sync_playwright().start())
        try:
            self.browser = self.run(
                self.playwright.chromium.launch, executable_path=CHROMIUM, args=CHROMIUM_FLAGS
            )
        except BaseException:
            self.run(self.playwright.stop)
            self._jobs.put(None)
            raise

    def _serve(self):
        while (job := self._jobs.get()) is not None:
            call, future = job
            try:
                future.set_result(call())
            except BaseException as exc:  # assertions, skips and failures go back to the test
                future.set_exception(exc)

    def run(self, call, *args, **kwargs):
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._jobs.put((functools.partial(call, *args, **kwargs), future))
        return future.result(timeout=120)

    def close(self):
        try:
            self.run(self.browser.close)
            self.run(self.playwright.stop)
        finally:
            self._jobs.put(None)


_BROWSER: list[_BrowserThread] = []  # the module's browser, while it runs


def in_browser_thread(test):
    """Runs the test on the browser's thread (its fixtures are set up on pytest's)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return _BROWSER[0].run(test, *args, **kwargs)

    return run


@pytest.fixture(scope="module")
def _module():
    state: dict = {}
    yield state
    if _BROWSER:
        _BROWSER.pop().close()
    if "server" in state:
        state["server"].shutdown()
        state["server"].server_close()


@pytest.fixture
def origin(_module, site):
    if "server" not in _module:
        handler = functools.partial(_QuietHandler, directory=str(site.output))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        _module["server"] = server
    return f"http://127.0.0.1:{_module['server'].server_address[1]}"


@pytest.fixture
def browser(_module, origin):
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _require(False, "Playwright is not installed (pip install playwright)")
    _require(os.access(CHROMIUM, os.X_OK), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    if not _BROWSER:
        _BROWSER.append(_BrowserThread())
    return _BROWSER[0].browser


@pytest.fixture
def page(browser):
    context = _BROWSER[0].run(browser.new_context, locale="zh-CN")
    page = _BROWSER[0].run(context.new_page)
    _BROWSER[0].run(page.set_default_timeout, 10_000)
    yield page
    _BROWSER[0].run(context.close)


# Pagefind's own JavaScript over the site's index, as the search page uses it: pagefind.js from
# the first shard listed in pagefind/bundles.json, the others merged in. Returns the site paths
# found for a query.
PAGEFIND_QUERY = """async (query) => {
  const listed = await (await fetch("/pagefind/bundles.json")).json();
  const pagefind = await import(`/pagefind/${listed.bundles[0]}pagefind.js`);
  for (const bundle of listed.bundles.slice(1)) {
    await pagefind.mergeIndex(`/pagefind/${bundle}`);
  }
  const found = await pagefind.search(query);
  return Promise.all(found.results.map((result) => result.data().then((data) => data.url)));
}"""
