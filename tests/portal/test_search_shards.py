"""The search index in shards, on a small site written here: which page goes where, reuse of
unchanged shards from the previous build, and the settings' errors. Pagefind really runs."""

import os
import shutil
import time
from pathlib import Path

import pytest

from portal import search
from portal.search import (
    SearchIndexError,
    bundles,
    index_site,
    marked_pages,
    shard_count,
    shard_of,
)

from .browser import require_pagefind


def _page(site: Path, path: str, body: str, marked: bool = True) -> None:
    attribute = " data-pagefind-body" if marked else ""
    file = site / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(
        f'<!DOCTYPE html><html lang="zh-CN"><head><title>{body}</title></head><body>'
        f"<nav>导航</nav><article{attribute}><h1>{body}</h1><p>{body}的正文</p></article>"
        "</body></html>",
        encoding="utf-8",
    )


def _notices_in_other_shards(shards: int, wanted: int) -> list[str]:
    """Notice directories whose shard is not the first."""
    names = (f"n{number}" for number in range(1000))
    return [n for n in names if shard_of(f"notices/{n}/index.html", shards) != 0][:wanted]


@pytest.fixture
def pagefind():
    return require_pagefind()


def _site(base: Path) -> Path:
    site = base / "builds" / "b1"
    _page(site, "policies/p/index.html", "政策原文")
    _page(site, "index.html", "首页", marked=False)
    _page(site, "notices/index.html", "公告列表", marked=False)
    for number in range(12):
        _page(site, f"notices/n{number}/index.html", f"公告{number}")
        _page(site, f"notices/n{number}/r1/index.html", f"不予认定理由{number}")
    return site


def _inodes(directory: Path) -> set[int]:
    return {path.stat().st_ino for path in directory.rglob("*") if path.is_file()}


def test_pages_are_spread_over_shards_and_unchanged_shards_are_reused(
    tmp_path, pagefind, monkeypatch
):
    site = _site(tmp_path)
    first = index_site(site, shards=4, executable=pagefind)
    assert first.pages == 25 and first.indexed_shards == first.shards > 1
    assert bundles(site)[0].name == "0"
    assert (site / "pagefind" / "0" / "pagefind.js").is_file()
    for bundle in bundles(site):
        pages = {p for p in marked_pages(site) if str(shard_of(p, 4)) == bundle.name}
        assert search._page_count(bundle) == len(pages) > 0

    # The next build: a hard-linked copy with one notice's page written anew.
    copy = site.with_name("b2")
    shutil.copytree(site, copy, copy_function=os.link, ignore=lambda d, n: {"pagefind"} & set(n))
    changed = "notices/n3/index.html"
    (copy / changed).unlink()
    _page(copy, changed, "公告3（更正）")
    read = []
    is_marked = search._is_marked
    monkeypatch.setattr(search, "_is_marked", lambda path: read.append(path) or is_marked(path))
    second = index_site(copy, previous=site, shards=4, executable=pagefind)
    # The pages outside notices' directories are read for their body; of the notices' pages
    # (tens of thousands on a real site) at most one a shard, to see that it has a body.
    read_pages = {p.relative_to(copy).as_posix() for p in read}
    assert {"index.html", "notices/index.html", "policies/p/index.html"} <= read_pages
    assert len([p for p in read_pages if p.startswith("notices/n")]) <= second.shards
    assert (second.pages, second.shards, second.indexed_shards) == (25, first.shards, 1)
    for bundle in bundles(copy):
        shared = _inodes(bundle) == _inodes(site / "pagefind" / bundle.name)
        assert shared == (bundle.name != str(shard_of(changed, 4)))

    # Without the previous build's record every shard is indexed again.
    search.record_path(site).unlink()
    third = index_site(copy, previous=site, shards=4, executable=pagefind)
    assert third.indexed_shards == third.shards


def test_the_first_shard_is_never_empty(tmp_path, pagefind):
    site = tmp_path / "builds" / "b1"
    for name in _notices_in_other_shards(4, 2):
        _page(site, f"notices/{name}/index.html", name)
    result = index_site(site, shards=4, executable=pagefind)
    assert [bundle.name for bundle in bundles(site)] == ["0"] and result.pages == 2


def test_a_site_without_marked_pages_gets_no_index(tmp_path, pagefind):
    site = tmp_path / "builds" / "b1"
    _page(site, "index.html", "首页", marked=False)
    result = index_site(site, shards=4, executable=pagefind)
    assert (result.directory, result.pages) == (None, 0)
    assert not (site / "pagefind").exists() and bundles(site) == []


@pytest.mark.parametrize("value", ["0", "65", "two", "-1", "1.5"])
def test_a_wrong_shard_count_is_refused(monkeypatch, value):
    monkeypatch.setenv("PORTAL_SEARCH_SHARDS", value)
    with pytest.raises(SearchIndexError, match="PORTAL_SEARCH_SHARDS"):
        shard_count()


def test_the_shard_count_defaults_to_four_and_one_means_a_single_index(monkeypatch):
    monkeypatch.delenv("PORTAL_SEARCH_SHARDS", raising=False)
    assert shard_count() == 4
    monkeypatch.setenv("PORTAL_SEARCH_SHARDS", "1")
    assert shard_count() == 1
    assert {shard_of(f"notices/n{n}/index.html", 1) for n in range(50)} == {0}
    assert shard_of("policies/p/index.html", 4) == shard_of("notices/index.html", 4) == 0


