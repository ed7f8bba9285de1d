"""Export from the CMS, build with Pelican into a fresh directory, and swap it in atomically.

``publicity_site/output`` is a symlink to the current build under ``publicity_site/builds/``;
the link is replaced in one rename, so readers see the old site or the new one, never half.
A failed build raises :class:`BuildError` and leaves the current site as it was.

A build is incremental when it can be (see :mod:`portal.render`): the exporter fetches only the
notices that changed (:mod:`portal.notice_store`), and the build starts from a hard-linked copy of
the live build and renders only the sources that changed; otherwise, or when asked, it renders
everything, in parallel. Both give the same files for the same sources.

An incremental build goes live twice. First the pages, listings and feeds: rendered over the
copy, which still holds the previous search index, open data, calendar and sitemap (a whole
site, those a few seconds behind), and put live. Then those are written afresh into a second
hard-linked copy, which replaces the first: open data beside the search index, whose shards are
indexed again only where their pages changed (see :mod:`portal.search`). A full build writes
everything before it goes live, except the search index when a site is live already: it goes
live with that site's index (hard links), then indexes its own and swaps again; the first build
of all goes live once, complete. After going live a build prepares the next one's copy
(``.spare/``), so that an incremental build does not wait for tens of thousands of hard links to
be made.

Builds take turns under a lock. One that has to wait says so (``.build-waiting/``), and the
build holding the lock then gives way as soon as its pages are live: its second half stops
(Pagefind is stopped) and is left to the waiting build, whose own second half does it for the
newer sources. A second publication therefore goes live in seconds, not after the first one's
search index; under a stream of publications the index waits for a pause."""

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import feeds, opendata, render
from . import notices as notice_pages
from .client import CMSClient, CMSUnavailable
from .export import GENERATED_DIR, Export, ExportError, export_site
from .fingerprint import code_version
from .search import (
    OUTPUT_SUBDIR,
    IndexWriter,
    SearchIndexError,
    bundles,
    index_site,
    record_path,
    shard_of,
)

ROOT = Path(__file__).resolve().parent.parent
SITE_DIR = ROOT / "publicity_site"
CONTENT_DIR = ROOT / "content"
THEME_DIR = ROOT / "themes" / "publicity"
KEEP_BUILDS = 2
SPARE_DIR = ".spare"
TRASH_DIR = ".trash"  # builds moved out of the way, deleted once the build lock is free
WAITING_DIR = ".build-waiting"  # a file for each build waiting for the lock


class BuildError(RuntimeError):
    """The portal could not be built; the site that was live stays live."""


class Superseded(Exception):
    """A build waits for the lock: the second half of this one stops and is left to it."""


@dataclass(frozen=True)
class BuildResult:
    output: Path
    pages: int
    seconds: float
    mode: str = "full"
    rendered: int = 0
    phases: dict[str, float] = field(default_factory=dict)  # phase → seconds
    # Live with the previous search index, open data and sitemap: a waiting build writes them.
    left_to_next: bool = False


# In the order they run; a build runs some of them: the first build indexes before it goes
# live ("search index"), later ones go live first and index a copy ("… and open data").
PHASES = (
    "export", "render", "feeds and open data", "search index", "switch",
    "search index and open data", "switch again", "prepare next",
)  # fmt: skip


class _Phases:
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


def manifest_path(build_dir: Path) -> Path:
    """Kept beside the build, not in it: it is not part of the published site."""
    return build_dir.with_name(f"{build_dir.name}.manifest.json")


def _live_build(output_link: Path) -> Path | None:
    if output_link.is_symlink() and output_link.resolve().is_dir():
        return output_link.resolve()
    return None


def _spare(site_dir: Path, build: Path) -> Path:
    """Where the copy of ``build`` prepared for the next build is kept."""
    return site_dir / SPARE_DIR / build.name


def prepare_next(site_dir: Path, build_dir: Path, trash: Path | None = None) -> None:
    """A hard-linked copy of the live build for the next incremental build to start from."""
    _drop_spare(site_dir, trash)
    (site_dir / SPARE_DIR).mkdir(parents=True)
    render.hardlink_copy(build_dir, _spare(site_dir, build_dir))


