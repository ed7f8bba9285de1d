"""``/api/v3/``: Wagtail's API v3, read-only and anonymous.

Wagtail's API also writes (pages and their actions, documents, images, snippets, redirects,
sites) for a bearer token, around the project's guards. Only the URL patterns named in
:data:`WAGTAIL_READS` and those under the project's own routers are mounted; anything else
under the prefix is a JSON 404. A kept view answers GET and HEAD (OPTIONS with its ``Allow``),
others a 405, and sees every request as anonymous: the ``Authorization`` header and the
session's user are dropped first. The OpenAPI document lists only the operations served.
"""

import json
import re
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from cms.core.api_errors import error_body

# Wagtail's routes the portal and the public read; pages are the live versions only.
WAGTAIL_READS = frozenset(
    {"list_pages", "find_page", "detail_page", "openapi-json", "openapi-view", "api-root"}
)
ALLOW = "GET, HEAD, OPTIONS"
DESCRIPTION = "只读接口：公开页面与公告数据。 / Read-only API: public pages and notices."
_JSON = {"ensure_ascii": False}
View = Callable[..., HttpResponse]


def _error(status: int, code: str, message: str, message_en: str) -> JsonResponse:
    body = error_body(code, message, message_en)
    return JsonResponse(body, status=status, json_dumps_params=_JSON)


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Everything under the prefix that is not a kept route."""
    return _error(404, "not_found", "未找到。", "Not found.")


async def _no_user() -> AnonymousUser:
    return AnonymousUser()


def anonymous(request: HttpRequest) -> None:
    """Make the request anonymous whatever token or session it carries."""
    request.META.pop("HTTP_AUTHORIZATION", None)
    vars(request).pop("headers", None)  # a cached copy of the headers may hold it
    request.user = AnonymousUser()
    request.auser = _no_user


def _site_filter_ok(site: str | None) -> bool:
    """Wagtail's ``?site=host:port`` filter looks the port up as given: anything but a port
    number would reach the database as one (and fail there, a server error)."""
    if not site or ":" not in site:
        return True
    port = site.split(":", 1)[1]
    return port.isascii() and port.isdigit() and 1 <= int(port) <= 65535


def read_only(view: View) -> View:
    """GET and HEAD (answered as GET, the server drops the body) reach ``view``, anonymously."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse()
        elif request.method not in ("GET", "HEAD"):
            response = _error(
                405,
                "method_not_allowed",
                "只读接口，仅支持 GET 和 HEAD 请求。",
                "This API is read-only: only GET and HEAD are allowed.",
            )
        elif not _site_filter_ok(request.GET.get("site")):
            return _error(
                400,
                "invalid_site",
                "site 参数须为主机名，或“主机名:端口”（端口为 1 至 65535 的整数）。",
                "site: expected a hostname, or hostname:port with a port from 1 to 65535.",
            )
        else:
            anonymous(request)
            request.method = "GET"
            return view(request, *args, **kwargs)
        response["Allow"] = ALLOW
        return response

    return csrf_exempt(wrapper)


def _template(route: str) -> str:
    """``pages/<int:page_id>/`` as OpenAPI writes it: ``pages/{page_id}/``."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _referenced(node: Any) -> set[str]:
    return set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(node)))


def openapi_subset(schema: dict, prefix: str, routes: Iterable[str]) -> dict:
    """The document with only the GET operations of ``routes``, the component schemas they
    use, no security schemes (tokens are ignored) and a description that says so."""
    kept = {prefix + _template(route) for route in routes}
    paths = {}
    for name, item in schema.get("paths", {}).items():
        if name in kept and "get" in item:
            paths[name] = {"get": {k: v for k, v in item["get"].items() if k != "security"}}
    components = schema.get("components", {})
    schemas, wanted, seen = components.get("schemas", {}), _referenced(paths), set()
    while wanted - seen:
        seen |= wanted
        wanted = seen | _referenced([schemas.get(name) for name in seen])
    components = {k: v for k, v in components.items() if k not in ("schemas", "securitySchemes")}
    components["schemas"] = {name: schemas[name] for name in sorted(seen) if name in schemas}
    info = {**schema.get("info", {}), "description": DESCRIPTION}
    return {**schema, "info": info, "paths": paths, "components": components}


def _openapi(view: View, api: NinjaAPI, routes: list[str]) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 200:
            return response
        prefix = api.get_root_path(kwargs)
        schema = openapi_subset(json.loads(response.content), prefix, routes)
        return JsonResponse(schema, json_dumps_params=_JSON)

    return wrapper


def read_only_urls(api: NinjaAPI, own_prefixes: Iterable[str] = ()) -> tuple[list, str, str]:
    """``api.urls`` cut down to the kept routes: Wagtail's reads by name, and every route under
    ``own_prefixes`` (the project's routers, e.g. ``notices/``), each made read-only."""
    patterns, app_name, namespace = api.urls
    own = tuple(own_prefixes)
    kept: list[URLPattern] = [
        p
        for p in patterns
        if isinstance(p, URLPattern) and (p.name in WAGTAIL_READS or str(p.pattern).startswith(own))
    ]
    routes = [str(p.pattern) for p in kept]
    urls = []
    for p in kept:
        view = _openapi(p.callback, api, routes) if p.name == "openapi-json" else p.callback
        urls.append(URLPattern(p.pattern, read_only(view), p.default_args, p.name))
    urls.append(re_path(r"", not_found))
    return urls, app_name, namespace