def test_a_larger_site_gets_more_shards_of_the_same_size_unless_told(monkeypatch):
    monkeypatch.delenv("PORTAL_SEARCH_SHARDS", raising=False)
    per_shard = search.PAGES_PER_SHARD
    assert shard_count(31_000) == 4  # 10,000 notices
    assert shard_count(4 * per_shard + 1) == 5
    assert shard_count(310_000) == 39  # 100,000 notices: shards of about the same size
    assert shard_count(10**9) == 64
    monkeypatch.setenv("PORTAL_SEARCH_SHARDS", "2")
    assert shard_count(310_000) == 2


def test_a_shard_without_a_marked_page_is_left_out(tmp_path, pagefind):
    """Pagefind would index such pages whole, navigation and all."""
    site = tmp_path / "builds" / "b1"
    _page(site, "policies/p/index.html", "政策原文")
    [name] = _notices_in_other_shards(4, 1)
    _page(site, f"notices/{name}/index.html", "没有正文标记", marked=False)
    result = index_site(site, shards=4, executable=pagefind)
    assert [bundle.name for bundle in bundles(site)] == ["0"] and result.pages == 1


def test_a_first_build_renders_one_group_per_shard_unless_a_source_spans_two():
    from types import SimpleNamespace

    from portal.build import _render_groups
    from portal.render import SHARD_MIN_SOURCES, Manifest

    writer = SimpleNamespace(count=4)

    def shard(name: str) -> int:
        return shard_of(f"notices/{name}/index.html", 4)

    a = "n0"
    b = next(f"n{n}" for n in range(1, 100) if shard(f"n{n}") != shard(a))
    sources = {
        "generated/notices/a.json": [f"notices/{a}/index.html", f"notices/{a}/r1/index.html"],
        "generated/notices/b.json": [f"notices/{b}/index.html"],
        "generated/listings/open.json": ["notices/index.html", "notices/page/2/index.html"],
        "pages/data.md": ["data/index.html", "data/decisions.csv"],
    }
    manifest = Manifest("f", {path: {"outputs": outputs} for path, outputs in sources.items()})
    assert _render_groups(manifest, writer) == {0: list(sources)}  # few: one Pelican process
    for number in range(SHARD_MIN_SOURCES):  # enough to be worth a process per group
        manifest.sources[f"pages/p{number}.md"] = {"outputs": [f"p{number}/index.html"]}
    groups = _render_groups(manifest, writer)
    assert sorted(s for group in groups.values() for s in group) == sorted(manifest.sources)
    assert groups[shard_of(f"notices/{a}/index.html", 4)] == ["generated/notices/a.json"]
    assert {"generated/listings/open.json", "pages/data.md"} <= set(groups[0])

    # A source with pages in two shards: its shards cannot be indexed before the other renders.
    manifest.sources["generated/notices/a.json"]["outputs"].append(f"notices/{b}/x/index.html")
    assert _render_groups(manifest, writer) == {0: list(manifest.sources)}


def _script(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-pagefind"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


class _Stop(Exception):
    pass


def test_a_check_that_raises_stops_pagefind_and_its_children(tmp_path):
    """What ``check()`` raises while Pagefind runs stops its whole process group at once."""
    started = tmp_path / "started"
    children = tmp_path / "children"
    command = _script(tmp_path, f'sleep 60 & echo $! > "{children}"; touch "{started}"; wait')
    calls = []

    def check():
        calls.append(1)
        if started.exists():
            raise _Stop

    with pytest.raises(_Stop):
        search._run_pagefind([command], check)
    assert calls
    assert _ends(int(children.read_text()))  # the sleep it started was stopped with it


def _ends(pid: int, seconds: float = 10) -> bool:
    """Whether the process exits (or is left a zombie, waiting to be reaped) within seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


def test_pagefind_runs_that_fail_or_hang_are_errors(tmp_path, monkeypatch):
    with pytest.raises(SearchIndexError, match="exit 3"):
        search._run_pagefind([_script(tmp_path, "echo broken >&2; exit 3")])
    with pytest.raises(SearchIndexError, match="without Chinese segmentation"):
        search._run_pagefind([_script(tmp_path, "echo 'Running Pagefind v1.5.2'")])
    search._run_pagefind([_script(tmp_path, "echo 'Running Pagefind v1.5.2 (Extended)'")])
    monkeypatch.setattr(search, "TIMEOUT_SECONDS", 0.5)
    with pytest.raises(SearchIndexError, match="did not finish"):
        search._run_pagefind([_script(tmp_path, "sleep 30")])


def _failing(*args, **kwargs):
    raise OSError(28, "No space left on device")


def test_failures_around_pagefind_are_search_index_errors(tmp_path, pagefind, monkeypatch):
    """What the build reports as "Search index failed" (the live site stays): no room for the
    views Pagefind reads, a page that cannot be linked into one, a shard that cannot be reused."""
    site = _site(tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(search.tempfile, "mkdtemp", _failing)
        with pytest.raises(SearchIndexError, match="No room for Pagefind's views"):
            index_site(site, shards=4, executable=pagefind)
    with monkeypatch.context() as patch:
        patch.setattr(search.os, "link", _failing)
        with pytest.raises(SearchIndexError, match="could not be linked"):
            index_site(site, shards=4, executable=pagefind)
    assert not list(site.parent.glob(".search-views-*"))  # the half-made views are gone

    index_site(site, shards=4, executable=pagefind)
    copy = site.with_name("b2")
    shutil.copytree(site, copy, copy_function=os.link, ignore=lambda d, n: {"pagefind"} & set(n))
    with monkeypatch.context() as patch:
        patch.setattr(search.shutil, "copytree", _failing)
        with pytest.raises(SearchIndexError, match="could not be reused"):
            index_site(copy, previous=site, shards=4, executable=pagefind)