def _drop_spare(site_dir: Path, trash: Path | None) -> None:
    """Removes the prepared copy: into ``trash`` when given (a rename), else at once."""
    spares = site_dir / SPARE_DIR
    if trash is not None and spares.is_dir():
        trash.mkdir(parents=True, exist_ok=True)
        spares.rename(trash / SPARE_DIR)
    shutil.rmtree(spares, ignore_errors=True)


def _copy_of(site_dir: Path, previous_dir: Path, build_dir: Path) -> None:
    """``build_dir`` as a hard-linked copy of the live build: the one prepared, else made now.

    A prepared copy stays valid as long as its build is live: no file of a build is ever
    rewritten in place (every step writes a new file and renames it over the old name).
    """
    spare = _spare(site_dir, previous_dir)
    if spare.is_dir():
        spare.rename(build_dir)
    else:
        render.hardlink_copy(previous_dir, build_dir)
    shutil.rmtree(site_dir / SPARE_DIR, ignore_errors=True)


def _render(site_dir, content_dir, build_dir, previous_dir, steps, manifest, run_pelican,
            jobs, meanwhile: Callable[[], None], trash: Path):  # fmt: skip
    """Renders into ``build_dir``: only what changed when there are ``steps``; returns (mode,
    count). An incremental build runs ``meanwhile`` (the feeds) while Pelican renders."""
    if steps is None:
        sources = list(manifest.sources)
        render.render(content_dir, sources, build_dir, run_pelican, jobs, trash=trash)
        return "full", len(sources)
    _copy_of(site_dir, previous_dir, build_dir)
    for output in steps.remove:
        (build_dir / output).unlink(missing_ok=True)
    if not steps.render:
        meanwhile()
        return "incremental", 0
    with ThreadPoolExecutor(max_workers=1) as pool:
        pelican = pool.submit(
            render.render, content_dir, steps.render, build_dir, run_pelican, jobs, trash
        )
        try:
            meanwhile()
        finally:
            pelican.result()
    return "incremental", len(steps.render)


def _render_groups(manifest: render.Manifest, writer: IndexWriter) -> dict[int, list[str]]:
    """The sources by the search index shard their pages are in; all in one group when they are
    few (a Pelican process costs more than their pages) or when some source has pages in two
    shards (a shard is indexed only once all its pages are written)."""
    if len(manifest.sources) < render.SHARD_MIN_SOURCES:
        return {0: list(manifest.sources)}
    groups: dict[int, list[str]] = {}
    for source, entry in manifest.sources.items():
        pages = [output for output in entry["outputs"] if output.endswith(".html")]
        shards = {shard_of(page, writer.count) for page in pages} or {0}
        if len(shards) > 1:
            return {0: list(manifest.sources)}
        groups.setdefault(shards.pop(), []).append(source)
    return groups


def _render_and_index(content_dir, build_dir, manifest, run_pelican, jobs, trash, outputs,
                      phases) -> int:  # fmt: skip
    """The first build of all (no live site, no index to keep): the sources are rendered in
    groups, one per shard of the search index, and each shard is indexed as soon as its group is
    written, while other groups render; ``outputs`` (open data, sitemap) are written once every
    page is: Pelican and Pagefind each leave part of the machine idle. Returns the number of
    sources rendered."""
    try:
        writer = IndexWriter(build_dir, trash=trash)
    except SearchIndexError as exc:
        raise BuildError(f"Search index failed: {exc}") from exc
    groups = _render_groups(manifest, writer)
    side, written = ThreadPoolExecutor(max_workers=1), None
    try:
        with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
            rendering = {
                pool.submit(render.render, content_dir, sources, build_dir, run_pelican, 1, trash):
                shard
                for shard, sources in sorted(groups.items())
            }  # fmt: skip
            for done in as_completed(rendering):
                done.result()
                sources = groups[rendering[done]]
                pages = writer.pages(out for s in sources for out in manifest.sources[s]["outputs"])
                for shard, group in sorted(writer.shards_of(pages).items()):
                    writer.add(shard, group)
        written = side.submit(outputs)  # the sitemap lists the pages written
        phases.start("search index", "the last shards; feeds and open data meanwhile")
        writer.finish()
    except SearchIndexError as exc:
        raise BuildError(f"Search index failed: {exc}") from exc
    finally:
        with contextlib.suppress(SearchIndexError):  # an error on its way out is reported
            writer.close()
        side.shutdown(wait=True)
    if written is not None:
        written.result()
    return len(manifest.sources)


