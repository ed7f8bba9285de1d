"""What the resident builder keeps in memory between builds (see :mod:`portal.builder`).

A build reads the same large files first every time: the notices' state, the public record the
portal keeps, the live build's manifest. :func:`loaded` reads a file through a loader once and
hands out that value again while the file is unchanged (same inode, size and modification time:
each is replaced by a rename, or, the public record, appended to, which changes its size).

It is off unless :func:`enable` was called, which only the builder does, in its parent process:
that process never builds, so it never changes what it holds, and each build runs in a forked
child, whose changes to the values stay its own (copy on write). A build in a process of its own
reads every file as before.
"""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# kind → (path, identity, value): one value of each kind, so that the manifests of builds long
# gone are not held.
_held: dict[str, tuple[str, tuple[int, int, int], Any]] = {}
_enabled = False


def enable() -> None:
    global _enabled
    _enabled = True


def enabled() -> bool:
    """Whether this process is the builder or one of its builds."""
    return _enabled


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def loaded(path: Path, loader: Callable[[], T], kind: str) -> T:
    """``loader()``'s value for ``path`` as it is now: when enabled, the value held from an
    earlier call of the same ``kind`` while that was for this file, unchanged."""
    if not _enabled:
        return loader()
    where, identity = os.fspath(path), _identity(path)
    held = _held.get(kind)
    if identity is not None and held is not None and held[:2] == (where, identity):
        return held[2]
    value = loader()
    if identity is not None and identity == _identity(path):
        _held[kind] = (where, identity, value)
    return value
