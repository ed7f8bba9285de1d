"""A small client for the CMS's read API (Wagtail API v3), paginating with limit/offset."""

import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import requests

PAGE_SIZE = 100
SCHEMA_PATH = "/api/schema/"
EXPORT_PATH = "/api/v3/export/"


def read_key(path: str, params: dict[str, Any] | None = None) -> str:
    """How the export names a read it bundles: the path, then the parameters sorted by name."""
    query = urlencode(sorted((name, str(value)) for name, value in (params or {}).items()))
    return f"{path}?{query}" if query else path


class CMSUnavailable(RuntimeError):
    """The CMS could not be reached or answered with an error."""


class CMSClient:
    def __init__(self, base_url: str, *, timeout: float = 30.0, session=None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers.setdefault("Accept", "application/json")
        self._schema: dict[str, Any] | None = None

    def another(self) -> "CMSClient":
        """A client on a connection of its own, for another thread (sessions are not shared)."""
        return CMSClient(self.base_url, timeout=self.timeout)

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        url = f"{self.base_url}{path}"
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise CMSUnavailable(f"CMS unreachable at {url}: {exc}") from exc
        if response.status_code != 200:
            raise CMSUnavailable(f"CMS answered {response.status_code} for {response.url}")
        try:
            return response.json()
        except ValueError as exc:
            raise CMSUnavailable(f"CMS sent invalid JSON for {response.url}") from exc

    def openapi_schema(self) -> dict[str, Any]:
        """The CMS's OpenAPI document, which the portal's forms are built from; read once."""
        if self._schema is None:
            self._schema = self.get_json(SCHEMA_PATH, {"format": "json"})
        return self._schema

    def iter_paginated(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a limit/offset listing, following the pagination to the end."""
        offset = 0
        while True:
            batch = self.get_json(path, {**params, "limit": PAGE_SIZE, "offset": offset})
            items = batch["items"]
            yield from items
            offset += len(items)
            if not items or offset >= batch["count"]:
                return

    def parallel_paginated(self, path: str, connections: int = 2) -> list[dict[str, Any]]:
        """Every item of a limit/offset listing, the pages after the first asked for on
        ``connections`` connections at once (the CMS serves them in parallel)."""
        first = self.get_json(path, {"limit": PAGE_SIZE, "offset": 0})
        items, count = list(first["items"]), first["count"]
        if not first["items"] or len(items) >= count:
            return items
        local = threading.local()  # a session per thread: a Session is not shared by threads

        def fetch(offset: int) -> list[dict[str, Any]]:
            if not hasattr(local, "client"):
                local.client = self.another()
            return local.client.get_json(path, {"limit": PAGE_SIZE, "offset": offset})["items"]

        with ThreadPoolExecutor(max_workers=connections) as pool:
            for batch in pool.map(fetch, range(len(items), count, PAGE_SIZE)):
                items.extend(batch)
        return items

    def iter_page_summaries(self, page_type: str) -> Iterator[dict[str, Any]]:
        """Every live page of a type (``app.Model``)."""
        return self.iter_paginated("/api/v3/pages/", type=page_type)

    def notices(self) -> list[dict[str, Any]]:
        """Every live decision notice, a hundred per request, in the shape of a page detail
        (the notices changed since a build come with the export: :meth:`export`)."""
        return notice_pages(self.parallel_paginated("/api/v3/notices/"))

    def export(self, since: str = "", record_after: int = 0) -> dict[str, Any]:
        """What a build reads, in one answer: the notices changed since the version ``since``
        (all of them to be read page by page when it is not usable), and the other reads
        (see :class:`BundledClient`)."""
        params: dict[str, Any] = {"record_after": record_after}
        if since:
            params["since"] = since
        return self.get_json(EXPORT_PATH, params)

    def page_detail(self, page_id: int) -> dict[str, Any]:
        return self.get_json(f"/api/v3/pages/{page_id}/")

    def pages_of_type(self, page_type: str) -> list[dict[str, Any]]:
        return [self.page_detail(item["id"]) for item in self.iter_page_summaries(page_type)]


def notice_pages(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Notices as the bulk read gives them, in the shape of a page detail (with ``meta``)."""
    return [
        {**row, "meta": {"slug": row["slug"], "first_published_at": row["first_published_at"]}}
        for row in rows
    ]


class BundledClient(CMSClient):
    """A client that answers a read from an export's ``reads`` when the export bundled it, and
    asks the CMS otherwise."""

    def __init__(self, client: CMSClient, reads: dict[str, Any]):
        super().__init__(client.base_url, timeout=client.timeout, session=client.session)
        self.reads = reads

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        key = read_key(path, params)
        if key in self.reads:
            return self.reads[key]
        return super().get_json(path, params)
