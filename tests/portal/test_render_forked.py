"""Pelican in a fork of the building process (what the resident builder renders with) writes
the same files as Pelican's command, and fails as the command does."""

import hashlib
import shutil
from pathlib import Path

import pytest

from portal import render
from portal.paths import ROOT, SITE_DIR, THEME_DIR

SETTINGS = SITE_DIR / "pelicanconf.py"
SOURCES = ["pages/a11y.md", "pages/about.md"]


def _tree(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def content(tmp_path) -> Path:
    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)
    for source in SOURCES:
        shutil.copy(ROOT / "content" / source, content / source)
    return content


def _forked(content: Path, sources: list[str], out: Path) -> None:
    def start(shard: Path, output: Path):
        return render.start_pelican_forked(SETTINGS, THEME_DIR, ROOT, shard, output)

    render.render_forked(content, sources, out, start)()


def test_a_forked_render_writes_what_the_command_writes(content, tmp_path):
    by_command, forked = tmp_path / "command" / "out", tmp_path / "forked" / "out"
    by_command.parent.mkdir()
    forked.parent.mkdir()
    run = render.run_pelican_command(SETTINGS, THEME_DIR, ROOT)
    render.render(content, SOURCES, by_command, run, jobs=1)
    _forked(content, SOURCES, forked)
    assert (forked / "a11y" / "index.html").is_file()
    assert (forked / "about" / "index.html").is_file()
    assert _tree(forked) == _tree(by_command)
    assert not list(forked.parent.glob("render-*"))  # its scratch directory is gone


def test_a_forked_render_that_fails_says_why_and_writes_nothing(content, tmp_path):
    broken = content / "pages" / "broken.md"
    broken.write_text("Title: 坏页面\nSlug: broken\nTemplate: no-such-template\n\n正文。\n")
    out = tmp_path / "site" / "out"
    out.parent.mkdir()
    with pytest.raises(render.RenderError, match="no-such-template"):
        _forked(content, [*SOURCES, "pages/broken.md"], out)
    assert not out.exists()
    assert not list(out.parent.glob("render-*"))
