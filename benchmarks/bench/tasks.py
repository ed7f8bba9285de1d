"""A task that does nothing but note when a worker started it: how long a queued task waits."""

import time
from pathlib import Path

from django_tasks import task


@task()
def note_start(path: str) -> None:
    Path(path).write_text(repr(time.time()))
