PUBLIC_PATHS = ("/api/objections/", "/api/policy-comments/")


def only_public_api(endpoints):
    """The OpenAPI document describes the public API (objections, comments on draft policies),
    not Wagtail's admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(PUBLIC_PATHS)]
