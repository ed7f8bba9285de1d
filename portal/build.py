"""Export from the CMS, build with Pelican into a fresh directory, and swap it in atomically.

``publicity_site/output`` is a symlink to the current build under ``publicity_site/builds/``;
the link is replaced in one rename, so readers see the old site or the new one, never half
(the builds on disk: :mod:`portal.builds`). A failed build raises :class:`BuildError` and leaves
the current site as it was.

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
import gc
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import builds, opendata, render, site_identity, warm
from .builds import Superseded
from .client import CMSClient, CMSUnavailable
from .export import Export, ExportError, export_site
from .fingerprint import code_version
from .paths import CONTENT_DIR, ROOT, SITE_DIR, THEME_DIR
from .phases import Phases
from .search import (
    IndexWriter,
    SearchIndexError,
    bundles,
    index_site,
    shard_count,
    shard_of,
)


class BuildError(RuntimeError):
    """The portal could not be built; the site that was live stays live."""


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


@dataclass
class Build:
    """One build: where it reads and writes, what it renders, and how it reports and gives way.

    ``build_dir`` (the new build), ``previous_dir`` (the build live when it started) and the
    manifests are known once the export is done.
    """

    site_dir: Path
    content_dir: Path
    theme: Path
    settings_file: Path
    jobs: int
    phases: Phases
    trash: Path  # what this build moved out of the way, deleted once it ends
    build_dir: Path | None = None  # the new build, under builds/
    previous_dir: Path | None = None
    manifest: render.Manifest | None = None  # what it renders
    previous_manifest: render.Manifest | None = None  # what the live build was rendered from

    @property
    def builds_dir(self) -> Path:
        return self.site_dir / "builds"

    @property
    def output_link(self) -> Path:
        return self.site_dir / "output"

    def locked(self) -> contextlib.AbstractContextManager:
        """The build lock, for as long as this build writes."""
        return builds.build_lock(self.site_dir)

    def check(self) -> None:
        """The stop check of the second half: raises :class:`Superseded` when another build
        waits for the lock."""
        if builds.another_build_waits(self.site_dir):
            raise Superseded

    def search_shards(self) -> int:
        """The search index's shard count, from the number of sources (pages) being built."""
        return shard_count(len(self.manifest.sources) if self.manifest else 0)

    def run_pelican(self, content: Path, output: Path) -> None:
        render.run_pelican_command(self.settings_file, self.theme, ROOT)(content, output)

    def start_pelican(self, content: Path, output: Path) -> Callable[[], None]:
        return render.start_pelican_forked(self.settings_file, self.theme, ROOT, content, output)

    def renders_forked(self, sources: list[str]) -> bool:
        """Whether ``sources`` render in one fork of this process: in the resident builder,
        whose imports make that start at once, when they are few enough for one Pelican."""
        return warm.enabled() and len(sources) < render.SHARD_MIN_SOURCES

    def render_sources(self, sources: list[str], jobs: int) -> None:
        """Renders ``sources`` into the new build on ``jobs`` Pelican processes (0: per core)."""
        render.render(self.content_dir, sources, self.build_dir, self.run_pelican, jobs, self.trash)


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
    ``prepare``, then makes the next build's copy. ``phases`` gives each step's seconds.

    The options are keyword-only, each with its default: the command line's and the tests' way in.
    """
    started = time.monotonic()
    phases = Phases(progress)
    site_dir.mkdir(parents=True, exist_ok=True)
    trash = site_dir / builds.TRASH_DIR / builds.stamp()
    build = Build(site_dir, content_dir, theme, settings_file, jobs, phases, trash)
    build.builds_dir.mkdir(exist_ok=True)
    try:
        with build.locked(), collector_paused():
            exported, settings = _export(build, cms_url, incremental)
            mode, rendered, index_later = _render_site(build, exported, settings, incremental)
            final_dir = _go_live(build, exported, mode, index_later)
            left_to_next = index_later and final_dir == build.build_dir
            _tidy_up(build, final_dir, left_to_next, prepare)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
    pages, seconds = len(build.manifest.sources), time.monotonic() - started
    return BuildResult(final_dir, pages, seconds, mode, rendered, phases.done(), left_to_next)


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector off for a build. A build holds until its end what it
    makes (the notices' state, tens of thousands of sources) and makes next to no reference
    cycles: the collector would walk all of it again and again, and free nothing (about 30%
    of a full export's CPU at 10,000 notices, with the same peak memory). What a build drops is
    still freed at once, by reference counting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _export(build: Build, cms_url: str, incremental: bool) -> tuple[Export, Future]:
    """Exports from the CMS, reading meanwhile the live build's manifest and Pelican's settings
    (returned as a future); then names the new build and scans what it is to render."""
    build.phases.start("export", cms_url)
    build.previous_dir = previous_dir = builds.live_build(build.output_link)
    background = ThreadPoolExecutor(max_workers=1)
    previous_manifest = background.submit(
        lambda: render.Manifest.load(builds.manifest_path(previous_dir)) if previous_dir else None
    )
    settings = background.submit(opendata.read_pelican_settings, build.settings_file)
    background.shutdown(wait=False)
    try:
        client = CMSClient(cms_url)
        exported = export_site(client, build.content_dir, incremental=incremental, save_state=False)
    except (CMSUnavailable, ExportError) as exc:
        raise BuildError(f"Export from the CMS failed: {exc}") from exc
    build.build_dir = build.builds_dir / builds.stamp()
    # The site's identity is in every page's footer: a change to it renders every page again.
    shared = [build.settings_file, site_identity.identity_path(build.content_dir)]
    fingerprint = render.fingerprint(build.theme, shared, code_version())
    build.previous_manifest = previous_manifest.result()
    settings.result()  # and so no other thread runs once the render starts (it may fork)
    build.manifest = render.scan(
        build.content_dir, fingerprint, build.previous_manifest, exported.written.files
    )
    return exported, settings


def _render_site(
    build: Build, exported: Export, settings: Future, incremental: bool
) -> tuple[str, int, bool]:
    """Renders the new build: returns its mode, the number of sources rendered and whether its
    search index (and open data) are left for after it goes live. A failure removes it."""
    manifest, build_dir = build.manifest, build.build_dir
    try:
        build.phases.start("render", f"{len(manifest.sources)} sources")

        def feeds_meanwhile():
            _feeds(exported, build_dir, settings.result())

        def site_outputs():
            _site_outputs(
                build.content_dir, build_dir, build.settings_file, exported.every_source()
            )

        previous = build.previous_manifest
        steps = render.plan(previous, manifest) if (incremental and previous) else None
        # A full build with no live index to keep indexes as it renders; any other build
        # goes live first (a full one with the live index) and indexes in a second copy.
        if steps is None and not (build.previous_dir and bundles(build.previous_dir)):
            mode, index_later = "full", False
            rendered = _render_and_index(build, site_outputs)
        else:
            mode, rendered = _render(build, steps, feeds_meanwhile)
            index_later = True
            if mode == "full":
                builds.keep_search_index(build.previous_dir, build_dir)
                build.phases.start("feeds and open data", f"{rendered} pages rendered")
                site_outputs()
        if not (build_dir / "index.html").is_file():
            raise BuildError("Pelican produced no index.html")
    except render.RenderError as exc:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise BuildError(str(exc)) from exc
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    return mode, rendered, index_later


def _render(build: Build, steps: render.Plan | None, meanwhile: Callable[[], None]):
    """Renders into the new build: only what changed when there are ``steps``; returns (mode,
    count). An incremental build runs ``meanwhile`` (the feeds) while Pelican renders."""
    if steps is None:
        sources = list(build.manifest.sources)
        build.render_sources(sources, build.jobs)
        return "full", len(sources)
    builds.copy_of(build.site_dir, build.previous_dir, build.build_dir)
    for output in steps.remove:
        (build.build_dir / output).unlink(missing_ok=True)
    if not steps.render:
        meanwhile()
        return "incremental", 0
    if build.renders_forked(steps.render):  # forked before any other thread starts
        finish = render.render_forked(
            build.content_dir, steps.render, build.build_dir, build.start_pelican, build.trash
        )
        try:
            meanwhile()
        finally:
            finish()
        return "incremental", len(steps.render)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pelican = pool.submit(build.render_sources, steps.render, build.jobs)
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


def _render_and_index(build: Build, outputs: Callable[[], None]) -> int:
    """The first build of all (no live site, no index to keep): the sources are rendered in
    groups, one per shard of the search index, and each shard is indexed as soon as its group is
    written, while other groups render; ``outputs`` (open data, sitemap) are written once every
    page is: Pelican and Pagefind each leave part of the machine idle. Returns the number of
    sources rendered."""
    manifest = build.manifest
    try:
        writer = IndexWriter(build.build_dir, trash=build.trash, shards=build.search_shards())
    except SearchIndexError as exc:
        raise BuildError(f"Search index failed: {exc}") from exc
    groups = _render_groups(manifest, writer)
    side, written = ThreadPoolExecutor(max_workers=1), None
    try:
        with ThreadPoolExecutor(max_workers=build.jobs or os.cpu_count() or 1) as pool:
            rendering = {pool.submit(build.render_sources, sources, 1): shard
                         for shard, sources in sorted(groups.items())}  # fmt: skip
            for done in as_completed(rendering):
                done.result()
                sources = groups[rendering[done]]
                pages = writer.pages(out for s in sources for out in manifest.sources[s]["outputs"])
                for shard, group in sorted(writer.shards_of(pages).items()):
                    writer.add(shard, group)
        written = side.submit(outputs)  # the sitemap lists the pages written
        build.phases.start("search index", "the last shards; feeds and open data meanwhile")
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


def _site_outputs(
    content_dir: Path, build_dir: Path, settings_file: Path, sources=None, check=None
) -> None:
    """Feeds, open data, calendar, sitemap and robots.txt, from every source (not one shard)."""
    try:
        opendata.write_site_outputs(content_dir, build_dir, settings_file, sources, check)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BuildError(f"Feeds and open data failed: {exc!r}") from exc


def _feeds(exported: Export, build_dir: Path, settings: dict[str, Any]) -> None:
    try:
        opendata.write_feed_outputs(exported.feed_site(settings), build_dir)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BuildError(f"Feeds failed: {exc!r}") from exc


def _go_live(build: Build, exported: Export, mode: str, index_later: bool) -> Path:
    """Puts the new build live and keeps the notices' state; then, for a build that indexes
    after going live, its second half. Returns the build now live."""
    build.phases.start("switch")
    builds.swap(build.output_link, build.build_dir)
    # Written once the pages are live (31,000 sources take a while to encode): a build that
    # finds the live build without one renders in full, so a crash in between loses nothing.
    build.manifest.save(builds.manifest_path(build.build_dir))
    exported.notices.save(build.content_dir)
    if not index_later:
        return build.build_dir
    # Live: the pages, listings and feeds. Now the rest, in a copy, then live again.
    builds.carry_search_record(build.previous_dir, build.build_dir)
    build.phases.start("search index and open data")
    return _second_half(build, mode)


def _second_half(build: Build, mode: str) -> Path:
    """The search index (and, after an incremental render, open data, calendar and sitemap) in a
    hard-linked copy of the live build, swapped in; returns the build now live. Gives way to a
    build waiting for the lock: returns the live build then, unfinished."""
    build_dir, trash = build.build_dir, build.trash
    final_dir = build_dir.with_name(builds.stamp())
    try:
        build.check()
        builds.second_copy(build_dir, final_dir, build.check)
        outputs = None
        if mode == "incremental":

            def outputs():
                _site_outputs(build.content_dir, final_dir, build.settings_file, check=build.check)

        _index_with_outputs(build, final_dir, outputs)
        build.manifest.save(builds.manifest_path(final_dir))
    except Superseded:
        builds.discard(final_dir, trash)
        return build_dir
    except BaseException:
        builds.discard(final_dir, trash)
        builds.prune(build.builds_dir, build_dir, trash)
        raise
    build.phases.start("switch again")
    builds.swap(build.output_link, final_dir)
    builds.discard(build_dir, trash)  # its files live on in final_dir
    return final_dir


def _index_for_search(
    build_dir: Path,
    previous: Path | None = None,
    trash: Path | None = None,
    check=None,
    shards: int | None = None,
) -> None:
    """Pagefind over the fresh build (shards unchanged since ``previous`` are reused), before it
    goes live: a failure keeps the old site."""
    try:
        index_site(build_dir, previous=previous, trash=trash, check=check, shards=shards)
    except SearchIndexError as exc:
        raise BuildError(f"Search index failed: {exc}") from exc


def _index_with_outputs(build: Build, directory: Path, outputs: Callable[[], None] | None) -> None:
    """The search index of ``directory``, with ``outputs`` (open data, calendar, sitemap) written
    meanwhile: Pagefind runs in processes of its own and leaves part of the machine idle."""
    previous, trash, check = build.previous_dir, build.trash, build.check
    shards = build.search_shards()
    if outputs is None:
        _index_for_search(directory, previous=previous, trash=trash, check=check, shards=shards)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        written = pool.submit(outputs)
        try:
            _index_for_search(directory, previous=previous, trash=trash, check=check, shards=shards)
        finally:
            written.result()


def _tidy_up(build: Build, final_dir: Path, left_to_next: bool, prepare: bool) -> None:
    """Old builds out of the way; with ``prepare``, the next build's copy of ``final_dir``."""
    builds.prune(build.builds_dir, final_dir, build.trash)
    if left_to_next:
        # Of an older build: the waiting build makes its own.
        builds.drop_spare(build.site_dir, build.trash)
    elif prepare:
        build.phases.start("prepare next")
        builds.prepare_next(build.site_dir, final_dir, build.trash)


# --- steps the benchmarks time by these names (benchmarks/portal_phases.py) ---------------------
