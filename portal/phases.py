"""The phases of a build, timed and reported as each starts: ``[2/8] render (120 sources) …``."""

import time
from collections.abc import Callable

# In the order they run; a build runs some of them: the first build indexes before it goes
# live ("search index"), later ones go live first and index a copy ("… and open data").
PHASES = (
    "export", "render", "feeds and open data", "search index", "switch",
    "search index and open data", "switch again", "prepare next",
)  # fmt: skip


class Phases:
    """Times each phase and reports it as it starts: ``[2/5] render …``."""

    def __init__(self, progress: Callable[[str], None] | None):
        self.progress, self.seconds, self._last = progress, {}, None

    def start(self, name: str, detail: str = "") -> None:
        self._stop()
        self._last = (name, time.monotonic())
        if self.progress:
            step = f"[{PHASES.index(name) + 1}/{len(PHASES)}]"
            self.progress(f"{step} {name}{f' ({detail})' if detail else ''} …")

    def _stop(self) -> None:
        if self._last:
            name, began = self._last
            self.seconds[name] = time.monotonic() - began
            self._last = None

    def done(self) -> dict[str, float]:
        self._stop()
        return self.seconds