def _in_memory(exported: Export) -> list[dict] | None:
    """Every source, when the export holds them all (a full export), in the order of files."""
    if any(source is notice_pages.UNCHANGED for source in exported.sources.values()):
        return None
    return [exported.sources[path] for path in sorted(exported.sources, key=Path)]


def _site_outputs(
    content_dir: Path, build_dir: Path, settings_file: Path, sources=None, check=None
) -> None:
    """Feeds, open data, calendar, sitemap and robots.txt, from every source (not one shard)."""
    try:
        opendata.write_site_outputs(content_dir, build_dir, settings_file, sources, check)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BuildError(f"Feeds and open data failed: {exc!r}") from exc


def _feed_site(exported: Export, content_dir: Path, settings: dict) -> feeds.Site:
    """The feeds' view of the site without reading every notice page: the exporter's records
    give the notices' order; a page is read (from the export, or its file) when a feed reaches
    it."""
    generated = content_dir / GENERATED_DIR
    records = sorted(
        exported.notices.records.values(), key=lambda r: (r["updated"], r["id"]), reverse=True
    )

    def read():
        for record in records:
            path = record["sources"][0]
            source = exported.sources[path]
            if source is notice_pages.UNCHANGED:
                source = json.loads((generated / path).read_text(encoding="utf-8"))
            yield source["cms"]

    others = [
        (path, source)
        for path, source in exported.sources.items()
        if source is not notice_pages.UNCHANGED
        and source["metadata"].get("template") != feeds.NOTICE_TEMPLATE
    ]
    others.sort(key=lambda item: Path(item[0]))  # as the files are read: the same feed bytes
    return feeds.Site.from_settings(settings, [s for _, s in others], notice_reader=read)


def _feeds(exported: Export, content_dir: Path, build_dir: Path, settings: dict) -> None:
    try:
        opendata.write_feed_outputs(_feed_site(exported, content_dir, settings), build_dir)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BuildError(f"Feeds failed: {exc!r}") from exc


def _index_for_search(
    build_dir: Path, previous: Path | None = None, trash: Path | None = None, check=None
) -> None:
    """Pagefind over the fresh build (shards unchanged since ``previous`` are reused), before it
    goes live: a failure keeps the old site."""
    try:
        index_site(build_dir, previous=previous, trash=trash, check=check)
    except SearchIndexError as exc:
        raise BuildError(f"Search index failed: {exc}") from exc


def _index_with_outputs(
    build_dir: Path, previous: Path | None, outputs: Callable[[], None] | None, trash: Path,
    check: Callable[[], None] | None = None,
) -> None:  # fmt: skip
    """The search index, with ``outputs`` (open data, calendar, sitemap) written meanwhile:
    Pagefind runs in processes of its own and leaves part of the machine idle."""
    if outputs is None:
        _index_for_search(build_dir, previous=previous, trash=trash, check=check)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        written = pool.submit(outputs)
        try:
            _index_for_search(build_dir, previous=previous, trash=trash, check=check)
        finally:
            written.result()


def _swap(output_link: Path, build_dir: Path) -> None:
    if output_link.exists() and not output_link.is_symlink():
        # A plain directory from elsewhere: move it aside once, then use the link from now on.
        output_link.rename(build_dir.parent / f"legacy-{int(time.time())}")
    temporary_link = output_link.with_name(f".{output_link.name}.new")
    temporary_link.unlink(missing_ok=True)
    temporary_link.symlink_to(os.path.relpath(build_dir, output_link.parent))
    os.replace(temporary_link, output_link)


