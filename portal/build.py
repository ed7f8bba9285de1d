"""Export from the CMS, build with Pelican into a fresh directory, and swap it in atomically.

``publicity_site/output`` is a symlink to the current build under ``publicity_site/builds/``;
the link is replaced in one rename, so readers see the old site or the new one, never half.
A failed build raises :class:`BuildError` and leaves the current site as it was.

A build is incremental when it can be (see :mod:`portal.render`): it starts from a hard-linked
copy of the live build and renders only the sources that changed; otherwise, or when asked, it
renders everything, in parallel. Both give the same files for the same sources.
"""

import fcntl
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import opendata, render
from .client import CMSClient, CMSUnavailable
from .export import ExportError, export
from .search import SearchIndexError, index_site

ROOT = Path(__file__).resolve().parent.parent
SITE_DIR = ROOT / "publicity_site"
CONTENT_DIR = ROOT / "content"
THEME_DIR = ROOT / "themes" / "publicity"
KEEP_BUILDS = 2
#: Written afresh after rendering on every build (search index, feeds, sitemap). Not "data/":
#: it holds the 开放数据 page (data/index.html, rendered from content/pages/data.md) beside the
#: data files, which opendata.replace_file renames into place, never writing into a shared file.
DERIVED_OUTPUTS = ("pagefind", "feeds", "sitemap.xml", "robots.txt")


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


PHASES = ("export", "render", "feeds and open data", "search index", "switch")


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


def _render(content_dir, build_dir, previous_dir, manifest, run_pelican, incremental, jobs):
    """Renders into ``build_dir``: only what changed when possible; returns (mode, count)."""
    previous = render.Manifest.load(manifest_path(previous_dir)) if previous_dir else None
    steps = render.plan(previous, manifest) if (incremental and previous) else None
    if steps is None:
        sources = list(manifest.sources)
        render.render(content_dir, sources, build_dir, run_pelican, jobs)
        return "full", len(sources)
    render.hardlink_copy(previous_dir, build_dir, skip=DERIVED_OUTPUTS)
    for output in steps.remove:
        (build_dir / output).unlink(missing_ok=True)
    if steps.render:
        render.render(content_dir, steps.render, build_dir, run_pelican, jobs)
    return "incremental", len(steps.render)


def _site_outputs(content_dir: Path, build_dir: Path, settings_file: Path) -> None:
    """Feeds, open data, calendar, sitemap and robots.txt, from every source (not one shard)."""
    try:
        opendata.write_site_outputs(content_dir, build_dir, settings_file)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BuildError(f"Feeds and open data failed: {exc!r}") from exc


def _index_for_search(build_dir: Path) -> None:
    """Pagefind over the fresh build, before it goes live: a failure keeps the old site."""
    try:
        index_site(build_dir)
    except SearchIndexError as exc:
        raise BuildError(f"Search index failed: {exc}") from exc


def _swap(output_link: Path, build_dir: Path) -> None:
    if output_link.exists() and not output_link.is_symlink():
        # A plain directory from elsewhere: move it aside once, then use the link from now on.
        output_link.rename(build_dir.parent / f"legacy-{int(time.time())}")
    temporary_link = output_link.with_name(f".{output_link.name}.new")
    temporary_link.unlink(missing_ok=True)
    temporary_link.symlink_to(os.path.relpath(build_dir, output_link.parent))
    os.replace(temporary_link, output_link)


def _prune(builds_dir: Path, current: Path) -> None:
    builds = sorted((path for path in builds_dir.iterdir() if path.is_dir()), reverse=True)
    for old in [path for path in builds if path != current][KEEP_BUILDS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
        manifest_path(old).unlink(missing_ok=True)


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
) -> BuildResult:
    started = time.monotonic()
    phases = _Phases(progress)
    site_dir.mkdir(parents=True, exist_ok=True)
    builds_dir = site_dir / "builds"
    builds_dir.mkdir(exist_ok=True)
    with open(site_dir / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        phases.start("export", cms_url)
        try:
            export(CMSClient(cms_url), content_dir)
        except (CMSUnavailable, ExportError) as exc:
            raise BuildError(f"Export from the CMS failed: {exc}") from exc
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        build_dir = builds_dir / stamp
        run_pelican = render.run_pelican_command(settings_file, theme, ROOT)
        fingerprint = render.fingerprint(theme, [settings_file], render.code_version())
        manifest = render.scan(content_dir, fingerprint)
        previous_dir = _live_build(site_dir / "output")
        try:
            phases.start("render", f"{len(manifest.sources)} sources")
            mode, rendered = _render(
                content_dir, build_dir, previous_dir, manifest, run_pelican, incremental, jobs
            )
            if not (build_dir / "index.html").is_file():
                raise BuildError("Pelican produced no index.html")
            phases.start("feeds and open data", f"{mode}, {rendered} pages rendered")
            _site_outputs(content_dir, build_dir, settings_file)
            phases.start("search index")
            _index_for_search(build_dir)
            manifest.save(manifest_path(build_dir))
        except render.RenderError as exc:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise BuildError(str(exc)) from exc
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
        phases.start("switch")
        _swap(site_dir / "output", build_dir)
        _prune(builds_dir, build_dir)
    pages, seconds = len(manifest.sources), time.monotonic() - started
    return BuildResult(build_dir, pages, seconds, mode, rendered, phases.done())
