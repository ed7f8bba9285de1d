"""Incremental builds: only what changed is rendered, the result is byte-identical to a full
build of the same sources, and the build it started from is left untouched."""

import hashlib
import json
import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from wagtail.models import PageLogEntry, PageViewRestriction

from cms.core.clock import travel_to
from cms.domain import dates
from cms.notices.models import DecisionNoticePage, NoticeIndexPage
from portal import build as build_module
from portal import export as export_module
from portal import files, fingerprint, render
from portal.build import build_portal
from portal.builds import WAITING_DIR, another_build_waits, manifest_path
from portal.client import CMSClient
from portal.export import export_site
from portal.record import SIGNING_KEY_VARIABLE
from portal.search import bundles, marked_pages, pagefind_executable, shard_count, shard_of
from portal.urls import HEAD_JSON, HEAD_SIG, PUBLIC_KEY, RECORD_JSONL, notice_url
from portal.verify import reader, verify

from .conftest import signing_pem

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _tree(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def _inodes(directory: Path) -> dict[str, int]:
    return {
        str(path.relative_to(directory)): path.stat().st_ino
        for path in directory.rglob("*")
        if path.is_file()
    }


def _reindexed_shards(before: Path, after: Path) -> set[str]:
    """The search index shards of ``after`` that are not hard links of ``before``'s; checks that
    they are exactly those holding a page that is not the same file as in ``before``."""
    pages_before, pages_after = _inodes(before), _inodes(after)
    changed = {
        str(shard_of(page, shard_count()))
        for page in marked_pages(after)
        if pages_before.get(page) != pages_after[page]
    }
    reindexed = set()
    for bundle in bundles(after):
        index_before = _inodes(before / "pagefind" / bundle.name)
        if _inodes(bundle) != index_before:
            reindexed.add(bundle.name)
    assert reindexed == changed & {bundle.name for bundle in bundles(after)}
    return reindexed


def _content(base: Path) -> Path:
    content = base / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    return content


def _load_demo() -> None:
    with open("/dev/null", "w") as quiet:
        call_command("load_seed_policy", stdout=quiet)
        call_command("load_demo_notices", stdout=quiet)


def _demo_site(base: Path) -> tuple[Path, Path]:
    """The seed policy and the demo notices in the CMS; the content and site directories."""
    _load_demo()
    return _content(base), base / "site"


def _publish_one_more_notice(slug: str = "incremental-check", number: int = 1):
    from cms.notices.models import DecisionItem

    index = NoticeIndexPage.objects.get()
    notice = DecisionNoticePage(
        title=f"关于增量构建测试的公示（{number}）",
        slug=slug,
        notice_number=f"测试-增量-{number}",
        publicity_start=dates.local_date(timezone.now()),
        contact_office="监督评估处",
        contact_phone="0571-00000000",
        contact_email="a@example.invalid",
        contact_address="杭州",
    )
    item = DecisionItem(
        project_code=f"INC-{number}", project_name="增量", programme="key_rd",
        undertaking_unit="某单位",
        project_leader="某人", decision="rejected", reasons=["no_ground"], explanation="未能认定。",
    )  # fmt: skip
    notice.items.add(item)
    index.add_child(instance=notice)
    notice.save_revision().publish()


def _live_view(output: Path) -> dict:
    """What a reader sees through the output link right now."""
    live = output.resolve()
    return {
        "build": live,
        "page": (live / "notices" / "incremental-check" / "index.html").is_file(),
        "listed": "incremental-check/" in (live / "notices" / "index.html").read_text(),
        "in_feed": "notices/incremental-check/"
        in (live / "feeds" / "notices.atom.xml").read_text(),
        "search": all((bundle / "pagefind-entry.json").is_file() for bundle in bundles(live))
        and bool(bundles(live)),
        "data": (live / "data" / "decisions.json").is_file(),
        "new_in_data": "incremental-check" in (live / "data" / "decisions.json").read_text(),
        "new_in_record": "测试-增量-1" in (live / RECORD_JSONL).read_text(),
        "record_page": (live / "notices" / "incremental-check" / "record" / "index.html").is_file(),
        # The record and the open data always go live together: they verify at every moment.
        "verifies": verify(reader(str(live))).signature == PUBLIC_KEY,
    }


def _record_page(output: Path, notice) -> str:
    page = output / notice_url(notice.slug, notice.pk) / "record" / "index.html"
    return page.read_text(encoding="utf-8")


def test_incremental_build_equals_a_full_build_and_spares_the_previous_one(
    live_server, tmp_path, monkeypatch
):
    """With the public record, signed: its files and pages too are the same byte for byte."""
    monkeypatch.setenv(SIGNING_KEY_VARIABLE, signing_pem(Ed25519PrivateKey.generate()))
    content, site = _demo_site(tmp_path / "inc")

    first = build_portal(live_server.url, site_dir=site, content_dir=content)
    assert first.mode == "full"
    before = _tree(first.output)

    unchanged = build_portal(live_server.url, site_dir=site, content_dir=content)
    assert (unchanged.mode, unchanged.rendered) == ("incremental", 0)
    assert _tree(unchanged.output) == before
    assert _reindexed_shards(first.output, unchanged.output) == set()  # every shard reused

    _publish_one_more_notice()
    withdrawn = DecisionNoticePage.objects.get(notice_number="示例-2026-01")
    from cms.notices.services import withdraw_notice

    withdraw_notice(withdrawn, None, "测试撤回。")
    # The second half of an incremental build (search index, open data) starts once the pages,
    # listings and feeds are live: readers then see a whole site, the new notice in it.
    seen = []
    index_for_search = build_module._index_for_search
    monkeypatch.setattr(
        build_module,
        "_index_for_search",
        lambda directory, **kw: (
            seen.append(_live_view(site / "output")),
            index_for_search(directory, **kw),
        ),
    )
    incremental = build_portal(live_server.url, site_dir=site, content_dir=content)
    assert incremental.mode == "incremental"
    [during] = seen
    assert during["build"] != incremental.output.resolve()
    assert during["page"] and during["listed"] and during["in_feed"]
    assert during["search"] and during["data"] and not during["new_in_data"]
    assert during["record_page"] and during["verifies"] and not during["new_in_record"]
    after = _live_view(site / "output")
    assert after["build"] == incremental.output.resolve() and after["new_in_data"]
    assert after["new_in_record"] and after["verifies"]
    head_before = json.loads((unchanged.output / HEAD_JSON).read_bytes())
    head_after = json.loads((incremental.output / HEAD_JSON).read_bytes())
    assert head_after["sequence"] > head_before["sequence"]
    assert "撤回" in _record_page(incremental.output, withdrawn)
    new = DecisionNoticePage.objects.get(slug="incremental-check")
    assert "发布" in _record_page(incremental.output, new)
    assert not during["build"].exists()  # the first half's build is gone, its files live on
    # The next build's copy is ready (and is the live build's files); nothing is left to delete.
    spare = site / ".spare" / incremental.output.name
    assert _tree(spare) == _tree(incremental.output)
    assert not any((site / ".trash").glob("*"))
    assert 0 < incremental.rendered < incremental.pages
    assert (incremental.output / "notices" / "incremental-check" / "index.html").is_file()
    # Only the shards holding a changed page were indexed again; the others are hard links.
    reindexed = _reindexed_shards(unchanged.output, incremental.output)
    assert str(shard_of("notices/incremental-check/index.html", shard_count())) in reindexed
    assert 0 < len(reindexed) < len(bundles(incremental.output))

    full = build_portal(
        live_server.url,
        site_dir=tmp_path / "full" / "site",
        content_dir=_content(tmp_path / "full"),
        incremental=False,
    )
    assert full.mode == "full"
    record_files = {RECORD_JSONL, HEAD_JSON, HEAD_SIG, PUBLIC_KEY,
                    "notices/incremental-check/record/index.html", "record/index.html"}  # fmt: skip
    assert record_files <= set(_tree(full.output))
    assert _tree(incremental.output) == _tree(full.output)
    assert _tree(unchanged.output) == before  # hard links shared, contents untouched

    # A full build over the live site goes live with the live search index, then with its own.
    seen.clear()
    again = build_portal(live_server.url, site_dir=site, content_dir=content, incremental=False)
    [during] = seen
    assert during["build"] != again.output.resolve() and during["page"] and during["search"]
    assert _tree(again.output) == _tree(full.output)


def test_an_upgraded_package_that_shapes_the_output_means_a_full_build(
    live_server, tmp_path, monkeypatch
):
    """Pages rendered by an old Pelican (or Jinja2, Markdown, feedgen…) are never reused."""
    content, site = _demo_site(tmp_path / "upgrade")
    build_portal(live_server.url, site_dir=site, content_dir=content)
    same = build_portal(live_server.url, site_dir=site, content_dir=content)
    assert (same.mode, same.rendered) == ("incremental", 0)

    installed = fingerprint.package_versions()
    assert installed["pelican"].startswith("4.12")
    monkeypatch.setattr(fingerprint, "package_versions", lambda: {**installed, "pelican": "4.99.0"})
    upgraded = build_portal(live_server.url, site_dir=site, content_dir=content)
    assert upgraded.mode == "full"
    assert upgraded.rendered == len(render.Manifest.load(manifest_path(upgraded.output)).sources)
    again = build_portal(live_server.url, site_dir=site, content_dir=content)
    assert (again.mode, again.rendered) == ("incremental", 0)


def test_package_versions_are_read_again_once_a_package_is_installed(tmp_path, monkeypatch):
    """The versions are read once while the import path stays as it is; a package installed,
    upgraded or removed changes a directory of it, and they are read again."""
    import sys

    packages = tmp_path / "site-packages"
    packages.mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(packages)])
    monkeypatch.setattr(fingerprint, "_read", None)
    reads = []
    real_version = fingerprint.metadata.version

    def version(name):
        reads.append(name)
        return real_version(name)

    monkeypatch.setattr(fingerprint.metadata, "version", version)
    first = fingerprint.package_versions()
    assert len(reads) == len(fingerprint.SHAPING_PACKAGES)
    first["pelican"] = "changed by the caller"  # a copy: what is held stays as read
    assert fingerprint.package_versions()["pelican"].startswith("4.12")
    assert len(reads) == len(fingerprint.SHAPING_PACKAGES)
    (packages / "pelican-4.99.0.dist-info").mkdir()
    os.utime(packages, ns=(1, 1))  # whatever the clock's resolution: the directory changed
    fingerprint.package_versions()
    assert len(reads) == 2 * len(fingerprint.SHAPING_PACKAGES)


