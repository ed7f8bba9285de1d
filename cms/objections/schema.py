def only_public_api(endpoints):
    """The OpenAPI document describes the public objection API, not Wagtail's admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/objections/")]
