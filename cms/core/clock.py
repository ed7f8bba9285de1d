"""Running code as if at another instant: for sample data and tests that need a history.

The guards refuse to publish with a start date in the past, and the public record keeps when
each notice really went live; a sample of a closed or finalised notice is therefore made by
publishing it on its (past) start day, not by moving its dates afterwards.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock


@contextmanager
def travel_to(at: datetime) -> Iterator[datetime]:
    """Within the block, ``django.utils.timezone.now()`` answers ``at`` (an aware datetime)."""
    if at.tzinfo is None:
        raise ValueError("travel_to needs an aware datetime")
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield at