def test_a_live_build_without_its_manifest_is_followed_by_a_full_build(live_server, tmp_path):
    """The manifest is written once the pages are live; should the process stop before, the next
    build cannot trust the live build's files and renders every page, to the same tree."""
    content, site = _demo_site(tmp_path / "crash")
    first = build_portal(live_server.url, site_dir=site, content_dir=content)
    before = _tree(first.output)
    manifest_path(first.output.resolve()).unlink()
    after = build_portal(live_server.url, site_dir=site, content_dir=content)
    assert after.rendered == len(render.Manifest.load(manifest_path(after.output)).sources) > 0
    assert _tree(after.output) == before


def _holding_pagefind(tmp_path: Path, monkeypatch) -> Path:
    """Pagefind behind a script that, while the returned file exists, says it started and sleeps
    instead (until it is stopped)."""
    hold = tmp_path / "hold"
    script = tmp_path / "pagefind"
    script.write_text(
        f'#!/bin/sh\nif [ -e "{hold}" ]; then touch "{hold}.started"; exec sleep 60; fi\n'
        f'exec "{pagefind_executable()}" "$@"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(script))
    return hold


def _wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_build_waiting_for_the_lock_goes_live_and_indexes_for_the_one_that_gave_way(
    live_server, tmp_path, monkeypatch
):
    """A publication while the previous build writes its search index: that build stops Pagefind
    and leaves its index (and open data) to the waiting build, which goes live without waiting
    for an index, then indexes for both, again only the shards whose pages changed."""
    hold = _holding_pagefind(tmp_path, monkeypatch)
    content, site = _demo_site(tmp_path / "inc")
    first = build_portal(live_server.url, site_dir=site, content_dir=content)
    indexed = tmp_path / "indexed"  # the last build with an index of its own, kept for inodes
    files.hardlink_copy(first.output, indexed)

    _publish_one_more_notice("first-of-two", 1)
    hold.touch()
    with ThreadPoolExecutor(max_workers=2) as pool:
        giving_way = pool.submit(build_portal, live_server.url, site_dir=site, content_dir=content)
        _wait_for(lambda: hold.with_name("hold.started").exists() or giving_way.done())
        assert not giving_way.done()  # its Pagefind sleeps: it is writing its index
        assert (site / "output" / "notices" / "first-of-two" / "index.html").is_file()
        _publish_one_more_notice("second-of-two", 2)
        hold.unlink()
        waiting = pool.submit(build_portal, live_server.url, site_dir=site, content_dir=content)
        gave_way = giving_way.result(timeout=120)  # its Pagefind would sleep 60 s, then fail
        done = waiting.result(timeout=300)

    assert gave_way.left_to_next and gave_way.output != done.output
    assert not done.left_to_next and (site / "output").resolve() == done.output
    assert not list((site / WAITING_DIR).iterdir())
    page = "notices/{}/index.html"
    assert all((done.output / page.format(s)).is_file() for s in ("first-of-two", "second-of-two"))
    full = build_portal(
        live_server.url,
        site_dir=tmp_path / "full" / "site",
        content_dir=_content(tmp_path / "full"),
        incremental=False,
    )
    assert _tree(done.output) == _tree(full.output)  # index, open data and sitemap caught up
    reindexed = _reindexed_shards(indexed, done.output)
    assert {str(shard_of(page.format("first-of-two"), shard_count())),
            str(shard_of(page.format("second-of-two"), shard_count()))} <= reindexed  # fmt: skip
    assert len(reindexed) < len(bundles(done.output))


def test_a_copy_of_a_build_stops_when_its_check_says_so(tmp_path, monkeypatch):
    source = tmp_path / "build"
    for number in range(50):
        (source / f"d{number}").mkdir(parents=True)
        (source / f"d{number}" / "index.html").write_text(str(number))
    monkeypatch.setattr(files, "CHECK_SECONDS", 0)
    calls = []

    class Stop(Exception):
        pass

    def check():
        calls.append(1)
        if len(calls) == 10:
            raise Stop

    with pytest.raises(Stop):
        files.hardlink_copy(source, tmp_path / "copy", check=check)
    assert 0 < len(list((tmp_path / "copy").iterdir())) < 50  # stopped half made
    files.hardlink_copy(source, tmp_path / "whole", check=lambda: None)
    assert _inodes(tmp_path / "whole") == _inodes(source)


def test_the_file_of_a_build_that_died_waiting_does_not_stop_another(tmp_path):
    waiting = tmp_path / WAITING_DIR
    waiting.mkdir()
    assert not another_build_waits(tmp_path)
    process = subprocess.Popen(["true"])
    process.wait()  # gone: its file stays behind, as after a kill
    (waiting / f"{process.pid}-abc").touch()
    assert not another_build_waits(tmp_path)
    assert not list(waiting.iterdir())
    (waiting / f"{os.getpid()}-def").touch()
    assert another_build_waits(tmp_path)


def _manifest(sources: dict[str, tuple[str, list[str]]], fingerprint="f") -> render.Manifest:
    return render.Manifest(
        fingerprint, {s: {"hash": h, "outputs": outs} for s, (h, outs) in sources.items()}
    )


def test_plan_renders_changed_sources_and_removes_pages_of_deleted_ones():
    previous = _manifest({"a.json": ("1", ["a/index.html"]), "b.json": ("2", ["b/index.html"]),
                          "c.json": ("3", ["c/index.html"])})  # fmt: skip
    current = _manifest({"a.json": ("1", ["a/index.html"]), "b.json": ("9", ["b/index.html"]),
                         "d.json": ("4", ["d/index.html"])})  # fmt: skip
    steps = render.plan(previous, current)
    assert sorted(steps.render) == ["b.json", "d.json"]
    assert steps.remove == ["c/index.html"]


def test_a_new_theme_or_settings_means_a_full_build():
    previous = _manifest({"a.json": ("1", ["a/index.html"])}, fingerprint="old")
    assert render.plan(previous, _manifest({"a.json": ("1", ["a/index.html"])})) is None


def _aged_log(hours: int = 1) -> None:
    """The log as if the demo had been loaded ``hours`` ago (its page removals included: a change
    to a tree within the export's margin of its version means a full export)."""
    PageLogEntry.objects.update(timestamp=F("timestamp") - timedelta(hours=hours))


def _recording(client: CMSClient) -> list[tuple[str, dict]]:
    requested = []
    get = client.session.get
    client.session.get = lambda url, **kw: (
        requested.append((url, kw.get("params"))),
        get(url, **kw),
    )[1]
    return requested


def test_incremental_export_fetches_and_writes_only_what_changed(
    live_server, tmp_path, monkeypatch
):
    """One request: the CMS sends the notices changed since the last export's version and every
    other read; only the sources whose bytes changed are written (the others keep their inode
    and time), without walking the sources' directory; the result is what a full export
    writes."""
    _load_demo()
    _aged_log()
    content = _content(tmp_path / "inc")
    export_site(CMSClient(live_server.url), content, incremental=False)
    generated = content / "generated"

    def stats():
        return {
            str(p.relative_to(generated)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in generated.rglob("*.json")
        }

    before = stats()
    held = (content / ".record.jsonl").read_bytes().splitlines()
    version = (content / ".export-version").read_text()
    _publish_one_more_notice()
    client = CMSClient(live_server.url)
    requested = _recording(client)
    with monkeypatch.context() as patched:
        patched.setattr(export_module, "walk_files", lambda *a: pytest.fail("walked the sources"))
        exported = export_site(client, content)

    last = json.loads(held[-1])["sequence"]
    assert requested == [
        (f"{live_server.url}/api/v3/export/", {"since": version, "record_after": last})
    ]
    assert exported.notices.version != version
    new_id = DecisionNoticePage.objects.get(slug="incremental-check").pk
    assert set(exported.notices.records) > {new_id}
    # The public record: the entries kept, then what follows them, and the new notice's page.
    kept = (content / ".record.jsonl").read_bytes().splitlines()
    assert kept[: len(held)] == held and len(kept) > len(held)
    after = stats()
    changed = sorted(path for path in after if after[path] != before.get(path))
    assert changed == sorted(exported.written.written)
    assert "notices/incremental-check.json" in changed
    assert "notices/incremental-check/inc-1.json" in changed
    assert "listings/listing-open.json" in changed and "home.json" in changed
    assert "notices/incremental-check/record.json" in changed
    untouched = [p for p in before if p.startswith("notices/") and p in after]
    assert all(after[p] == before[p] for p in untouched)

    full = _content(tmp_path / "full")
    export_site(CMSClient(live_server.url), full, incremental=False)
    assert _tree(full / "generated") == _tree(generated)


def test_after_a_day_of_changes_one_request_exports_what_a_full_export_writes(
    live_server, tmp_path, admin_user
):
    """A day later, a notice withdrawn, another finalised, one made private and an objection
    filed: one request, the changed notices only (the private one's files removed), and the
    same files as a full export of the same moment."""
    from cms.notices import services
    from cms.objections.models import Objection
    from cms.objections.rules import ObjectionStatus

    _load_demo()
    _aged_log()
    content = _content(tmp_path / "inc")
    export_site(CMSClient(live_server.url), content, incremental=False)
    live = DecisionNoticePage.objects.live()
    open_ = [n for n in live if n.state_at().value == "under_publicity"]
    closed = [n for n in live if n.state_at().value == "closed" and not n.corrections.exists()]
    assert len(open_) >= 2 and closed, "the demo has notices open and closed"
    with travel_to(timezone.now() + timedelta(days=1)):
        services.withdraw_notice(open_[0], admin_user, "项目信息有误，撤回重发。")
        Objection.objects.create(
            notice=open_[1], item=open_[1].items.first(), receipt_number="YY-INC-1",
            lookup_code_hash="x", consented_at=timezone.now(), objector_type="individual",
            content="该事项与事实不符，请核实。", status=ObjectionStatus.RECEIVED,
            real_name="王异议", phone="13800000000", email="objector@example.invalid",
        )  # fmt: skip
        if not services.finalise_errors(closed[0], timezone.now()):
            services.finalise_notice(closed[0], admin_user)
        hidden = next(n for n in live if n not in (*open_[:2], closed[0]) and not n.corrects_id)
        PageViewRestriction.objects.create(page=hidden, restriction_type="login")
        PageLogEntry.objects.log_action(hidden, "wagtail.view_restriction.create")
        client = CMSClient(live_server.url)
        requested = _recording(client)
        exported = export_site(client, content)
        assert [url for url, _params in requested] == [f"{live_server.url}/api/v3/export/"]
        fetched = {
            path.split("/")[1].removesuffix(".json")
            for path in exported.written.written
            if path.startswith("notices/")
        }
        slugs = set(DecisionNoticePage.objects.live().values_list("slug", flat=True))
        assert {open_[0].slug, open_[1].slug} <= fetched < slugs
        assert f"notices/{hidden.slug}.json" in exported.written.removed
        full = _content(tmp_path / "full")
        export_site(CMSClient(live_server.url), full, incremental=False)
    assert _tree(full / "generated") == _tree(content / "generated")
