"""The comment form on a draft policy's page (征求意见), while its comment window is open.

The form is the objection form's kind (:func:`portal.objections.submission_form`): what it asks
for and allows is read from the CMS's OpenAPI document at export time, and a field the form sends
that the API no longer knows stops the build. Whether comments are accepted is the CMS's say
(``comment_window.accepting`` in the read API, as of the build; the site is rebuilt at every
midnight), and the API decides again when a comment arrives.
"""

from typing import Any

from common.cleaning import clean_html

from .objections import submission_form

CREATE_PATH = "/api/policy-comments/"
STATUS_PATH = "/api/policy-comments/status/"

# The fields the portal's form sends, in the order the form shows them.
FORM_FIELDS = (
    "policy", "commenter_type", "organisation", "real_name", "phone", "email", "postal_address",
    "content", "consent", "website",
)  # fmt: skip


def form_from_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The comment form's settings (no files: a comment is text)."""
    return submission_form(schema, CREATE_PATH, STATUS_PATH, FORM_FIELDS, with_evidence=False)


def consultation(page: dict[str, Any]) -> dict[str, Any]:
    """What a policy page shows of its consultation, from the page in the read API: the window
    (or None), whether comments are accepted as of the build, and once the policy is issued the
    summary of how comments were handled (cleaned here, at the boundary)."""
    window = page.get("comment_window")
    in_consultation = page.get("status") == "draft_for_comments"
    summary = "" if in_consultation else clean_html(page.get("comment_summary"))
    return {
        "comment_window": window,
        "accepting_comments": bool(window and window.get("accepting")),
        "comment_summary_html": summary,
    }


def add_comment_forms(policies: list[dict[str, Any]], client) -> None:
    """Puts the comment form's settings on every draft for comments with a window: its page
    shows the form while comments are accepted, and the lookup of answers throughout. The
    schema is read only when there is such a page."""
    drafts = [
        source
        for source in policies
        if source["cms"].get("comment_window") and source["cms"]["status"] == "draft_for_comments"
    ]
    if not drafts:
        return
    form = form_from_schema(client.openapi_schema())
    for source in drafts:
        source["cms"]["comment_form"] = form
