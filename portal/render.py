"""Renders Pelican sources into a site directory: all of them in parallel shards, or only those
that changed, over a hard-linked copy of the live site.

This is sound because every page depends only on its own source and what every page shares: the
templates show the page's own exported data and never Pelican's global lists of pages, so a
source renders to the same bytes whichever other sources share its Pelican run. What every page
shares (theme, settings, code, and the site's identity in every footer) is in the fingerprint: a
change to any of it renders every page again. A full build splits the sources over one
Pelican process per core; an incremental build renders only the sources whose content changed
since the build it starts from, and removes the pages of sources that are gone. The manifest
written beside each build (source → hash and output files) is what makes the next one possible.
"""

import contextlib
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import site_identity, warm
from .files import discard, move_into, replace_file, walk_files
from .sources import UNCHANGED

SOURCE_DIRS = ("pages", "generated")
SHARD_MIN_SOURCES = 200  # fewer sources render in one Pelican process
MANIFEST_VERSION = 2


class RenderError(RuntimeError):
    """Pelican failed on some source; nothing was put in place."""


@dataclass
class Manifest:
    """What a build was made of: a fingerprint of its theme and settings, and each source."""

    fingerprint: str
    # path → {"hash", "outputs", "stat": [size, mtime_ns, inode]}
    sources: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Manifest | None":
        """The manifest at ``path`` (held in memory by the resident builder: :mod:`portal.warm`)."""
        return warm.loaded(path, lambda: cls._read(path), "manifest")

    @classmethod
    def _read(cls, path: Path) -> "Manifest | None":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("version") != MANIFEST_VERSION:
            return None
        return cls(data["fingerprint"], data["sources"])

    def save(self, path: Path) -> None:
        data = {"version": MANIFEST_VERSION, "fingerprint": self.fingerprint,
                "sources": self.sources}  # fmt: skip
        replace_file(path, json.dumps(data, sort_keys=True).encode())  # read whole or not at all


