"""The builds on disk and the lock they take turns under.

``publicity_site/builds/<time>/`` holds each build; ``publicity_site/output`` is a symlink to the
live one, replaced in one rename. Beside each build lie its manifest (what it was rendered from,
:mod:`portal.render`) and its search record (:mod:`portal.search`); ``.spare/`` holds a
hard-linked copy of the live build for the next build to start from, and ``.trash/`` what is
deleted once the lock is free. A build that has to wait for the lock says so in
``.build-waiting/``.
"""

import contextlib
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from .files import hardlink_copy
from .search import record_path
from .urls import SEARCH_INDEX_DIR

KEEP_BUILDS = 2
SPARE_DIR = ".spare"
TRASH_DIR = ".trash"  # builds moved out of the way, deleted once the build lock is free
WAITING_DIR = ".build-waiting"  # a file for each build waiting for the lock


class Superseded(Exception):
    """A build waits for the lock: the second half of this one stops and is left to it."""


def stamp() -> str:
    """A build's name: the time, in UTC, to the microsecond (names sort by age)."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def manifest_path(build_dir: Path) -> Path:
    """Kept beside the build, not in it: it is not part of the published site."""
    return build_dir.with_name(f"{build_dir.name}.manifest.json")


def live_build(output_link: Path) -> Path | None:
    if output_link.is_symlink() and output_link.resolve().is_dir():
        return output_link.resolve()
    return None


# --- copies of the live build -----------------------------------------------------------------


def _spare(site_dir: Path, build: Path) -> Path:
    """Where the copy of ``build`` prepared for the next build is kept."""
    return site_dir / SPARE_DIR / build.name


def prepare_next(site_dir: Path, build_dir: Path, trash: Path | None = None) -> None:
    """A hard-linked copy of the live build for the next incremental build to start from."""
    drop_spare(site_dir, trash)
    (site_dir / SPARE_DIR).mkdir(parents=True)
    hardlink_copy(build_dir, _spare(site_dir, build_dir))


def drop_spare(site_dir: Path, trash: Path | None) -> None:
    """Removes the prepared copy: into ``trash`` when given (a rename), else at once."""
    spares = site_dir / SPARE_DIR
    if trash is not None and spares.is_dir():
        trash.mkdir(parents=True, exist_ok=True)
        spares.rename(trash / SPARE_DIR)
    shutil.rmtree(spares, ignore_errors=True)


def copy_of(site_dir: Path, previous_dir: Path, build_dir: Path) -> None:
    """``build_dir`` as a hard-linked copy of the live build: the one prepared, else made now.

    A prepared copy stays valid as long as its build is live: no file of a build is ever
    rewritten in place (every step writes a new file and renames it over the old name).
    """
    spare = _spare(site_dir, previous_dir)
    if spare.is_dir():
        spare.rename(build_dir)
    else:
        hardlink_copy(previous_dir, build_dir)
    shutil.rmtree(site_dir / SPARE_DIR, ignore_errors=True)


def second_copy(build_dir: Path, copy: Path, check: Callable[[], None]) -> None:
    """A hard-linked copy of a build (its search index left out: it is written afresh)."""
    hardlink_copy(build_dir, copy, skip=(SEARCH_INDEX_DIR,), check=check)


def keep_search_index(previous_dir: Path, build_dir: Path) -> None:
    """A full build over a live site goes live with the live site's search index (hard links),
    then indexes its own."""
    hardlink_copy(previous_dir / SEARCH_INDEX_DIR, build_dir / SEARCH_INDEX_DIR)


def carry_search_record(previous_dir: Path, build_dir: Path) -> None:
    """``build_dir`` goes live with the previous build's index (hard links): its record goes
    with it, so that, should the index be left to the next build, that one still re-indexes
    only the shards whose pages changed."""
    with contextlib.suppress(FileNotFoundError):
        shutil.copyfile(record_path(previous_dir), record_path(build_dir))


# --- going live, and tidying up ---------------------------------------------------------------


def swap(output_link: Path, build_dir: Path) -> None:
    """Points ``output_link`` at ``build_dir`` in one rename."""
    if output_link.exists() and not output_link.is_symlink():
        # A plain directory from elsewhere: move it aside once, then use the link from now on.
        output_link.rename(build_dir.parent / f"legacy-{int(time.time())}")
    temporary_link = output_link.with_name(f".{output_link.name}.new")
    temporary_link.unlink(missing_ok=True)
    temporary_link.symlink_to(os.path.relpath(build_dir, output_link.parent))
    os.replace(temporary_link, output_link)


def discard(build: Path, trash: Path) -> None:
    """Moves a build out of the way at once (a rename); it is deleted after the lock is freed:
    unlinking tens of thousands of files takes seconds the next build need not wait for."""
    trash.mkdir(parents=True, exist_ok=True)
    if build.is_dir():
        build.rename(trash / build.name)
    manifest_path(build).unlink(missing_ok=True)
    record_path(build).unlink(missing_ok=True)


def prune(builds_dir: Path, current: Path, trash: Path) -> None:
    """Discards all builds but ``current`` and the newest others, :data:`KEEP_BUILDS` in all."""
    builds = sorted((path for path in builds_dir.iterdir() if path.is_dir()), reverse=True)
    for old in [path for path in builds if path != current][KEEP_BUILDS - 1 :]:
        discard(old, trash)


# --- the lock ---------------------------------------------------------------------------------


@contextlib.contextmanager
def build_lock(site_dir: Path):
    """Holds the build lock; a build that has to wait for it leaves a file in ``.build-waiting/``
    (named by its process) until it has it."""
    with open(site_dir / ".build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting = site_dir / WAITING_DIR
            waiting.mkdir(exist_ok=True)
            marker = waiting / f"{os.getpid()}-{uuid.uuid4().hex}"
            marker.touch()
            try:
                fcntl.flock(lock, fcntl.LOCK_EX)
            finally:
                marker.unlink(missing_ok=True)
        yield


def lock_held(site_dir: Path) -> bool:
    """Whether another build holds the build lock now (a build about to wait for it says so)."""
    try:
        lock = open(site_dir / ".build.lock", "a")  # noqa: SIM115 (closed below)
    except FileNotFoundError:  # no site directory yet: no build
        return False
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
    return False


def another_build_waits(site_dir: Path) -> bool:
    """Whether a build is waiting for the lock. The file of a process that is gone (killed while
    it waited) is removed, so that it never stops a build."""
    try:
        markers = list((site_dir / WAITING_DIR).iterdir())
    except FileNotFoundError:
        return False
    for marker in markers:
        pid = marker.name.partition("-")[0]
        if pid.isdigit() and _alive(int(pid)):
            return True
        marker.unlink(missing_ok=True)
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
