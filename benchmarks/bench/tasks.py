"""A task that does nothing but note when a worker started it: how long a queued task waits."""

import time
from pathlib import Path

from django_tasks import task


@task()
def note_start(path: str) -> None:
    # Written under another name, then renamed: the waiting benchmark never reads it half-written.
    partial = Path(f"{path}.partial")
    partial.write_text(repr(time.time()))
    partial.replace(path)
