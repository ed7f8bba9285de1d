"""Work run beside the build, in a fork of the process, with its value sent back (pickled).

The build is one thread of Python: a fork is how a second core takes part. Only the resident
builder's builds use it (see :func:`portal.warm.enabled`): a fork copies one thread, and that
process is known to run no other thread while it exports.
"""

import os
import pickle
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ForkFailed(RuntimeError):
    """The forked work ended without a value (killed, or its error could not be sent back)."""


def start(work: Callable[[], T]) -> Callable[[], T]:
    """Starts ``work()`` in a fork; returns the wait for its value (or its exception)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running the parent's clean-ups
        os.close(read_end)
        try:
            try:
                payload = pickle.dumps((True, work()))
            except BaseException as exc:  # sent back, raised there
                try:
                    payload = pickle.dumps((False, exc))
                except Exception:
                    payload = pickle.dumps((False, ForkFailed(repr(exc))))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(0)
    os.close(write_end)

    def wait() -> T:
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()  # before waiting: a full pipe would hold the child
        _, status = os.waitpid(pid, 0)
        if not payload:
            raise ForkFailed(f"the forked work ended without a value ({status})")
        succeeded, value = pickle.loads(payload)  # noqa: S301  (from our own fork)
        if not succeeded:
            raise value
        return value

    return wait
