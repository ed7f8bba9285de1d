"""Export from the CMS, build with Pelican into a fresh directory, and swap it in atomically.

``publicity_site/output`` is a symlink to the current build under ``publicity_site/builds/``;
the link is replaced in one rename, so readers see the old site or the new one, never half.
A failed build raises :class:`BuildError` and leaves the current site as it was.
"""

import fcntl
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import opendata
from .client import CMSClient, CMSUnavailable
from .export import ExportError, export
from .search import SearchIndexError, index_site

ROOT = Path(__file__).resolve().parent.parent
SITE_DIR = ROOT / "publicity_site"
CONTENT_DIR = ROOT / "content"
THEME_DIR = ROOT / "themes" / "publicity"
KEEP_BUILDS = 2


class BuildError(RuntimeError):
    """The portal could not be built; the site that was live stays live."""


@dataclass(frozen=True)
class BuildResult:
    output: Path
    pages: int
    seconds: float


def _pelican(content_dir: Path, build_dir: Path, settings_file: Path, theme: Path) -> None:
    command = [
        sys.executable, "-m", "pelican", str(content_dir),
        "--settings", str(settings_file), "--output", str(build_dir),
        "--theme-path", str(theme), "--fatal", "errors", "--quiet",
    ]  # fmt: skip
    environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    completed = subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=ROOT, env=environment
    )
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip()[-2000:]
        raise BuildError(f"Pelican failed (exit {completed.returncode}):\n{detail}")


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


def build_portal(
    cms_url: str,
    *,
    site_dir: Path = SITE_DIR,
    content_dir: Path = CONTENT_DIR,
    theme: Path = THEME_DIR,
    settings_file: Path = SITE_DIR / "pelicanconf.py",
) -> BuildResult:
    started = time.monotonic()
    site_dir.mkdir(parents=True, exist_ok=True)
    builds_dir = site_dir / "builds"
    builds_dir.mkdir(exist_ok=True)
    with open(site_dir / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            sources = export(CMSClient(cms_url), content_dir)
        except (CMSUnavailable, ExportError) as exc:
            raise BuildError(f"Export from the CMS failed: {exc}") from exc
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        build_dir = builds_dir / stamp
        try:
            _pelican(content_dir, build_dir, settings_file, theme)
            if not (build_dir / "index.html").is_file():
                raise BuildError("Pelican produced no index.html")
            _site_outputs(content_dir, build_dir, settings_file)
            _index_for_search(build_dir)
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
        _swap(site_dir / "output", build_dir)
        _prune(builds_dir, build_dir)
    return BuildResult(build_dir, len(sources), time.monotonic() - started)
