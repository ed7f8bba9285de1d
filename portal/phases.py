"""The phases of a build, timed and reported as each starts: ``[2/8] render (120 sources) …``.

These lines (on the build's error output) are what whatever runs ``python -m portal build``
learns of it while it runs; the CMS's rebuild task reads them and shows the phase in the admin:

- ``[2/8] render (120 sources) …``: a phase starts (its name is one of :data:`PHASES`);
- ``[0/8] wait for lock (…) …``: another build holds the build lock, this one waits for it;
- ``build failed: search index``: the build failed, and why (one of :data:`FAILURES`).
"""

import time
from collections.abc import Callable

from .client import CMSUnavailable
from .render import RenderError
from .search import SearchIndexError

# In the order they run; a build runs some of them: the first build indexes before it goes
# live ("search index"), later ones go live first and index a copy ("… and open data").
PHASES = (
    "export", "render", "feeds and open data", "search index", "switch",
    "search index and open data", "switch again", "prepare next",
)  # fmt: skip
WAIT = "wait for lock"  # before the first phase, while another build holds the build lock

# Why a build failed, as ``build failed: <kind>`` says it.
CMS_UNREACHABLE, PELICAN, SEARCH_INDEX = "cms unreachable", "pelican", "search index"
OTHER = "other"
FAILURES = (CMS_UNREACHABLE, PELICAN, SEARCH_INDEX, OTHER)
FAILURE_PREFIX = "build failed: "


def phase_line(name: str, detail: str = "") -> str:
    """``[2/8] render (120 sources) …``; ``[0/8] wait for lock …`` for :data:`WAIT`."""
    step = PHASES.index(name) + 1 if name in PHASES else 0
    return f"[{step}/{len(PHASES)}] {name}{f' ({detail})' if detail else ''} …"


def failure_kind(error: BaseException) -> str:
    """Which of :data:`FAILURES` ``error`` (a failed build's, with its causes) is."""
    chain, seen = [], error
    while seen is not None:
        chain.append(seen)
        seen = seen.__cause__
    causes = ((CMS_UNREACHABLE, CMSUnavailable), (PELICAN, RenderError),
              (SEARCH_INDEX, SearchIndexError))  # fmt: skip
    for kind, kinds in causes:
        if any(isinstance(link, kinds) for link in chain):
            return kind
    return PELICAN if str(error).startswith("Pelican") else OTHER


def failure_line(kind: str) -> str:
    return f"{FAILURE_PREFIX}{kind}"


class Phases:
    """Times each phase and reports it as it starts: ``[2/5] render …``."""

    def __init__(self, progress: Callable[[str], None] | None):
        self.progress, self.seconds, self._last = progress, {}, None

    def start(self, name: str, detail: str = "") -> None:
        self._stop()
        self._last = (name, time.monotonic())
        if self.progress:
            self.progress(phase_line(name, detail))

    def _stop(self) -> None:
        if self._last:
            name, began = self._last
            self.seconds[name] = time.monotonic() - began
            self._last = None

    def done(self) -> dict[str, float]:
        self._stop()
        return self.seconds
