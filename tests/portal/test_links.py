"""No broken internal link anywhere on the built demo portal.

Every HTML file of conftest's demo build (``site``) is read; every ``href`` and ``src`` that
points into the site (relative, root-relative, or absolute on the portal's own address) must
name a file of the build, and a ``#fragment`` must name an element's id on the page it points to.
Links to other hosts (the CMS's forms and downloads) and ``mailto:``/``tel:`` are not the
site's to check. The guidance page's clause codes are checked against the rules' anchors too.
"""

from functools import cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from cms.domain.clauses import EXCLUSIONS, GROUNDS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SITE = "http://site.invalid/"
# The portal's absolute address in the demo build (pelicanconf's PORTAL_BASE_URL default).
PORTAL_ADDRESSES = ("http://127.0.0.1:8001/",)
LINK_ATTRIBUTES = {"a": "href", "link": "href", "area": "href", "script": "src", "img": "src",
                   "source": "src", "iframe": "src", "form": "action"}  # fmt: skip


class Site:
    """A built site on disk, read lazily: pages by path, their ids and their links."""

    def __init__(self, output: Path):
        self.output = output

    @cache  # noqa: B019 - one instance per test session's site, kept for its lifetime
    def soup(self, file: Path) -> BeautifulSoup:
        return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")

    def ids(self, file: Path) -> set[str]:
        soup = self.soup(file)
        found = {tag["id"] for tag in soup.find_all(id=True)}
        return found | {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}

    def page_url(self, file: Path) -> str:
        relative = file.relative_to(self.output).as_posix()
        return SITE + (
            relative.removesuffix("index.html") if file.name == "index.html" else relative
        )

    def target(self, url: str) -> Path | None:
        """The file an internal URL names, or None if none exists."""
        path = unquote(urlsplit(url).path).lstrip("/")
        candidate = self.output / path
        if path == "" or path.endswith("/") or candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def html_files(self) -> list[Path]:
        return sorted(p for p in self.output.rglob("*.html") if "pagefind" not in p.parts)


def _internal(url: str) -> str | None:
    """The URL on the SITE base when it points into the site, else None."""
    for address in PORTAL_ADDRESSES:
        if url.startswith(address):
            return SITE + url.removeprefix(address)
    return url if url.startswith(SITE) else None


def broken_links(site: Site) -> list[str]:
    broken = []
    for file in site.html_files():
        base = site.page_url(file)
        for tag_name, attribute in LINK_ATTRIBUTES.items():
            for tag in site.soup(file).find_all(tag_name):
                raw = tag.get(attribute)
                if raw is None or raw.startswith(("mailto:", "tel:", "data:", "javascript:")):
                    continue
                url = _internal(urljoin(base, raw.strip()))
                if url is None:
                    continue
                where = f"{file.relative_to(site.output)}: <{tag_name} {attribute}={raw!r}>"
                if raw.startswith("/") and not raw.startswith("//"):
                    # Works at the root of one host only: the site is built with relative URLs
                    # so that it reads the same from any path, a mirror or a file system.
                    broken.append(f"{where}: root-relative")
                    continue
                target = site.target(url)
                if target is None:
                    broken.append(f"{where}: no such file")
                    continue
                fragment = unquote(urlsplit(url).fragment)
                if fragment and target.suffix == ".html" and fragment not in site.ids(target):
                    broken.append(
                        f"{where}: no id {fragment!r} on {target.relative_to(site.output)}"
                    )
    return broken


@pytest.mark.parametrize("build", ["output", "paged"])
def test_every_internal_link_and_fragment_on_the_portal_resolves(site, build):
    """The demo build, and the same with one notice per listing page (every pagination link)."""
    built = Site(getattr(site, build))
    assert len(built.html_files()) > 20  # the whole demo portal, not an empty directory
    assert broken_links(built) == []


def test_the_walker_finds_a_missing_page_and_a_missing_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<p id="here"></p><a href="../b/">b</a><a href="#there">x</a><a href="#here">ok</a>'
        '<a href="http://127.0.0.1:8001/a/#here">own address</a><a href="mailto:x@y.cn">m</a>'
        '<a href="https://elsewhere.example/">away</a><img src="../missing.png" alt="">'
        '<a href="/a/">root</a>',
        encoding="utf-8",
    )
    found = broken_links(Site(tmp_path))
    assert found == [
        "a/index.html: <a href='../b/'>: no such file",
        "a/index.html: <a href='#there'>: no id 'there' on a/index.html",
        "a/index.html: <a href='/a/'>: root-relative",
        "a/index.html: <img src='../missing.png'>: no such file",
    ]


def test_every_clause_code_on_the_guidance_page_links_to_its_anchor_on_the_policy(site):
    built = Site(site.output)
    guidance = site.output / "guidance" / "index.html"
    soup = built.soup(guidance)
    base = built.page_url(guidance)
    codes = {**GROUNDS, **EXCLUSIONS}
    seen = {}
    for code, clause in codes.items():
        entry = soup.find(id=f"{'ground' if code in GROUNDS else 'exclusion'}-{code}")
        assert entry is not None, code
        assert entry.find(class_="code").get_text(strip=True) == code
        link = entry.find("a", class_="clause-link")
        url = urljoin(base, link["href"])
        target = built.target(url)
        assert target is not None, (code, link["href"])
        assert target.parent.name == "exemption-policy"  # the policy page the guidance follows
        assert urlsplit(url).fragment == clause.anchor
        assert clause.anchor in built.ids(target), code
        # The guidance quotes the clause as the policy page shows it.
        quoted = entry.find("blockquote").get_text(strip=True)
        assert built.soup(target).find(id=clause.anchor).get_text(strip=True).endswith(quoted)
        seen[code] = clause.anchor
    assert list(seen) == [*GROUNDS, *EXCLUSIONS]
