"""The whole site as the site-wide outputs see it (feeds, open data, calendar, sitemap, JSON-LD):
the exported sources and a few of Pelican's settings.

Links are absolute, on ``SITEURL`` when it is absolute (publishconf) or else ``PORTAL_BASE_URL``.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from .dates import notice_updated, source_updated

LANGUAGE = "zh-CN"
DEFAULT_BASE_URL = "http://127.0.0.1:8001"
NOTICE_TEMPLATE = "notice"
REJECTION_TEMPLATE = "rejection"
STATISTICS_TEMPLATE = "statistics"
# Sources listed in the policy feed, JSON-LD'd as Legislation; guidance pages join when they exist.
POLICY_TEMPLATES = ("policy", "guidance")


def absolute_base(settings: dict[str, Any]) -> str:
    """The site's absolute address, ending in '/': SITEURL when absolute, else PORTAL_BASE_URL."""
    siteurl = str(settings.get("SITEURL") or "")
    if not siteurl.startswith(("http://", "https://")):
        siteurl = str(settings.get("PORTAL_BASE_URL") or DEFAULT_BASE_URL)
    return siteurl.rstrip("/") + "/"


@dataclass(frozen=True)
class Site:
    """What the site-wide outputs are made of: the exported sources and a few settings."""

    base_url: str
    name: str
    publisher: str
    sources: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_settings(
        cls, settings: dict[str, Any], sources: list[dict[str, Any]], notice_reader=None
    ) -> "Site":
        return cls(
            base_url=absolute_base(settings),
            name=str(settings.get("SITENAME") or ""),
            publisher=str(settings.get("AUTHOR") or settings.get("SITESUBTITLE") or ""),
            sources=sources,
            notice_reader=notice_reader,
        )

    def absolute(self, url: str) -> str:
        """``url`` resolved against the site's address. A plain path below it (the sitemap and
        the open data make ~80,000 of them) is appended; anything else goes through urljoin."""
        plain = (
            self.base_url.endswith("/")
            and not url.startswith(("/", "."))
            and "/." not in url
            and ":" not in url.split("/", 1)[0]
        )
        return self.base_url + url if plain else urljoin(self.base_url, url)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    def tag(self, published: str, specific: str) -> str:
        """A tag URI (RFC 4151): 'tag:<host>,<first publication day>:<specific>'."""
        return f"tag:{self.host},{published[:10]}:{specific}"

    #: When set, the notices' page data newest change first, read only as far as a feed needs
    #: (an incremental build, whose unchanged notice pages stay on disk); else from ``sources``.
    notice_reader: Callable[[], Iterator[dict[str, Any]]] | None = None

    def recent_notices(self) -> Iterator[dict[str, Any]]:
        """The notices' page data, newest change first (then by id), one by one."""
        return self.notice_reader() if self.notice_reader else iter(self.notices)

    def of_template(self, *templates: str) -> list[dict[str, Any]]:
        return [s for s in self.sources if s["metadata"].get("template") in templates]

    @property
    def notices(self) -> list[dict[str, Any]]:
        """The notices' page data, newest change first (then by id)."""
        if self.notice_reader:
            return list(self.notice_reader())
        notices = [s["cms"] for s in self.of_template(NOTICE_TEMPLATE)]
        return sorted(notices, key=lambda n: (notice_updated(n), n["id"]), reverse=True)

    @property
    def policies(self) -> list[dict[str, Any]]:
        """The policy-type sources, newest change first (then by id)."""
        policies = self.of_template(*POLICY_TEMPLATES)
        return sorted(policies, key=lambda s: (source_updated(s), s["cms"]["id"]), reverse=True)