def _keep_search_index(previous_dir: Path, build_dir: Path) -> None:
    """A full build over a live site goes live with the live site's search index (hard links),
    then indexes its own."""
    render.hardlink_copy(previous_dir / OUTPUT_SUBDIR, build_dir / OUTPUT_SUBDIR)


def _carry_search_record(previous_dir: Path, build_dir: Path) -> None:
    """``build_dir`` goes live with the previous build's index (hard links): its record goes
    with it, so that, should the index be left to the next build, that one still re-indexes
    only the shards whose pages changed."""
    with contextlib.suppress(FileNotFoundError):
        shutil.copyfile(record_path(previous_dir), record_path(build_dir))


def _second_copy(build_dir: Path, copy: Path, check: Callable[[], None]) -> None:
    """A hard-linked copy of a build (its search index left out: it is written afresh)."""
    render.hardlink_copy(build_dir, copy, skip=(OUTPUT_SUBDIR,), check=check)


def _discard(build: Path, trash: Path) -> None:
    """Moves a build out of the way at once (a rename); it is deleted after the lock is freed:
    unlinking tens of thousands of files takes seconds the next build need not wait for."""
    trash.mkdir(parents=True, exist_ok=True)
    if build.is_dir():
        build.rename(trash / build.name)
    manifest_path(build).unlink(missing_ok=True)
    record_path(build).unlink(missing_ok=True)


def _prune(builds_dir: Path, current: Path, trash: Path) -> None:
    builds = sorted((path for path in builds_dir.iterdir() if path.is_dir()), reverse=True)
    for old in [path for path in builds if path != current][KEEP_BUILDS - 1 :]:
        _discard(old, trash)


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


@contextlib.contextmanager
def _build_lock(site_dir: Path):
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


def _give_way(site_dir: Path) -> Callable[[], None]:
    def check() -> None:
        if another_build_waits(site_dir):
            raise Superseded

    return check


def build_portal(
    cms_url: str,
    *,
    site_dir: Path = SITE_DIR,
    content_dir: Path = CONTENT_DIR,
    theme: Path = THEME_DIR,
    settings_file: Path = SITE_DIR / "pelicanconf.py",
    incremental: bool = True,
    jobs: int = 0,
    progress: Callable[[str], None] | None = None,
    prepare: bool = True,
) -> BuildResult:
    """Exports, renders and swaps the site in (twice for an incremental build, see above); with
    ``prepare``, then makes the next build's copy. ``phases`` gives each step's seconds."""
    started = time.monotonic()
    phases = _Phases(progress)
    site_dir.mkdir(parents=True, exist_ok=True)
    builds_dir = site_dir / "builds"
    builds_dir.mkdir(exist_ok=True)
    trash = site_dir / TRASH_DIR / _stamp()
    try:
        return _build_locked(
            cms_url, site_dir, content_dir, theme, settings_file, incremental, jobs, prepare,
            builds_dir, trash, phases, started,
        )  # fmt: skip
    finally:
        shutil.rmtree(trash, ignore_errors=True)