def fingerprint(theme: Path, settings_files: Iterable[Path], extra: str = "") -> str:
    """Changes whenever anything that shapes every page changes: theme files, settings, code."""
    digest = hashlib.sha256(extra.encode())
    paths = [p for p in sorted(theme.rglob("*")) if p.is_file()] + list(settings_files)
    for path in paths:
        digest.update(str(path.relative_to(path.anchor)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _source_files(content_dir: Path) -> dict[str, os.DirEntry]:
    found: dict[str, os.DirEntry] = {}
    for name in SOURCE_DIRS:
        found.update(walk_files(content_dir / name, f"{name}/"))
    return found


def list_sources(content_dir: Path) -> list[str]:
    return sorted(_source_files(content_dir))


def outputs_of(content_dir: Path, source: str, data: bytes | None = None) -> list[str]:
    """The file a source renders to: ``save_as`` for exported JSON, ``<slug>/index.html`` else.
    ``data``: the source's bytes, when already read."""
    path = content_dir / source
    data = path.read_bytes() if data is None else data
    if path.suffix == ".json":
        save_as = json.loads(data)["metadata"].get("save_as")
        return [save_as] if save_as else []
    for line in data.decode("utf-8").splitlines():
        if line.lower().startswith("slug:"):
            return [f"{line.split(':', 1)[1].strip()}/index.html"]
    return [f"{path.stem}/index.html"]


def _stat_key(entry: os.DirEntry | Path) -> list[int]:
    stat = entry.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def scan(
    content_dir: Path,
    fingerprint_value: str,
    previous: "Manifest | None" = None,
    generated: dict[str, os.DirEntry | str | None] | None = None,
) -> Manifest:
    """Each source's hash and outputs. A source whose size, modification time and inode are
    those ``previous`` recorded is not read again (the exporter replaces a file it changes by
    renaming a new one into place, and leaves the others alone). ``generated``: the files of
    ``generated/`` as the exporter left them (entry, None for one it wrote, UNCHANGED for one the
    last export wrote and this one left alone: its recorded stat is trusted), not walked again.
    """
    known = previous.sources if previous else {}
    manifest = Manifest(fingerprint_value)
    if generated is None:
        files: dict[str, os.DirEntry | str | None] = dict(_source_files(content_dir))
    else:
        files = {f"{SOURCE_DIRS[1]}/{path}": entry for path, entry in generated.items()}
        for name in SOURCE_DIRS[:1]:
            files.update(walk_files(content_dir / name, f"{name}/"))
    for source in sorted(files):
        entry = files[source]
        seen = known.get(source)
        if entry is UNCHANGED and seen:  # left as the last export wrote it
            manifest.sources[source] = seen
            continue
        path = entry if isinstance(entry, os.DirEntry) else content_dir / source
        stat = _stat_key(path)
        if seen and seen.get("stat") == stat:
            manifest.sources[source] = seen
            continue
        data = (content_dir / source).read_bytes()  # once, for its hash and its outputs
        manifest.sources[source] = {
            "hash": hashlib.sha256(data).hexdigest(),
            "outputs": outputs_of(content_dir, source, data),
            "stat": stat,
        }
    return manifest


def _shard_content(content_dir: Path, sources: Iterable[str], target: Path) -> None:
    for source in sources:
        link = target / source
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(content_dir / source)
    for name in SOURCE_DIRS:
        (target / name).mkdir(parents=True, exist_ok=True)
    # What every page's footer shows, read by the site_data plugin from the content directory.
    identity = site_identity.identity_path(content_dir)
    if identity.is_file():
        site_identity.identity_path(target).symlink_to(identity)


def render(
    content_dir: Path,
    sources: list[str],
    out_dir: Path,
    run_pelican: Callable[[Path, Path], None],
    jobs: int = 0,
    trash: Path | None = None,
) -> None:
    """Renders ``sources`` (paths relative to ``content_dir``) into ``out_dir``: in one Pelican
    process per core, or in one when they are few (a process costs more than their pages).
    The scratch directories (a link per source) go into ``trash`` when given, for the caller to
    delete later: unlinking tens of thousands of links takes seconds."""
    jobs = jobs or (os.cpu_count() or 1 if len(sources) >= SHARD_MIN_SOURCES else 1)
    jobs = max(1, min(jobs, len(sources) or 1))
    shards = [sources[i::jobs] for i in range(jobs)]
    work = Path(tempfile.mkdtemp(prefix="render-", dir=out_dir.parent))
    try:

        def run(index: int) -> Path:
            shard_content, shard_out = work / f"content-{index}", work / f"out-{index}"
            _shard_content(content_dir, shards[index], shard_content)
            run_pelican(shard_content, shard_out)
            return shard_out

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            shard_outputs = list(pool.map(run, range(jobs)))
        out_dir.mkdir(parents=True, exist_ok=True)
        for shard_out in shard_outputs:
            move_into(shard_out, out_dir)
    finally:
        discard(work, trash)


@dataclass(frozen=True)
class Plan:
    """What an incremental build must do, relative to the build it starts from."""

    render: list[str]
    remove: list[str]

    @property
    def empty(self) -> bool:
        return not self.render and not self.remove


def plan(previous: Manifest, current: Manifest) -> Plan | None:
    """The sources to render and the outputs to delete; None when a full build is needed."""
    if previous.fingerprint != current.fingerprint:
        return None
    changed = [
        source
        for source, entry in current.sources.items()
        if previous.sources.get(source, {}).get("hash") != entry["hash"]
    ]
    kept_outputs = {out for entry in current.sources.values() for out in entry["outputs"]}
    gone = [
        out
        for source, entry in previous.sources.items()
        if source not in current.sources
        for out in entry["outputs"]
        if out not in kept_outputs
    ]
    return Plan(changed, gone)


def _pelican_arguments(settings_file: Path, theme: Path, content: Path, output: Path) -> list[str]:
    return [
        str(content), "--settings", str(settings_file), "--output", str(output),
        "--theme-path", str(theme), "--fatal", "errors", "--quiet",
    ]  # fmt: skip


_PELICAN_ENVIRONMENT = {"COLUMNS": "200", "NO_COLOR": "1"}


def run_pelican_command(
    settings_file: Path, theme: Path, cwd: Path
) -> Callable[[Path, Path], None]:
    def run(content: Path, output: Path) -> None:
        arguments = _pelican_arguments(settings_file, theme, content, output)
        completed = subprocess.run(
            [sys.executable, "-m", "pelican", *arguments],
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            check=False,
            cwd=cwd,
            env={**os.environ, **_PELICAN_ENVIRONMENT},
        )
        if completed.returncode != 0:
            detail = (completed.stderr or completed.stdout).strip()[-2000:]
            raise RenderError(f"Pelican failed (exit {completed.returncode}):\n{detail}")

    return run


def start_pelican_forked(
    settings_file: Path, theme: Path, cwd: Path, content: Path, output: Path
) -> Callable[[], None]:
    """Starts Pelican, as :func:`run_pelican_command` runs it, in a fork of this process: with the
    imports of a process that has them (the resident builder's), it starts in milliseconds, not
    the half second of a new interpreter. Call it while no other thread runs (a fork copies one
    thread, and any lock another holds stays held). Returns the wait for its end, which raises
    :class:`RenderError` as the command's failure does."""
    import pelican  # noqa: F401  (once here, before the fork, when the process has not yet)

    arguments = _pelican_arguments(settings_file, theme, content, output)
    log = tempfile.TemporaryFile()  # noqa: SIM115  (closed by wait())
    pid = os.fork()
    if pid == 0:  # the child: Pelican's command line, in this process
        _run_pelican_here(log.fileno(), cwd, arguments)

    def wait() -> None:
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        with log:
            if code != 0:
                log.seek(0)
                detail = log.read().decode("utf-8", "replace").strip()[-2000:]
                raise RenderError(f"Pelican failed (exit {code}):\n{detail}")

    return wait


def _run_pelican_here(log_fd: int, cwd: Path, arguments: list[str]) -> None:
    code = 1
    try:
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
        os.chdir(cwd)
        os.environ.update(_PELICAN_ENVIRONMENT)
        # As in a new process: Pelican's logging configures only a root logger with no handler.
        for handler in logging.root.handlers[:]:
            logging.root.removeHandler(handler)
        import pelican

        pelican.main(arguments)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def render_forked(
    content_dir: Path,
    sources: list[str],
    out_dir: Path,
    start: Callable[[Path, Path], Callable[[], None]],
    trash: Path | None = None,
) -> Callable[[], None]:
    """:func:`render` in one forked Pelican (``start``, see :func:`start_pelican_forked`), started
    now and finished by the function returned, so that the caller can work meanwhile."""
    work = Path(tempfile.mkdtemp(prefix="render-", dir=out_dir.parent))
    shard_content, shard_out = work / "content-0", work / "out-0"
    try:
        _shard_content(content_dir, sources, shard_content)
        wait = start(shard_content, shard_out)
    except BaseException:
        discard(work, trash)
        raise

    def finish() -> None:
        try:
            wait()
            out_dir.mkdir(parents=True, exist_ok=True)
            move_into(shard_out, out_dir)
        finally:
            discard(work, trash)

    return finish
