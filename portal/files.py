"""Files of a build: written by a new name and renamed into place, never rewritten in place, so
that builds can share unchanged files through hard links."""

import os
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path

CHECK_SECONDS = 0.1  # how often a long copy calls its ``check()``


def walk_files(directory: Path | str, prefix: str = "") -> dict[str, os.DirEntry]:
    """Every file under ``directory`` (not those whose name starts with "."), by its path
    relative to it with ``prefix``: os.scandir, without a Path per file (tens of thousands)."""
    found: dict[str, os.DirEntry] = {}
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return found
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            found.update(walk_files(entry.path, f"{prefix}{entry.name}/"))
        elif entry.is_file():
            found[f"{prefix}{entry.name}"] = entry
    return found


def replace_file(path: Path, data: bytes) -> None:
    """Writes a new file and renames it over ``path``: a hard-linked old file stays as it was,
    and a reader sees the old bytes or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.new")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def move_into(staging: Path, target: Path) -> None:
    """Moves every file of ``staging`` into ``target``, replacing (never rewriting) what is there,
    so files hard-linked from another build are left untouched."""
    for root, _dirs, files in os.walk(staging):
        relative = Path(root).relative_to(staging)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            os.replace(Path(root) / name, target / relative / name)


def discard(directory: Path, trash: Path | None) -> None:
    """Deletes ``directory`` now, or moves it into ``trash`` (a rename) to be deleted later."""
    if trash is None:
        shutil.rmtree(directory, ignore_errors=True)
        return
    trash.mkdir(parents=True, exist_ok=True)
    directory.rename(trash / directory.name)


def hardlink_copy(
    source: Path, target: Path, skip: Iterable[str] = (), check: Callable[[], None] | None = None
) -> None:
    """A copy of a site tree that shares file contents with the original (no data copied).

    ``skip`` names top-level entries that later steps write afresh: they are left out rather
    than shared, since a step writing into a shared file would change the original too.
    ``check()`` is called every tenth of a second or so; what it raises stops the copy, half
    made.
    """
    skipped = set(skip)
    checked = time.monotonic()

    def ignore(directory: str, names: list[str]) -> set[str]:
        nonlocal checked
        if check is not None and time.monotonic() - checked > CHECK_SECONDS:
            check()
            checked = time.monotonic()
        return skipped.intersection(names) if Path(directory) == source else set()

    shutil.copytree(source, target, copy_function=os.link, symlinks=True, ignore=ignore)
