"""The exporter against a live CMS over HTTP, the Pelican build, and the atomic swap."""

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from portal.build import BuildError, build_portal
from portal.client import CMSClient
from portal.export import export

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _flatten(text: str) -> str:
    return "".join(text.split())


def _visible_text(html: str) -> str:
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts: list[str] = []

        def handle_data(self, data):
            self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return _flatten("".join(parser.parts))


@pytest.fixture
def cms_url(live_server):
    call_command("load_seed_policy", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return live_server.url


@pytest.fixture
def workdir(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    return tmp_path


def _build(cms_url, workdir, **kwargs):
    return build_portal(
        cms_url, site_dir=workdir / "site", content_dir=workdir / "content", **kwargs
    )


def test_exporter_reads_the_api_over_http_with_pagination(cms_url, tmp_path, monkeypatch):
    monkeypatch.setattr("portal.client.PAGE_SIZE", 1)
    requested = []
    client = CMSClient(cms_url)
    original = client.session.get

    def recording_get(url, **kwargs):
        requested.append((url, kwargs.get("params")))
        return original(url, **kwargs)

    client.session.get = recording_get
    sources = export(client, tmp_path)
    # Without notices the three notice listings are still written (empty), so no link breaks.
    assert set(sources) == {
        "home.json",
        "policies.json",
        "policies/exemption-policy.json",
        "listings/listing-open.json",
        "listings/listing-closed.json",
        "listings/listing-results.json",
        "objections/guide.json",
        "objections/status.json",
        "guidance.json",
        "guidance/faq.json",
        "guidance/self-check.json",  # the eligibility self-check and its data
        "guidance/eligibility-data.json",
        "lesson-listings/lessons.json",  # the failure-lessons library, empty
        "record.json",  # the page on the public record (公示记录)
        "sitemap.json",  # 网站地图, linked from every page's footer
        "statistics.json",  # 统计, with no notices its figures are empty
    }
    assert all(url.startswith(cms_url) for url, _ in requested)
    assert (tmp_path / "generated" / "policies" / "exemption-policy.json").is_file()


def test_portal_policy_page_carries_every_line_of_the_seed(cms_url, workdir, seed_text):
    result = _build(cms_url, workdir)
    page = (result.output / "policies" / "exemption-policy" / "index.html").read_text()
    text = _visible_text(page)
    position = 0
    for line in filter(None, map(_flatten, seed_text.splitlines())):
        found = text.find(line, position)
        assert found >= 0, f"missing or out of order: {line[:30]}"
        position = found + len(line)
    assert "（征求意见稿）" in page
    assert '<html lang="zh-CN">' in page
    assert 'id="s2-3-3"' in page


def test_pages_request_nothing_from_other_hosts(cms_url, workdir):
    import re

    output = _build(cms_url, workdir).output
    for html in output.rglob("*.html"):
        for url in re.findall(r'(?:src|href)="([^"]+)"', html.read_text()):
            assert not url.startswith(("http:", "https:", "//")), (html, url)


def test_broken_build_leaves_the_previous_site_in_place(cms_url, workdir):
    first = _build(cms_url, workdir)
    live = workdir / "site" / "output"
    before = {p.relative_to(live): p.read_bytes() for p in live.rglob("*") if p.is_file()}

    broken_theme = workdir / "broken-theme"
    shutil.copytree(ROOT / "themes" / "publicity", broken_theme)
    (broken_theme / "templates" / "policy.html").write_text("{% block content %}{% if %}")
    with pytest.raises(BuildError, match="Pelican failed"):
        _build(cms_url, workdir, theme=broken_theme)

    with pytest.raises(BuildError, match="Export from the CMS failed"):
        build_portal(
            "http://127.0.0.1:9", site_dir=workdir / "site", content_dir=workdir / "content"
        )

    after = {p.relative_to(live): p.read_bytes() for p in live.rglob("*") if p.is_file()}
    assert after == before
    assert live.resolve() == first.output.resolve()
    builds = sorted(p.name for p in (workdir / "site" / "builds").iterdir())
    name = first.output.name
    assert builds == sorted([name, f"{name}.manifest.json", f"{name}.search.json"])


def test_a_build_runs_with_the_cyclic_collector_off_and_leaves_it_as_it_was(tmp_path, monkeypatch):
    """The build's objects are walked by no collection while it runs; afterwards, failed or not,
    the collector is on again for the rest of the process."""
    import gc

    from portal import build as building
    from portal.export import ExportError

    seen = []

    def export_site(*args, **kwargs):
        seen.append(gc.isenabled())
        raise ExportError("no CMS here")

    monkeypatch.setattr(building, "export_site", export_site)
    assert gc.isenabled()
    with pytest.raises(BuildError, match="Export from the CMS failed"):
        build_portal("http://127.0.0.1:9", site_dir=tmp_path / "site", content_dir=tmp_path / "c")
    assert seen == [False]
    assert gc.isenabled()
