"""Builds handed to the resident builder, end to end: ``python -m portal builder`` in a copy of
the portal's tree, ``python -m portal build`` handing it a first build and then, after a
publication, an incremental one (rendered in a fork of the builder's child); the site equals a
full build of the same CMS made in a process of its own."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from portal.build import build_portal
from portal.phases import CMS_UNREACHABLE, failure_line, phase_line

from .test_incremental import _content, _load_demo, _publish_one_more_notice, _tree

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _portal_tree(base: Path) -> Path:
    """What a build reads (code, theme, settings, hand-written pages), outside the repository."""
    tree = base / "tree"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".jinja")
    shutil.copytree(ROOT / "portal", tree / "portal", ignore=ignore)
    shutil.copytree(ROOT / "themes", tree / "themes", ignore=ignore)
    (tree / "publicity_site").mkdir()
    for settings in (ROOT / "publicity_site").glob("*.py"):
        shutil.copy(settings, tree / "publicity_site")
    shutil.copytree(ROOT / "content" / "pages", tree / "content" / "pages")
    return tree


@pytest.fixture
def builder_tree(tmp_path):
    tree = _portal_tree(tmp_path)
    socket_dir = Path(tempfile.mkdtemp(prefix="b-", dir="/tmp"))  # a socket's path is short
    environment = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "PORTAL_BUILDER_SOCKET": str(socket_dir / "builder.sock"),
    }
    builder = subprocess.Popen(
        [sys.executable, "-m", "portal", "builder"],
        cwd=tree,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert "Builder ready" in builder.stdout.readline()
        yield tree, environment, builder
    finally:
        builder.terminate()
        builder.wait(timeout=30)
        shutil.rmtree(socket_dir, ignore_errors=True)


def _build(tree: Path, environment: dict, cms_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "portal", "build", "--cms-url", cms_url],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_builds_handed_to_the_builder_equal_a_build_of_its_own(builder_tree, live_server, tmp_path):
    tree, environment, builder = builder_tree
    _load_demo()
    first = _build(tree, environment, live_server.url)
    assert first.returncode == 0, first.stderr
    assert "Portal built (full)" in first.stdout
    # The build's progress, which the CMS's rebuild task reads, came through.
    assert phase_line("export", live_server.url) in first.stderr.splitlines()

    _publish_one_more_notice()
    second = _build(tree, environment, live_server.url)
    assert second.returncode == 0, second.stderr
    assert "Portal built (incremental)" in second.stdout
    output = tree / "publicity_site" / "output"
    assert (output / "notices" / "incremental-check" / "index.html").is_file()
    assert "incremental-check/" in (output / "notices" / "index.html").read_text()

    alone = build_portal(
        live_server.url,
        site_dir=tmp_path / "alone" / "site",
        content_dir=_content(tmp_path / "alone"),
        incremental=False,
    )
    assert _tree(output.resolve()) == _tree(alone.output)

    builder.terminate()
    log = builder.communicate(timeout=30)[0]
    assert log.count("started") == 2 and log.count("ended: exit 0") == 2, log


def test_a_failed_build_in_the_builder_fails_the_command(builder_tree):
    tree, environment, _ = builder_tree
    unreachable = _build(tree, environment, "http://127.0.0.1:9")
    assert unreachable.returncode == 2
    assert "CMS not reachable" in unreachable.stderr
    assert failure_line(CMS_UNREACHABLE) in unreachable.stderr.splitlines()