def _build_locked(
    cms_url, site_dir, content_dir, theme, settings_file, incremental, jobs, prepare,
    builds_dir, trash, phases, started,
) -> BuildResult:  # fmt: skip
    with _build_lock(site_dir):
        phases.start("export", cms_url)
        previous_dir = _live_build(site_dir / "output")
        # Read while the export waits for the CMS: the live build's manifest, the settings.
        background = ThreadPoolExecutor(max_workers=1)
        previous_manifest = background.submit(
            lambda: render.Manifest.load(manifest_path(previous_dir)) if previous_dir else None
        )
        settings = background.submit(opendata.read_pelican_settings, settings_file)
        background.shutdown(wait=False)
        try:
            client = CMSClient(cms_url)
            exported = export_site(client, content_dir, incremental=incremental, save_state=False)
        except (CMSUnavailable, ExportError) as exc:
            raise BuildError(f"Export from the CMS failed: {exc}") from exc
        build_dir = builds_dir / _stamp()
        run_pelican = render.run_pelican_command(settings_file, theme, ROOT)
        fingerprint = render.fingerprint(theme, [settings_file], code_version())
        previous = previous_manifest.result()
        manifest = render.scan(content_dir, fingerprint, previous, exported.written.files)
        final_dir = build_dir
        try:
            phases.start("render", f"{len(manifest.sources)} sources")

            def feeds_meanwhile():
                _feeds(exported, content_dir, build_dir, settings.result())

            def site_outputs():
                _site_outputs(content_dir, build_dir, settings_file, _in_memory(exported))

            steps = render.plan(previous, manifest) if (incremental and previous) else None
            # A full build with no live index to keep indexes as it renders; any other build
            # goes live first (a full one with the live index) and indexes in a second copy.
            if steps is None and not (previous_dir and bundles(previous_dir)):
                mode, index_later = "full", False
                rendered = _render_and_index(
                    content_dir, build_dir, manifest, run_pelican, jobs, trash, site_outputs,
                    phases,
                )  # fmt: skip
            else:
                mode, rendered = _render(
                    site_dir, content_dir, build_dir, previous_dir, steps, manifest,
                    run_pelican, jobs, feeds_meanwhile, trash,
                )  # fmt: skip
                index_later = True
                if mode == "full":
                    _keep_search_index(previous_dir, build_dir)
                    phases.start("feeds and open data", f"{rendered} pages rendered")
                    site_outputs()
            if not (build_dir / "index.html").is_file():
                raise BuildError("Pelican produced no index.html")
            manifest.save(manifest_path(build_dir))
        except render.RenderError as exc:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise BuildError(str(exc)) from exc
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
        phases.start("switch")
        _swap(site_dir / "output", build_dir)
        exported.notices.save(content_dir)
        left_to_next = False
        if index_later:
            # Live: the pages, listings and feeds. Now the rest, in a copy, then live again.
            _carry_search_record(previous_dir, build_dir)
            phases.start("search index and open data")
            final_dir = _second_half(
                site_dir, builds_dir, build_dir, previous_dir, manifest, mode, content_dir,
                settings_file, trash, phases,
            )  # fmt: skip
            left_to_next = final_dir == build_dir
        _prune(builds_dir, final_dir, trash)
        if left_to_next:
            _drop_spare(site_dir, trash)  # of an older build: the waiting build makes its own
        elif prepare:
            phases.start("prepare next")
            prepare_next(site_dir, final_dir, trash)
    pages, seconds = len(manifest.sources), time.monotonic() - started
    return BuildResult(final_dir, pages, seconds, mode, rendered, phases.done(), left_to_next)


def _second_half(site_dir, builds_dir, build_dir, previous_dir, manifest, mode, content_dir,
                 settings_file, trash, phases) -> Path:  # fmt: skip
    """The search index (and, after an incremental render, open data, calendar and sitemap) in a
    hard-linked copy of the live ``build_dir``, swapped in; returns the build now live. Gives
    way to a build waiting for the lock: returns ``build_dir`` then, still live, unfinished."""
    check = _give_way(site_dir)
    final_dir = build_dir.with_name(_stamp())
    try:
        check()
        _second_copy(build_dir, final_dir, check)
        outputs = None
        if mode == "incremental":

            def outputs():
                _site_outputs(content_dir, final_dir, settings_file, check=check)

        _index_with_outputs(final_dir, previous_dir, outputs, trash, check)
        manifest.save(manifest_path(final_dir))
    except Superseded:
        _discard(final_dir, trash)
        return build_dir
    except BaseException:
        _discard(final_dir, trash)
        _prune(builds_dir, build_dir, trash)
        raise
    phases.start("switch again")
    _swap(site_dir / "output", final_dir)
    _discard(build_dir, trash)  # its files live on in final_dir
    return final_dir
