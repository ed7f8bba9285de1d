"""Answers of the CMS's own GET endpoints, made in-process: for an answer that bundles several
reads into one response (the portal's export, :mod:`cms.notices.export_api`).

Each read resolves its path and calls the view as a request of its own would reach it, with
the outer request's host and scheme (the absolute URLs in the answers are the same) and nothing
else of it: no cookies, no session, no ``Authorization`` header. Middleware does not run; the
views read here are anonymous reads that need none.
"""

import json
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict
from django.urls import resolve

# What a sub-request keeps of the outer one: enough for Django to know the host and scheme.
KEPT_META = ("HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme", "HTTP_X_FORWARDED_PROTO")


class _Request(HttpRequest):
    def _get_scheme(self) -> str:
        return self.META.get("wsgi.url_scheme", "http")


class ReadFailed(RuntimeError):
    """A bundled read did not answer 200 with JSON."""


def _query(params: dict[str, Any] | None) -> str:
    return urlencode(sorted((name, str(value)) for name, value in (params or {}).items()))


def read_key(path: str, params: dict[str, Any] | None = None) -> str:
    """How a bundle names a read: the path, then its parameters sorted by name (``urlencode``);
    a client looks its own requests up the same way."""
    query = _query(params)
    return f"{path}?{query}" if query else path


def read_json(outer: HttpRequest, path: str, params: dict[str, Any] | None = None) -> Any:
    """The JSON a ``GET path?params`` would answer, made in this process."""
    query = _query(params)
    request = _Request()
    request.method = "GET"
    request.path = request.path_info = path
    request.META = {name: outer.META[name] for name in KEPT_META if name in outer.META}
    request.META.update({"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query})
    request.GET = QueryDict(query)
    match = resolve(path)
    response = match.func(request, *match.args, **match.kwargs)
    if hasattr(response, "render"):  # a DRF or template response renders lazily
        response = response.render()
    if response.status_code != 200:
        raise ReadFailed(f"{read_key(path, params)} answered {response.status_code}")
    return json.loads(response.content)


def outer_request(host: str, scheme: str) -> HttpRequest:
    """A request for ``host`` and ``scheme`` alone, for reads made outside any request's time."""
    request = _Request()
    request.META = {"HTTP_HOST": host, "wsgi.url_scheme": scheme}
    return request
